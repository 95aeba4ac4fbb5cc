package dev.weft.core.testsupport;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/** A bounded wait for a condition that another thread makes true, for tests of any module. */
public final class Eventually {
    private Eventually() {}

    /**
     * Polls {@code condition} every millisecond until it holds, failing with {@code what} after
     * {@code limit}. Parks the calling thread between polls (not a Weft wait, so a test clock does
     * not count it as waiting for time).
     */
    public static void eventually(Duration limit, String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + limit + ": " + what);
            }
            LockSupport.parkNanos(1_000_000);
        }
    }
}
