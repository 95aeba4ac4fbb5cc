package dev.weft.timers;

import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.core.spi.RuntimeClock;
import dev.weft.timers.internal.Clocks;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A virtual clock for tests (Tokio's paused time, Kotlin's {@code TestCoroutineScheduler}): time
 * moves only when {@link #advance(Duration) advanced}, or, with {@linkplain #setAutoAdvance
 * auto-advance}, jumps to the next timer deadline when every task of its runtimes waits only for
 * time.
 *
 * <pre>{@code
 * TestClock clock = new TestClock();
 * clock.setAutoAdvance(true);
 * try (WeftRuntime rt = clock.newRuntime(WeftRuntime.builder().carriers(1))) {
 *     rt.run(() -> { Time.sleep(Duration.ofSeconds(30)); return null; }); // milliseconds of real time
 * }
 * }</pre>
 *
 * <p><b>Auto-advance</b> runs on one daemon platform thread per clock that polls every
 * ~100 µs. It jumps only when it sees, twice in a row, every runtime of the clock "waiting only
 * for time": all carriers idle, the blocking pool idle and empty, and every live task parked in a
 * timed wait on a carrier's wheel ({@link Time#sleep}, {@link Interval#tick}, timed channel and
 * lock waits), or waiting for other tasks of the runtime ({@code Task.join}, a scope's
 * {@code join}, {@code JoinSet.joinNext}, a select over their completions). A task that runs,
 * waits for I/O, a channel, a lock, a latch or a task of another runtime, or a job on the
 * blocking pool, holds time still. Waits that do not go through Weft
 * (the JDK's own {@code Thread.sleep}, {@code LockSupport.parkNanos}) are real-time waits that
 * Weft does not see as timed: they also hold virtual time still, and last their real duration.
 *
 * <p>Time starts paused at an arbitrary origin and never goes backwards. Thread-safe.
 *
 * <p>The clock's public surface uses only exported types: it <em>holds</em> the clock source its
 * runtimes read (core's {@code RuntimeClock}, which core exports only to Weft's modules) instead
 * of being one, so code in named modules can use every method here. The auto-advance rule and
 * the pitfalls it avoids are recorded in {@code docs/adr/0002-test-clock-auto-advance.md}.
 */
public final class TestClock {
    private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
    /** What the runtimes built by {@link #newRuntime} read: this clock's virtual time. */
    private final RuntimeClock source = new RuntimeClock() {
        @Override
        public long nanoTime() {
            return now.get();
        }

        /** Carriers never wait for real time on this clock. */
        @Override
        public boolean isVirtual() {
            return true;
        }
    };
    private final List<WeftRuntime> runtimes = new CopyOnWriteArrayList<>();
    private volatile Thread driver;
    private volatile long jumps;
    private volatile long polls;

    /** A paused clock, auto-advance off. */
    public TestClock() {}

    /**
     * The clock's current time in nanoseconds from an arbitrary origin: what {@link Time#nanoTime()}
     * returns inside its runtimes. Never blocks; never goes backwards.
     */
    public long nanoTime() {
        return now.get();
    }

    /**
     * Builds a runtime from {@code builder} that reads this clock, and attaches it: advances wake
     * its carriers, and auto-advance watches it.
     */
    public WeftRuntime newRuntime(WeftRuntime.Builder builder) {
        Objects.requireNonNull(builder, "builder");
        WeftRuntime rt = RuntimeAccess.withClock(builder, source).build();
        runtimes.add(rt);
        return rt;
    }

    /** A runtime with one carrier on this clock (deterministic ordering of its tasks). */
    public WeftRuntime newRuntime() {
        return newRuntime(WeftRuntime.builder().name("weft-test").carriers(1));
    }

    /** Always {@code true}: the clock is paused unless advanced. */
    public boolean isPaused() {
        return true;
    }

    /** Does nothing: a test clock starts paused and stays so (here for symmetry with Tokio). */
    public void pause() {}

    /**
     * Moves time forward by {@code by} and wakes the carriers of the attached runtimes: timers
     * due by the new time fire (asynchronously, on the carriers) and tasks sleeping past it wake.
     *
     * @throws IllegalArgumentException if {@code by} is negative (time never goes backwards)
     * @throws NullPointerException     if {@code by} is null
     */
    public void advance(Duration by) {
        Objects.requireNonNull(by, "by");
        if (by.isNegative()) {
            throw new IllegalArgumentException("by must be >= 0, was " + by);
        }
        long d = Clocks.saturatedNanos(by);
        now.getAndUpdate(n -> Clocks.plus(n, d));
        wakeAll();
    }

    /** Moves time to {@code target} if it is later than now; wakes the carriers. */
    void advanceTo(long target) {
        now.getAndUpdate(n -> Math.max(n, target));
        wakeAll();
    }

    private void wakeAll() {
        for (WeftRuntime rt : runtimes) {
            if (rt.isClosed()) {
                runtimes.remove(rt);
            } else {
                RuntimeAccess.wakeCarriers(rt);
            }
        }
    }

    /** How many times auto-advance jumped (for tests and diagnostics). */
    public long autoAdvanceJumps() {
        return jumps;
    }

    /**
     * How many times auto-advance has looked at its runtimes (a diagnostic: a test that checks that
     * time did <em>not</em> jump waits for this to grow instead of sleeping).
     */
    public long autoAdvancePolls() {
        return polls;
    }

    /** Whether auto-advance is on. */
    public boolean isAutoAdvance() {
        return driver != null;
    }

    /**
     * Turns auto-advance on or off. On starts the clock's daemon driver thread; off stops it and
     * returns once it has stopped moving time.
     */
    public synchronized void setAutoAdvance(boolean on) {
        Thread d = driver;
        if (on && d == null) {
            Thread t = Thread.ofPlatform().daemon().name("weft-testclock-autoadvance").unstarted(this::drive);
            driver = t;
            t.start();
        } else if (!on && d != null) {
            driver = null;
            LockSupport.unpark(d);
            boolean interrupted = false;
            while (d.isAlive()) {
                try {
                    d.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void drive() {
        Thread me = Thread.currentThread();
        boolean sawIdle = false;
        while (driver == me) {
            LockSupport.parkNanos(this, 100_000L);
            boolean idle = onlyTimeLeft();
            polls++;
            if (idle && sawIdle) {
                long target = Long.MAX_VALUE;
                for (WeftRuntime rt : runtimes) {
                    target = Math.min(target, RuntimeAccess.earliestTimerDeadline(rt));
                }
                // MIN_VALUE: a carrier woke since the check; MAX_VALUE: no timer at all (a deadlock
                // of timed waits cannot happen: timed waiters always have a timer).
                if (target != Long.MAX_VALUE && target != Long.MIN_VALUE && onlyTimeLeft()) {
                    if (target - now.get() > 0) {
                        jumps++;
                    }
                    advanceTo(target);
                }
                idle = false;
            }
            sawIdle = idle;
        }
    }

    private boolean onlyTimeLeft() {
        boolean any = false;
        for (WeftRuntime rt : runtimes) {
            if (rt.isClosed()) {
                runtimes.remove(rt);
                continue;
            }
            if (!RuntimeAccess.isWaitingOnlyForTime(rt)) {
                return false;
            }
            any = true;
        }
        return any;
    }
}
