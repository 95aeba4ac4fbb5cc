package dev.weft.core;

import java.time.Duration;

/** Helpers for tests: bounded waits with clear failure messages, never blind sleeps. */
final class TestSupport {
    private TestSupport() {}

    /** Waits (at most 10 s) until {@code t} is parked or blocked in a wait. */
    static void awaitParked(Thread t) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            Thread.State s = t.getState();
            if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("thread " + t + " did not park within 10 s; state " + s);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** Waits (at most 10 s) until {@code condition} holds. */
    static void await(String what, java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 10 s waiting for: " + what);
            }
            Thread.yield();
        }
    }
}
