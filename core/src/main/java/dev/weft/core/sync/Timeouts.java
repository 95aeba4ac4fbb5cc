package dev.weft.core.sync;

import dev.weft.core.spi.Parking;
import java.time.Duration;
import java.util.Objects;

/** Deadline arithmetic shared by the timed operations. */
final class Timeouts {
    private Timeouts() {}

    /** Nanoseconds of {@code timeout}, saturated to [0, Long.MAX_VALUE / 4]. */
    static long nanos(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            return 0;
        }
        long n;
        try {
            n = timeout.toNanos();
        } catch (ArithmeticException e) {
            n = Long.MAX_VALUE;
        }
        return Math.min(n, Long.MAX_VALUE / 4);
    }

    /** The deadline {@code timeout} from now on the runtime clock. */
    static long deadline(Duration timeout) {
        return Parking.nanoTime() + nanos(timeout);
    }

    static void checkInterrupt() throws InterruptedException {
        // isInterrupted() first: a plain read on the hot path; interrupted() clears, and for a
        // virtual thread clearing takes its interrupt lock.
        if (Thread.currentThread().isInterrupted() && Thread.interrupted()) {
            throw new InterruptedException();
        }
    }
}
