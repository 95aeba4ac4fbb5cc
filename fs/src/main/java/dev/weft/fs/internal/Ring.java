package dev.weft.fs.internal;

import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.uring.IoUringIoEvent;
import io.netty.channel.uring.IoUringIoHandle;
import io.netty.channel.uring.IoUringIoOps;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One carrier's io_uring, as seen by file operations: an {@link IoUringIoHandle} registered once
 * on the carrier's event loop, through which tasks homed on that carrier submit raw
 * {@code io_uring_sqe}s (Netty 4.2's public {@link IoUringIoOps}) and receive their completions.
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>A task builds an {@link Req} and hands it to the loop ({@code execute}: a local enqueue,
 *       since the task runs on that carrier); on the loop thread the request gets a slot, whose
 *       index is the SQE's 16-bit user data (Netty's allocation-free fast path), and is queued in
 *       the submission ring; the loop's next {@code io_uring_enter} submits it.</li>
 *   <li>The completion arrives in {@link #handle} on the loop thread, frees the slot and
 *       {@linkplain Req#complete completes} the request: that unparks the task (a local enqueue
 *       again, no cross-thread hand-off) or, if the task walked away, runs the request's clean-up
 *       (returning the buffer the kernel wrote into, only now that the kernel is done with it).</li>
 *   <li>Slots and the free list are touched only on the loop thread: no synchronisation.</li>
 * </ul>
 */
public final class Ring implements IoUringIoHandle {
    static final byte OP_READ = 22;
    static final byte OP_WRITE = 23;
    static final byte OP_OPENAT = 18;
    static final byte OP_CLOSE = 19;
    /** The result of a request that found no free slot: it never reached the kernel. */
    static final int EAGAIN = 11;
    /** Slots are 16-bit user data with the sign bit clear. */
    private static final int MAX_SLOTS = 1 << 15;

    /** Buffers of requests in flight when their loop shut down: the kernel may still write them, so never reuse or free them. */
    private static final List<ByteBuffer> GRAVEYARD = new ArrayList<>();

    private final IoEventLoop loop;
    private final io.netty.util.concurrent.Future<IoRegistration> registering;
    private volatile IoRegistration registration;
    private volatile boolean dead;
    /** The carrier's lane and scratch buffer for {@link NoWait} calls. */
    final CarrierFiles files;
    // Loop thread only:
    private Req[] slots = new Req[64];
    private int[] free = new int[64];
    private int freeTop;
    private int used;

    Ring(IoEventLoop loop, Gate gate) {
        this.loop = loop;
        this.files = gate.filesOf(loop);
        this.registering = loop.register(this);
    }

    /** Waits (parks) until registered on the loop. */
    void awaitRegistered() throws IOException {
        if (registration != null) {
            return;
        }
        try {
            registration = registering.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while registering the file ring on the carrier's loop (nothing was done)");
        } catch (ExecutionException e) {
            dead = true;
            throw new IOException("cannot register a file ring on the carrier's io_uring loop: " + e.getCause(), e.getCause());
        }
    }

    boolean isDead() {
        return dead;
    }

    /**
     * Hands {@code req} to the loop; its completion arrives through {@link Req#complete}.
     *
     * @throws IOException if the loop no longer accepts work (the runtime is closing)
     */
    void submit(Req req) throws IOException {
        try {
            loop.execute(() -> submitOnLoop(req));
        } catch (RejectedExecutionException e) {
            throw new IOException("the carrier's event loop is shutting down", e);
        }
    }

    private void submitOnLoop(Req req) {
        IoRegistration reg = registration;
        if (dead || reg == null || !reg.isValid()) {
            req.complete(-Posix.ECANCELED);
            return;
        }
        int slot = allocate();
        if (slot < 0) {
            req.complete(-EAGAIN);
            return;
        }
        slots[slot] = req;
        long id = reg.submit(new IoUringIoOps(req.opcode, (byte) 0, (short) 0, req.fd, req.offset, req.address, req.len,
                req.union3, (long) slot, (short) 0, (short) 0, 0, 0L));
        if (id == 0) {   // the registration was cancelled meanwhile
            slots[slot] = null;
            release(slot);
            req.complete(-Posix.ECANCELED);
        }
    }

    private int allocate() {
        if (freeTop > 0) {
            return free[--freeTop];
        }
        if (used == slots.length) {
            if (used == MAX_SLOTS) {
                return -1;
            }
            slots = java.util.Arrays.copyOf(slots, Math.min(MAX_SLOTS, used * 2));
            free = java.util.Arrays.copyOf(free, slots.length);
        }
        return used++;
    }

    private void release(int slot) {
        free[freeTop++] = slot;
    }

    @Override
    public void handle(IoRegistration reg, IoEvent event) {
        IoUringIoEvent ev = (IoUringIoEvent) event;
        int slot = (int) (ev.userData() & 0x7fff);
        Req req = slots[slot];
        if (req == null) {
            return;
        }
        slots[slot] = null;
        release(slot);
        req.complete(ev.res());
    }

    /** The loop is going away: wake every waiter; buffers the kernel may still use are never reused. */
    @Override
    public void close() {
        dead = true;
        for (int i = 0; i < used; i++) {
            Req req = slots[i];
            if (req != null) {
                slots[i] = null;
                synchronized (GRAVEYARD) {
                    if (req.buffer != null) {
                        GRAVEYARD.add(req.buffer);
                    }
                }
                req.orphaned = true;
                req.complete(-Posix.ECANCELED);
            }
        }
    }

    @Override
    public String toString() {
        return "Ring[" + loop + (dead ? ", dead" : "") + "]";
    }

    /**
     * One submission and the task waiting for it. Whoever of the completion and the waiter's
     * cancellation comes first decides: the waiter gets the result (and then owns the clean-up), or
     * the completion runs the clean-up itself.
     */
    static final class Req {
        private static final int WAITING = 0;
        private static final int DONE = 1;
        private static final int ABANDONED = 2;

        final byte opcode;
        final int fd;
        final long offset;
        final long address;
        final int len;
        final int union3;
        final ByteBuffer buffer;
        final Thread waiter;
        /** What the completion does if the waiter walked away (or nobody waits: {@link #detach}). */
        java.util.function.Consumer<Req> cleanup;
        final AtomicInteger state = new AtomicInteger(WAITING);
        volatile int res;
        /** Whether a completion (from the kernel or a dying loop) has arrived. */
        volatile boolean completed;
        /** Set by the submitter before {@link Ring#submit}; for the counters. */
        long startNanos;
        Gate gate;
        /** Completed by a dying loop rather than the kernel: the buffer must not be reused. */
        volatile boolean orphaned;

        /** A request on {@code buffer[bufferOffset..bufferOffset+len)} (a read or write). */
        Req(byte opcode, int fd, long offset, ByteBuffer buffer, int bufferOffset, int len,
                java.util.function.Consumer<Req> cleanup) {
            this(opcode, fd, offset,
                    java.lang.foreign.MemorySegment.ofBuffer(buffer.duplicate().clear()).address() + bufferOffset,
                    len, 0, buffer, cleanup);
        }

        /** Any request: {@code address} points into {@code buffer} (kept alive until the completion) or is 0. */
        Req(byte opcode, int fd, long offset, long address, int len, int union3, ByteBuffer buffer,
                java.util.function.Consumer<Req> cleanup) {
            this.opcode = opcode;
            this.fd = fd;
            this.offset = offset;
            this.address = address;
            this.len = len;
            this.union3 = union3;
            this.buffer = buffer;
            this.waiter = Thread.currentThread();
            this.cleanup = cleanup;
        }

        /** Replaces the clean-up run when the waiter walks away (before submission). */
        void onAbandon(java.util.function.Consumer<Req> c) {
            cleanup = c;
        }

        /** Nobody will wait: the completion runs the clean-up (before submission). */
        void detach() {
            state.set(ABANDONED);
        }

        /** On the loop thread. */
        void complete(int result) {
            res = result;
            completed = true;
            if (state.compareAndSet(WAITING, DONE)) {
                LockSupport.unpark(waiter);
            } else {
                cleanup.accept(this);
            }
        }

        /**
         * Parks until the completion. On interrupt the request is abandoned (the clean-up then
         * runs at the completion) and {@link InterruptedIOException} is thrown, interrupt status
         * kept; if the completion won the race, its result is returned and the status stays set.
         */
        int await() throws InterruptedIOException {
            while (state.get() == WAITING) {
                LockSupport.park(this);
                if (Thread.currentThread().isInterrupted() && state.compareAndSet(WAITING, ABANDONED)) {
                    throw new InterruptedIOException("file operation cancelled; the kernel finishes the request in the background");
                }
            }
            return res;
        }
    }
}
