package dev.weft.timers;

import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.core.spi.RuntimeStats;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Helpers for tests: bounded waits with clear messages, never blind sleeps. */
final class TimersTestSupport {
    private TimersTestSupport() {}

    /** Waits (at most 10 s of real time) until {@code condition} holds. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after 10 s waiting for: " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** Waits until {@code t} is parked (WAITING or TIMED_WAITING). */
    static void awaitParked(Thread t) {
        await("thread " + t + " to park", () -> {
            Thread.State s = t.getState();
            return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
        });
    }

    /** Timers armed and not fired or cancelled, over all carriers of {@code rt}. */
    static int pendingTimers(WeftRuntime rt) {
        int n = 0;
        for (RuntimeStats.Carrier c : RuntimeAccess.stats(rt).carriers()) {
            n += c.timersPending();
        }
        return n;
    }

    static long millis(long nanos) {
        return nanos / 1_000_000;
    }
}
