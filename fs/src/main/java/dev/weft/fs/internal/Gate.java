package dev.weft.fs.internal;

import dev.weft.core.WeftRuntime;

import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The per-runtime cap on file operations in flight: a fair semaphore in front of the blocking
 * pool, so a storm of file calls queues here (parked tasks, no threads) instead of growing the
 * pool. A permit is taken by the calling task and given back by the pool thread when the job
 * ends, so the cap holds even for jobs whose caller was cancelled and walked away.
 *
 * <p>Thread-safe.
 */
public final class Gate {
    /** Default cap on file operations in flight per runtime. */
    public static final int DEFAULT_MAX_IN_FLIGHT = 64;

    private static final Map<WeftRuntime, Gate> GATES = Collections.synchronizedMap(new WeakHashMap<>());

    /** A one-entry cache in front of the map: most programs have one runtime. */
    private static volatile Gate last;

    /**
     * Weak: the gate is the value of a weak map keyed by the runtime (and the {@link #last} cache),
     * so nothing it holds may reach the runtime strongly once the runtime is closed. Its per-carrier
     * state does (the event loops, and the lanes' wake signals, reach the carriers and through them
     * the runtime): {@link #of} drops that state when the runtime's loops terminate.
     */
    private final java.lang.ref.WeakReference<WeftRuntime> runtime;
    private final Permits permits;
    private volatile int max;
    private final AtomicInteger running = new AtomicInteger();
    private final AtomicInteger peak = new AtomicInteger();
    private final AtomicLong completed = new AtomicLong();
    /** Per-path counters: cheap striped adders, read racily by {@code Fs.stats}. */
    public final LongAdder uringOps = new LongAdder();
    public final LongAdder uringNanos = new LongAdder();
    public final LongAdder poolOps = new LongAdder();
    public final LongAdder poolNanos = new LongAdder();
    public final LongAdder bytesRead = new LongAdder();
    public final LongAdder bytesWritten = new LongAdder();
    public final LongAdder failures = new LongAdder();
    public final LongAdder zeroCopyBytes = new LongAdder();
    /** Calls completed on the carrier without blocking ({@link NoWait}): page-cache reads, cached opens. */
    public final LongAdder noWaitOps = new LongAdder();
    /** Bytes of {@link #noWaitOps} reads that went straight into the caller's array ({@link NoWait#readInto}). */
    public final LongAdder directReadBytes = new LongAdder();
    /** Carrier time per loop pass for carrier-side calls ({@link Lane}); 0: none, every read and open is a request. */
    public volatile long carrierNanosPerPass = Lane.DEFAULT_NANOS;
    /** The backend asked for (null: automatic); see {@link Uring#backend}. */
    volatile dev.weft.fs.FsBackend requested;
    /** The carriers' rings, one per event loop, registered on first use. */
    /** Per carrier loop: the lane and scratch buffer of carrier-side calls, on any transport. */
    private final java.util.concurrent.ConcurrentHashMap<io.netty.channel.IoEventLoop, CarrierFiles> carrierFiles =
            new java.util.concurrent.ConcurrentHashMap<>();

    CarrierFiles filesOf(io.netty.channel.IoEventLoop loop) {
        CarrierFiles f = carrierFiles.get(loop);
        return f != null ? f : carrierFiles.computeIfAbsent(loop, l -> new CarrierFiles(l, this));
    }

    final java.util.concurrent.ConcurrentHashMap<io.netty.channel.IoEventLoop, Ring> rings =
            new java.util.concurrent.ConcurrentHashMap<>();

    WeftRuntime runtime() {
        return runtime.get();
    }

    private Gate(WeftRuntime runtime, int max) {
        this.runtime = new java.lang.ref.WeakReference<>(runtime);
        this.max = max;
        this.permits = new Permits(max);
    }

    /** The gate of {@code rt}, created with the default cap on first use. */
    public static Gate of(WeftRuntime rt) {
        Gate g = last;
        if (g != null && g.runtime.get() == rt) {
            return g;
        }
        g = GATES.computeIfAbsent(rt, r -> {
            Gate created = new Gate(r, DEFAULT_MAX_IN_FLIGHT);
            // The listener is held by the runtime's own group (no path from a root), and holds only the gate.
            dev.weft.core.spi.RuntimeAccess.eventLoopGroup(r).terminationFuture().addListener(f -> created.forgetCarriers());
            return created;
        });
        last = g;
        return g;
    }

    /**
     * The runtime's carriers have stopped: drops what the gate holds of them (each reaches the
     * runtime), so a closed runtime is garbage once the program drops it.
     */
    private void forgetCarriers() {
        carrierFiles.clear();
        rings.clear();
    }

    /** Changes the cap; operations already in flight keep their permits. */
    public synchronized void setMax(int newMax) {
        int delta = newMax - max;
        max = newMax;
        if (delta > 0) {
            permits.release(delta);
        } else if (delta < 0) {
            permits.reduce(-delta);
        }
    }

    public int max() {
        return max;
    }

    /** Operations running on the pool now. */
    public int running() {
        return running.get();
    }

    /** Tasks waiting for a permit now (an estimate). */
    public int queued() {
        return permits.getQueueLength();
    }

    /** The most operations ever seen running at once. */
    public int peak() {
        return peak.get();
    }

    /** Operations that have ended. */
    public long completed() {
        return completed.get();
    }

    void acquire() throws InterruptedException {
        permits.acquire();
    }

    void release() {
        permits.release();
    }

    boolean tryAcquire() {
        return permits.tryAcquire();
    }

    /** Brackets a job's body on the pool thread (counts it as running). */
    void started() {
        int now = running.incrementAndGet();
        peak.accumulateAndGet(now, Math::max);
    }

    void ended() {
        completed.incrementAndGet();   // before running drops: "none in flight" implies "all counted"
        running.decrementAndGet();
        permits.release();
    }

    /** {@link Semaphore} with its protected {@code reducePermits} reachable. */
    private static final class Permits extends Semaphore {
        private static final long serialVersionUID = 1L;

        Permits(int n) {
            super(n, true);
        }

        void reduce(int n) {
            reducePermits(n);
        }
    }
}
