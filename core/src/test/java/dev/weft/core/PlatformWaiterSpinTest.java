package dev.weft.core;

import dev.weft.core.spi.Parking;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.weft.core.testsupport.BlocksUntilReleased.assertBlocksUntilReleased;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /** A task and an executor future, both waiting for {@code release} before they return {@code value}. */
    private record Held(Task<String> task, Future<String> future) {
        static Held on(ExecutorService ex, CountDownLatch release, String value) {
            Callable<String> body = () -> {
                release.await();
                return value;
            };
            return new Held(rt.spawn(body), ex.submit(body));
        }
    }

    interface HeldCheck {
        void run(Held held, CountDownLatch release) throws Exception;
    }

    /** Runs {@code check} on a {@link Held} pair; releases it afterwards, before the executor's close waits for it. */
    private static void withHeld(String value, HeldCheck check) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ExecutorService ex = Weft.newExecutor()) {
            try {
                check.run(Held.on(ex, release, value), release);
            } finally {
                release.countDown();
            }
        }
    }

    @Test
    void joinAndGetOfTasksThatOutlastTheSpinBlockAndGetTheValue() throws Exception {
        withHeld("done", (held, release) ->
                assertBlocksUntilReleased(release, () -> assertEquals("done", held.task().join())));
        withHeld("done", (held, release) ->
                assertBlocksUntilReleased(release, () -> assertEquals("done", held.future().get())));
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
        withHeld("late", (held, release) -> {
            Task<String> task = held.task();
            Future<String> f = held.future();
            assertThrows(TimeoutException.class, () -> task.join(Duration.ofNanos(10_000)));
            assertThrows(TimeoutException.class, () -> task.join(Duration.ZERO));
            assertThrows(TimeoutException.class, () -> f.get(10, TimeUnit.MICROSECONDS));
            assertThrows(TimeoutException.class, () -> f.get(0, TimeUnit.NANOSECONDS));
            release.countDown();
            assertEquals("late", task.join());
            assertEquals("late", f.get(10, TimeUnit.SECONDS));
        });
    }

    @Test
    void anInterruptedWaiterThrowsInsteadOfSpinning() throws Exception {
        withHeld("x", (held, release) -> {
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, held.task()::join);
            assertFalse(Thread.interrupted(), "the status is cleared with the exception");
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, held.future()::get);
            assertFalse(Thread.interrupted(), "the status is cleared with the exception");
        });
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
