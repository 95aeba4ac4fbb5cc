package dev.weft.timers;

import dev.weft.core.spi.Parking;
import dev.weft.timers.internal.Clocks;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;

/**
 * Sleeping, timeouts and intervals on the runtime's clock (Tokio's {@code tokio::time}).
 *
 * <p>Inside a Weft task every wait here is a timer on the task's carrier wheel (O(1) to arm and
 * cancel, millisecond resolution, never early): the virtual thread parks and the carrier that
 * drives it wakes it; no timer thread is involved. Inside a runtime built on a {@link TestClock}
 * the waits are in virtual time. Outside any runtime the methods still work, on the system clock
 * (sleeps park with {@link java.util.concurrent.locks.LockSupport#parkNanos}). A task that outlives
 * its runtime (it ignored the cancellation of a shutdown) still sleeps for the right time: with its
 * carrier's wheel gone, its waits fall back to that timed park. Only timers scheduled explicitly on
 * a closed runtime (a {@link WheelScheduledExecutor}, {@link Timers}) are rejected with
 * {@link java.util.concurrent.RejectedExecutionException}: a sleep has no one else to report to.
 *
 * <p><b>Deadlines.</b> The waits here do not check the current {@link Deadline} themselves: the
 * enclosing {@link Deadline#within}/{@link #timeout} scope interrupts the thread when its
 * deadline passes, so a {@code sleep} past the deadline ends at the deadline with
 * {@link InterruptedException}, which that scope turns into {@link TimeoutException}.
 *
 * <p>Example (compiled and run in the tests as {@code dev.weft.timers.snippets.TypeExamples}):
 * {@snippet :
 * try (WeftRuntime rt = WeftRuntime.builder().build()) {
 *     String r = rt.run(() -> {
 *         Time.sleep(Duration.ofMillis(10));                  // the task parks; its carrier runs others
 *         return Time.timeout(Duration.ofSeconds(1), () -> "in time");
 *     });
 * }
 * }
 *
 * <p>Thread-safe (static, stateless).
 */
public final class Time {
    private static final Object SLEEP_BLOCKER = new Object() {
        @Override
        public String toString() {
            return "Time.sleep";
        }
    };

    private Time() {}

    /**
     * The current time of the caller's runtime clock in nanoseconds from an arbitrary origin
     * ({@link System#nanoTime()} outside a runtime); the scale {@link Interval#tick()} returns.
     */
    public static long nanoTime() {
        return Parking.nanoTime();
    }

    /**
     * Sleeps for {@code duration} of runtime time: returns no earlier than {@code duration} after
     * the call (later by up to the wheel's millisecond resolution plus scheduling delay).
     * A zero or negative duration does not sleep, as {@link Thread#sleep(Duration)}.
     * Spurious wake-ups are absorbed.
     *
     * @throws InterruptedException if the thread is interrupted on entry or while sleeping (the
     *                              interrupt status is cleared; nothing else was changed)
     * @throws NullPointerException if {@code duration} is null
     */
    public static void sleep(Duration duration) throws InterruptedException {
        Objects.requireNonNull(duration, "duration");
        checkInterrupt();
        long nanos = Clocks.saturatedNanos(duration);
        if (nanos <= 0) {
            return;
        }
        // This body is here, not in a helper that sleep calls: a parked sleeper's stack is one
        // frame smaller (the frames of a million parked sleepers are most of their memory).
        long deadline = Clocks.plus(Parking.nanoTime(), nanos);
        // Why the empty first call: C2 compiles parkUntil's loop while the sleepers are parked
        // inside it. If its exit had never been taken, the compiled code would end the loop in an
        // uncommon trap, and every task parked in that code would be deoptimized as it wakes
        // (about 7 us each: 7 s of W2's 1M sleepers). Taking the exit once per call, at no
        // cost, keeps the exit compiled.
        parkUntil(deadline, 0);
        parkUntil(deadline, nanos);
    }

