package dev.weft.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A shutdown called while another one runs waits for it and returns the same report, as the
 * javadoc says ("later calls return the first report"). Before, the second call ran a whole
 * shutdown of its own: with a zero timeout it cancelled the task the first one was waiting for
 * and returned its own report at once.
 */
class ConcurrentShutdownTest {

    @Test
    void aSecondShutdownWaitsForTheFirstAndReturnsItsReport() throws Exception {
        WeftRuntime rt = WeftRuntime.builder().name("two-shutdowns").carriers(1).build();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch running = new CountDownLatch(1);
        Task<String> work = rt.spawn("work", () -> {
            running.countDown();
            release.await(); // ends when the test lets it: a cancel would end it early
            return "done";
        });
        assertTrue(running.await(10, TimeUnit.SECONDS), "the task did not start");
        AtomicReference<ShutdownReport> first = new AtomicReference<>();
        AtomicReference<ShutdownReport> second = new AtomicReference<>();
        Thread a = Thread.ofPlatform().start(() -> first.set(rt.shutdown(Duration.ofSeconds(30))));
        awaitState(a, Thread.State.TIMED_WAITING, "the first shutdown waiting for the task");
        Thread b = Thread.ofPlatform().start(() -> second.set(rt.shutdown(Duration.ZERO)));
        awaitState(b, Thread.State.WAITING, "the second shutdown waiting for the first");
        assertFalse(work.isDone(), "the second shutdown ended the task the first one waits for");
        release.countDown();
        a.join(TimeUnit.SECONDS.toMillis(20));
        b.join(TimeUnit.SECONDS.toMillis(20));
        assertEquals("done", work.join(Duration.ofSeconds(1)), "the task ran to its end, not cancelled");
        assertSame(first.get(), second.get(), "both calls return the first report");
        assertTrue(first.get().cancelled().isEmpty(), "nothing was cancelled: " + first.get());
    }

    private static void awaitState(Thread t, Thread.State state, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (t.getState() != state) {
            if (!t.isAlive()) {
                fail(what + ": the thread had already returned");
            }
            if (System.nanoTime() - deadline > 0) {
                fail(what + ": still " + t.getState() + " after 10 s");
            }
            Thread.onSpinWait();
        }
    }
}
