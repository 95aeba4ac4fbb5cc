package dev.weft.metrics;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded waits with clear failure messages, never blind sleeps. */
final class Await {
    private Await() {}

    static void until(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 15 s waiting for: " + what);
            }
            Thread.sleep(5);
        }
    }
}
