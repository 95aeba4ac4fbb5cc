package dev.weft.core;

import dev.weft.core.spi.Parking;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static dev.weft.core.TestSupport.awaitParked;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A platform thread waiting for a task ({@link Task#join()}, a Weft executor's
 * {@link Future#get()}) spins briefly before it blocks ({@link Parking#PLATFORM_SPIN_NANOS}), so
 * a short task costs it no sleep in the kernel. What the waits promise must not change: a task
 * that outlasts the spin is waited for with the caller blocked, not spinning; timeouts still
 * time out; an interrupted caller still throws.
 */
class PlatformWaiterSpinTest {
    @AutoClose
    static final WeftRuntime rt = WeftRuntime.builder().name("platform-waiters").carriers(2).build();

    /**
     * Runs {@code waitFor} on the test's platform thread while a task holds {@code release}; a
     * helper releases it only once the test's thread has blocked. Fails if it never blocks.
     */
    private static void assertBlocksUntilReleased(CountDownLatch release, ThrowingRunnable waitFor) throws Exception {
        assertFalse(Thread.currentThread().isVirtual(), "the waiter must be a platform thread");
        Thread waiter = Thread.currentThread();
        AtomicReference<Throwable> neverBlocked = new AtomicReference<>();
        Thread releaser = Thread.ofPlatform().start(() -> {
            try {
                awaitParked(waiter);
            } catch (Throwable t) {
                neverBlocked.set(t);
            } finally {
                release.countDown();
            }
        });
        try {
            waitFor.run();
        } finally {
            release.countDown();
            releaser.join();
        }
        assertNull(neverBlocked.get(), "the waiter kept spinning instead of blocking");
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void joinOfATaskThatOutlastsTheSpinBlocksAndGetsTheValue() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Task<String> task = rt.spawn(() -> {
            release.await();
            return "done";
        });
        assertBlocksUntilReleased(release, () -> assertEquals("done", task.join()));
    }

    @Test
    void getOfAFutureThatOutlastsTheSpinBlocksAndGetsTheValue() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ExecutorService ex = Weft.newExecutor()) {
            Future<String> f = ex.submit(() -> {
                release.await();
                return "done";
            });
            assertBlocksUntilReleased(release, () -> assertEquals("done", f.get()));
        }
    }

    @Test
    void manyShortTasksJoinedFromAPlatformThread() throws Exception {
        long sum = 0;
        try (ExecutorService ex = Weft.newExecutor()) {
            for (int i = 0; i < 20_000; i++) {
                final int v = i;
                sum += rt.spawn(() -> v).join() + ex.submit(() -> v).get() + rt.run(() -> v);
            }
        }
        assertEquals(3L * 20_000 * 19_999 / 2, sum);
    }

    @Test
    void timedWaitsShorterThanTheSpinStillTimeOut() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ExecutorService ex = Weft.newExecutor()) {
            try {
                Task<String> task = rt.spawn(() -> {
                    release.await();
                    return "late";
                });
                Future<String> f = ex.submit(() -> {
                    release.await();
                    return "late";
                });
                assertThrows(TimeoutException.class, () -> task.join(Duration.ofNanos(10_000)));
                assertThrows(TimeoutException.class, () -> task.join(Duration.ZERO));
                assertThrows(TimeoutException.class, () -> f.get(10, TimeUnit.MICROSECONDS));
                assertThrows(TimeoutException.class, () -> f.get(0, TimeUnit.NANOSECONDS));
                release.countDown();
                assertEquals("late", task.join());
                assertEquals("late", f.get(10, TimeUnit.SECONDS));
            } finally {
                release.countDown();   // before close, which waits for the executor's tasks
            }
        }
    }

    @Test
    void anInterruptedWaiterThrowsInsteadOfSpinning() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ExecutorService ex = Weft.newExecutor()) {
            try {
                Task<String> task = rt.spawn(() -> {
                    release.await();
                    return "x";
                });
                Future<String> f = ex.submit(() -> {
                    release.await();
                    return "x";
                });
                Thread.currentThread().interrupt();
                assertThrows(InterruptedException.class, task::join);
                assertFalse(Thread.interrupted(), "the status is cleared with the exception");
                Thread.currentThread().interrupt();
                assertThrows(InterruptedException.class, f::get);
                assertFalse(Thread.interrupted(), "the status is cleared with the exception");
            } finally {
                release.countDown();   // before close, which waits for the executor's tasks
            }
        }
    }

    @Test
    void spinBeforeBlockingNeverSpinsOnAVirtualThreadOrWhenInterrupted() throws Exception {
        AtomicBoolean done = new AtomicBoolean();
        // A virtual thread gets the condition's value at once, whatever the budget.
        Thread vt = Thread.ofVirtual().start(() ->
                assertFalse(Parking.spinBeforeBlocking(done::get, TimeUnit.SECONDS.toNanos(60))));
        assertTrue(vt.join(Duration.ofSeconds(10)), "a virtual thread spun");
        // An interrupted platform thread returns at once, its status kept for the wait that follows.
        Thread.currentThread().interrupt();
        try {
            assertFalse(Parking.spinBeforeBlocking(done::get, TimeUnit.SECONDS.toNanos(60)));
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            Thread.interrupted();
        }
        // A platform thread sees the condition turn true.
        Thread setter = Thread.ofPlatform().start(() -> done.set(true));
        assertTrue(Parking.spinBeforeBlocking(done::get, TimeUnit.SECONDS.toNanos(60)));
        setter.join();
    }
}
