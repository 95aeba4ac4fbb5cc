package dev.weft.net.internal;

import dev.weft.core.spi.Parking;

/**
 * Timed parks of the net module, through {@link Parking#parkNanos}: inside a task on a carrier the
 * carrier's timer wheel wakes it (a local enqueue); elsewhere the JDK's timed park does.
 */
final class Waits {
    private Waits() {}

    static void parkNanos(Object blocker, long nanos) {
        Parking.parkNanos(blocker, nanos);
    }
}