    /**
     * Sleeps until {@code instant} of the wall clock ({@link Instant#now()} read once on entry, the
     * rest of the wait being on the runtime clock); an instant in the past does not sleep.
     *
     * @throws InterruptedException if interrupted on entry or while sleeping
     * @throws NullPointerException if {@code instant} is null
     */
    public static void sleepUntil(Instant instant) throws InterruptedException {
        Objects.requireNonNull(instant, "instant");
        long nanos;
        try {
            nanos = Duration.between(Instant.now(), instant).toNanos();
        } catch (ArithmeticException far) {
            nanos = instant.isBefore(Instant.now()) ? 0 : Long.MAX_VALUE;
        }
        sleep(Duration.ofNanos(nanos));
    }

    /**
     * Sleeps until {@code deadline} has passed; a deadline in the past does not sleep.
     *
     * @throws InterruptedException if interrupted on entry or while sleeping
     * @throws NullPointerException if {@code deadline} is null
     */
    public static void sleepUntil(Deadline deadline) throws InterruptedException {
        Objects.requireNonNull(deadline, "deadline");
        checkInterrupt();
        parkWhileRemaining(deadline, 0); // see sleep(Duration)
        parkWhileRemaining(deadline, deadline.remainingNanos());
    }

    private static void parkWhileRemaining(Deadline deadline, long left) throws InterruptedException {
        while (left > 0) {
            Parking.parkNanos(SLEEP_BLOCKER, left);
            checkInterrupt();
            left = deadline.remainingNanos();
        }
    }

    /** Parks until the runtime clock reaches {@code deadline}; {@code left} is the time to it now. */
    private static void parkUntil(long deadline, long left) throws InterruptedException {
        while (left > 0) {
            Parking.parkNanos(SLEEP_BLOCKER, left);
            checkInterrupt();
            left = deadline - Parking.nanoTime();
        }
    }

    private static void checkInterrupt() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("sleep interrupted");
        }
    }

    /**
     * Runs {@code body} in the current thread with a time limit and returns its result (Tokio's
     * {@code timeout}). Equivalent to {@code Deadline.within(Deadline.after(limit), body)}: the
     * effective limit is the earlier of {@code limit} and the current {@link Deadline}.
     *
     * <p>When the time is up the thread is interrupted, which cancels whatever the body waits in
     * (a sleep, a channel, a join, I/O), and this method throws {@link TimeoutException} (the
     * body's exception, typically the {@link InterruptedException}, as its cause). A body that
     * ignores interrupts runs to its end first. As in Tokio, the timer fires on the caller's
     * carrier: a body that computes without ever parking or calling
     * {@link dev.weft.core.Weft#yieldNow()} holds that carrier and is only told when it ends. The timer is removed when the body ends in time;
     * a timer that fires after that leaves no interrupt behind. A zero or negative limit, or a
     * current deadline already passed, throws at once without running the body.
     *
     * <p>The body's own exceptions, when it ends in time, pass through untouched.
     *
     * @throws TimeoutException     if the time was up before the body ended
     * @throws NullPointerException if an argument is null
     * @throws Exception            what {@code body} threw
     */
    public static <T> T timeout(Duration limit, Callable<T> body) throws Exception {
        Objects.requireNonNull(limit, "limit");
        Objects.requireNonNull(body, "body");
        return Deadline.within(Deadline.after(limit), body);
    }

    /**
     * An interval whose first tick completes at once and whose next ticks come every
     * {@code period}, catching up after missed ticks with {@link MissedTickBehavior#BURST} (change
     * it with {@link Interval#missedTickBehavior(MissedTickBehavior)}).
     *
     * @throws IllegalArgumentException if {@code period} is zero or negative (the message has the value)
     * @throws NullPointerException     if {@code period} is null
     */
    public static Interval interval(Duration period) {
        return new Interval(Parking.nanoTime(), checkPeriod(period));
    }

    /**
     * An interval whose first tick completes at {@code start}, then every {@code period}
     * (Tokio's {@code interval_at}).
     *
     * @throws IllegalArgumentException if {@code period} is zero or negative
     * @throws NullPointerException     if an argument is null
     */
    public static Interval intervalAt(Deadline start, Duration period) {
        Objects.requireNonNull(start, "start");
        long p = checkPeriod(period);
        return new Interval(Clocks.plus(Parking.nanoTime(), start.remainingNanos()), p);
    }

    static long checkPeriod(Duration period) {
        Objects.requireNonNull(period, "period");
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("period must be > 0, was " + period);
        }
        return Clocks.saturatedNanos(period);
    }
}
