package dev.weft.core;

import org.junit.jupiter.api.RepeatedTest;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A CPU-bound task that never parks but checks its interrupt status holds its carrier, yet it
 * answers cancellation: shutdown must cancel it (and report it), not leave it running and report
 * a clean stop because its carrier could not answer the question of which tasks it runs.
 */
class BusyTaskShutdownTest {

    /** Lets the busy task go if shutdown never interrupts it, so a failing run leaves nothing behind. */
    private static volatile boolean released;

    @RepeatedTest(5)
    void aBusyTaskThatChecksItsInterruptIsCancelledAndReported() throws Exception {
        released = false;
        WeftRuntime rt = WeftRuntime.builder().name("busy-at-shutdown").carriers(1).build();
        try {
            CountDownLatch sleeping = new CountDownLatch(1);
            // Parked on the same carrier: seen only once the busy task has let the carrier go.
            Task<Void> sleeper = rt.spawn("sleeper", () -> {
                sleeping.countDown();
                Thread.sleep(Long.MAX_VALUE);
                return null;
            });
            assertTrue(sleeping.await(10, TimeUnit.SECONDS), "the sleeper did not start");
            CountDownLatch crunching = new CountDownLatch(1);
            Task<Void> busy = rt.spawn("cruncher", () -> {
                crunching.countDown();
                while (!Thread.currentThread().isInterrupted() && !released) {
                    Thread.onSpinWait(); // CPU-bound work that polls for cancellation
                }
                return null;
            });
            assertTrue(crunching.await(10, TimeUnit.SECONDS), "the busy task did not start");
            ShutdownReport report = rt.shutdown(Duration.ofMillis(50));
            assertTrue(busy.isCancelled(), "shutdown did not cancel a busy task still running at the deadline: " + report);
            assertTrue(sleeper.isCancelled(), "shutdown did not cancel a task parked on the busy task's carrier: " + report);
            assertEquals(java.util.Set.of("cruncher", "sleeper"),
                    java.util.Set.copyOf(report.cancelled().stream().map(TaskInfo::name).toList()),
                    "both tasks are reported as cancelled, once each: " + report);
            assertEquals(2, report.cancelled().size(), report.toString());
            assertTrue(report.stuck().isEmpty(), "it ended on cancellation: not stuck: " + report);
            assertFalse(report.isClean(), report.toString());
            try {
                busy.join(Duration.ofSeconds(10));
                fail("a cancelled task's join must throw CancellationException");
            } catch (CancellationException expected) {
                // cancelled by shutdown
            } catch (TimeoutException e) {
                fail("the busy task did not end");
            }
        } finally {
            released = true;
        }
    }
}
