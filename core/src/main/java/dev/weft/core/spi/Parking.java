package dev.weft.core.spi;

import dev.weft.core.internal.TaskImpl;

import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The one way Weft code parks the current thread for a bounded time.
 *
 * <p>Every timed wait in Weft (channels, sync primitives, timers, I/O timeouts) goes through
 * {@link #parkNanos(Object, long)} so that the runtime can (a) serve it from the carrier's timer
 * wheel instead of the JDK's {@code VirtualThread-unparker} thread and (b) know how many tasks are
 * waiting only for time, which the test clock's auto-advance relies on.
 *
 * <p>Semantics are exactly those of {@link LockSupport#parkNanos(Object, long)}: the call may
 * return spuriously, on {@link LockSupport#unpark(Thread)}, on interrupt (the interrupt status is
 * left set), or when the time has elapsed. Callers loop and re-check their condition.
 *
 * <p><b>Sticky cancellation.</b> A task whose body is a {@link CancellationSource} that reports its
 * work cancelled (a fork of a cancelled structured scope: its deadline passed, a sibling failed, it
 * was cancelled) does not park at all: {@link #parkNanos} and {@link #park} set the calling
 * thread's interrupt status and return at once. Every caller already treats an interrupt as the end
 * of its wait, so every later sleep, channel send or receive, sync wait or socket read of such a
 * task throws its interruption exception ({@code InterruptedException},
 * {@code InterruptedIOException}) at once, even when the task caught and ignored the interrupt
 * that cancelled it. The check is made only here, right before parking: a wait that succeeds
 * without parking (a ready channel) is not affected, and code that must wait through an
 * interrupt must not park through this class (it would spin).
 */
public final class Parking {
    private Parking() {}

    /**
     * The current time of the runtime the calling task belongs to, in nanoseconds from an arbitrary
     * origin (like {@link System#nanoTime()}); a test clock's virtual time inside a test runtime.
     * Compute every deadline of a timed wait from this value, never from {@code System.nanoTime()}.
     */
    public static long nanoTime() {
        TaskImpl<?> t = TaskImpl.currentOrNull();
        return t != null ? t.runtime().nanoTime() : System.nanoTime();
    }

    /**
     * Parks the current thread for at most {@code nanos} nanoseconds of runtime time; in a task
     * whose work was cancelled, returns at once with the interrupt status set (see the class comment).
     *
     * <p>A task that is pinned when it parks (a class initialiser or a native frame on its stack)
     * parks its carrier's thread with it, so its carrier's wheel cannot wake it; the runtime's pin
     * watch does, at most {@code 50 ms} after the deadline.
     *
     * @param blocker the object the thread waits on (shown in thread dumps), may be null
     * @param nanos   the maximum time to wait; {@code <= 0} returns at once
     */
    public static void parkNanos(Object blocker, long nanos) {
        if (nanos <= 0) {
            return;
        }
        TaskImpl<?> task = TaskImpl.currentOrNull();
        Thread me = Thread.currentThread();
        if (task != null && task.cancellationRequested()) {
            me.interrupt(); // sticky cancellation: the caller throws instead of waiting
            return;
        }
        if (task != null && task.carrier() != null && task.thread() == me) {
            // The carrier's wheel wakes us: a local enqueue instead of the JDK's unparker thread.
            dev.weft.core.internal.RuntimeCore rt = task.runtime();
            dev.weft.core.internal.Carrier carrier = task.carrier();
            long now = rt.nanoTime();
            long deadline = now + nanos < now ? Long.MAX_VALUE : now + nanos; // saturate
            TimerHandle timer;
            try {
                timer = carrier.timers().scheduleUnpark(deadline, me);
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                // The runtime has stopped and this task outlived it: the JDK's timed park still works.
                LockSupport.parkNanos(blocker, nanos);
                return;
            }
            carrier.registerTimedPark(me, deadline); // for a park that turns out pinned (see Carrier.timedParker)
            rt.timedWaiters.incrementAndGet();
            try {
                LockSupport.park(blocker);
            } finally {
                carrier.clearTimedPark(me);
                rt.timedWaiters.decrementAndGet();
                timer.cancel();
            }
            return;
        }
        LockSupport.parkNanos(blocker, nanos);
    }

    /**
     * Parks the current thread until unparked or interrupted (may return spuriously). Like
     * {@link #parkNanos}, returns at once with the interrupt status set in a task whose work was
     * cancelled (sticky cancellation, see the class comment).
     */
    public static void park(Object blocker) {
        TaskImpl<?> task = TaskImpl.currentOrNull();
        if (task != null && task.cancellationRequested()) {
            Thread.currentThread().interrupt();
            return;
        }
        LockSupport.park(blocker);
    }

    /**
     * How long a platform thread waiting for tasks ({@code Task.join}, a Weft executor's
     * {@code Future.get}, {@code Scope.join} of a platform-thread owner) spins before it blocks:
     * 50 µs on a multiprocessor, none on one CPU (spinning there only delays what it waits for).
     * A platform thread that blocks sleeps in the kernel until the task's thread wakes it: two
     * context switches, tens of microseconds on a virtual machine, more than a short task takes.
     * The JDK's {@code SynchronousQueue} and {@code Phaser} spin before blocking for the same
     * reason. Virtual threads never spin: parking one costs no more than a task switch. See
     * {@code docs/adr/0007-platform-waiters-spin.md}.
     */
    public static final long PLATFORM_SPIN_NANOS = Runtime.getRuntime().availableProcessors() > 1 ? 50_000L : 0L;

    /**
     * Spins until {@code done} returns true, for at most {@code maxNanos}, if the caller is a
     * platform thread; a virtual thread returns at once. Ends early, returning false, when the
     * caller is interrupted (its status is left set for the blocking wait that follows, which then
     * throws). {@code done} must be cheap and free of side effects (it is called in a loop).
     *
     * @return whether {@code done} returned true
     */
    public static boolean spinBeforeBlocking(BooleanSupplier done, long maxNanos) {
        Thread me = Thread.currentThread();
        if (maxNanos <= 0 || me.isVirtual()) {
            return done.getAsBoolean();
        }
        long deadline = System.nanoTime() + maxNanos;
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0 || me.isInterrupted()) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    /**
     * {@link #spinBeforeBlocking} for a wait limited to {@code nanos} ({@code Long.MAX_VALUE}: no
     * limit): spins for at most the smaller of {@code nanos} and {@link #PLATFORM_SPIN_NANOS}, and
     * returns what is left of {@code nanos} for the blocking wait that follows (unchanged without a
     * limit, or when the caller does not spin). The caller checks its condition again: the spin
     * may have ended because it holds.
     */
    public static long spinBeforeTimedWait(BooleanSupplier done, long nanos) {
        if (nanos <= 0 || PLATFORM_SPIN_NANOS == 0 || Thread.currentThread().isVirtual()) {
            return nanos;
        }
        long start = System.nanoTime();
        spinBeforeBlocking(done, Math.min(nanos, PLATFORM_SPIN_NANOS));
        return nanos == Long.MAX_VALUE ? nanos : nanos - (System.nanoTime() - start);
    }

    /** Wakes {@code thread} if it is parked, or makes its next park return at once. */
    public static void unpark(Thread thread) {
        LockSupport.unpark(thread);
    }
}
