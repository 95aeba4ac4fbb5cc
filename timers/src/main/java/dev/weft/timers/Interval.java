package dev.weft.timers;

import dev.weft.core.spi.Parking;
import dev.weft.timers.internal.Clocks;

import java.time.Duration;
import java.util.Objects;

/**
 * Ticks at a fixed period (Tokio's {@code Interval}); made by {@link Time#interval(Duration)}.
 *
 * <pre>{@code
 * Interval every = Time.interval(Duration.ofSeconds(1));
 * while (running) {
 *     every.tick();          // the first tick completes at once
 *     publishStats();
 * }
 * }</pre>
 *
 * <p><b>Implementation overview.</b> As Tokio's: the interval keeps the deadline of its next
 * tick. {@link #tick()} sleeps until it (one wheel timer per wait), then computes the following
 * deadline: {@code deadline + period} when the caller was on time (late by at most 5 ms, Tokio's
 * tolerance for scheduling jitter), otherwise as {@link MissedTickBehavior} says.
 *
 * <p>Not thread-safe: one task ticks an interval.
 */
public final class Interval {
    /** A tick late by at most this much counts as on time (Tokio's value). */
    private static final long TOLERANCE_NANOS = 5_000_000L;
    private static final Object BLOCKER = new Object() {
        @Override
        public String toString() {
            return "Interval.tick";
        }
    };

    private final long period;
    private long next;
    private MissedTickBehavior behavior = MissedTickBehavior.BURST;

    Interval(long firstTick, long period) {
        this.next = firstTick;
        this.period = period;
    }

    /**
     * Waits until the next tick is due and returns the time it was scheduled for, on the scale of
     * {@link Time#nanoTime()}.
     *
     * <p>Cancel safety: if interrupted while waiting, the tick is not consumed: the next call
     * waits for the same tick.
     *
     * @throws InterruptedException if interrupted on entry or while waiting
     */
    public long tick() throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("tick interrupted");
        }
        long now;
        long late; // saturated: next may be saturated at either end (a start or period far away)
        while ((late = Clocks.minus(now = Parking.nanoTime(), next)) < 0) {
            Parking.parkNanos(BLOCKER, Clocks.minus(next, now));
            if (Thread.interrupted()) {
                throw new InterruptedException("tick interrupted");
            }
        }
        long tick = next;
        if (late > TOLERANCE_NANOS) {
            next = switch (behavior) {
                case BURST -> Clocks.plus(tick, period);
                case DELAY -> Clocks.plus(now, period);
                case SKIP -> Clocks.plus(now, period - Math.floorMod(late, period));
            };
        } else {
            next = Clocks.plus(tick, period);
        }
        return tick;
    }

    /** Makes the next tick due one period from now (Tokio's {@code reset}). */
    public void reset() {
        next = Clocks.plus(Parking.nanoTime(), period);
    }

    /** The period. */
    public Duration period() {
        return Duration.ofNanos(period);
    }

    /** The behaviour after missed ticks. */
    public MissedTickBehavior missedTickBehavior() {
        return behavior;
    }

    /** Sets the behaviour after missed ticks; returns this interval. */
    public Interval missedTickBehavior(MissedTickBehavior behavior) {
        this.behavior = Objects.requireNonNull(behavior, "behavior");
        return this;
    }
}
