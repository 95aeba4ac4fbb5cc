package dev.weft.core.testsupport;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static dev.weft.core.testsupport.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Checks that a platform thread's wait ends up blocked (not spinning) while what it waits for is
 * held back, for tests of the spin before blocking ({@code Parking.spinBeforeBlocking}) in any
 * module.
 */
public final class BlocksUntilReleased {
    private BlocksUntilReleased() {}

    /** A wait that may throw. */
    public interface Wait {
        void run() throws Exception;
    }

    /**
     * Runs {@code wait} on the calling platform thread while {@code release} holds back what it
     * waits for; a helper thread counts {@code release} down only once the caller is parked or
     * blocked, or after 10 s. Fails if the caller never blocked.
     */
    public static void assertBlocksUntilReleased(CountDownLatch release, Wait wait) throws Exception {
        Thread waiter = Thread.currentThread();
        assertFalse(waiter.isVirtual(), "the waiter must be a platform thread");
        AtomicReference<Throwable> neverBlocked = new AtomicReference<>();
        Thread releaser = Thread.ofPlatform().start(() -> {
            try {
                eventually(Duration.ofSeconds(10), "thread " + waiter + " to block", () -> {
                    Thread.State s = waiter.getState();
                    return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
                });
            } catch (Throwable t) {
                neverBlocked.set(t);
            } finally {
                release.countDown();
            }
        });
        try {
            wait.run();
        } finally {
            release.countDown();
            releaser.join();
        }
        assertNull(neverBlocked.get(), "the waiter kept spinning instead of blocking");
    }
}
