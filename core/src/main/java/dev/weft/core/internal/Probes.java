package dev.weft.core.internal;

import dev.weft.core.spi.SchedulingProbe;

import java.util.concurrent.ThreadLocalRandom;

/**
 * How carriers call a {@link SchedulingProbe}: the sampling decisions, and a probe that throws
 * never reaching the carrier's loop. Kept out of {@link Carrier} so its hot paths gain one line each.
 */
final class Probes {
    private Probes() {}

    /** A continuation submitted with its submission time, so the carrier can report the wait. */
    static final class Stamped implements Runnable {
        final Runnable continuation;
        final long stampNanos;

        Stamped(Runnable continuation, long stampNanos) {
            this.continuation = continuation;
            this.stampNanos = stampNanos;
        }

        @Override
        public void run() {
            continuation.run(); // only reached off the carrier (after it stopped): no report
        }
    }

    /** {@code continuation}, stamped with the time now for about one call in the probe's period. */
    static Runnable maybeStamp(SchedulingProbe p, Runnable continuation) {
        int mask = p.sampleMask();
        if (mask != 0 && (ThreadLocalRandom.current().nextInt() & mask) != 0) {
            return continuation;
        }
        if ((continuation instanceof TaskImpl<?> t && !t.isOwnContinuation()) || continuation instanceof Stamped) {
            return continuation; // a queued task start is no continuation: the carrier tells them apart by type
        }
        return new Stamped(continuation, System.nanoTime());
    }

    static void wakeDelay(SchedulingProbe p, int carrier, long nanos) {
        try {
            p.onWakeDelay(carrier, Math.max(0, nanos));
        } catch (RuntimeException ignored) {
            // a failing probe loses this sample, never the carrier
        }
    }

    /** Reports slice number {@code count} (the carrier's slice counter) if it is sampled. */
    static void slice(SchedulingProbe p, int carrier, long count, long nanos) {
        if ((count & p.sampleMask()) != 0) {
            return;
        }
        try {
            p.onSlice(carrier, nanos);
        } catch (RuntimeException ignored) {
            // a failing probe loses this sample, never the carrier
        }
    }

    /** Reports timer firing number {@code count} of a carrier if it is sampled. */
    static void timer(SchedulingProbe p, int carrier, long count, long latenessNanos) {
        if ((count & p.sampleMask()) != 0) {
            return;
        }
        try {
            p.onTimerFired(carrier, latenessNanos);
        } catch (RuntimeException ignored) {
            // a failing probe loses this sample, never the carrier
        }
    }
}
