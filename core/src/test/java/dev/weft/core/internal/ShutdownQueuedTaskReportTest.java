package dev.weft.core.internal;

import dev.weft.core.SchedulerMode;
import dev.weft.core.ShutdownReport;
import dev.weft.core.Task;
import dev.weft.core.TaskInfo;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.RepeatedTest;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A task spawned onto a carrier that has not started when shutdown cancels what is left never
 * runs its body: it ends cancelled, so the report must list it among the cancelled tasks (as it
 * lists blocking jobs that never got a pool thread) and its handle must complete. In package
 * {@code internal} to see when shutdown has begun cancelling.
 */
class ShutdownQueuedTaskReportTest {

    @RepeatedTest(20)
    void aTaskQueuedOnItsCarrierWhenShutdownCancelsIsReportedCancelled() throws Exception {
        WeftRuntime rt = WeftRuntime.builder().name("queued-at-shutdown").carriers(1).build();
        RuntimeCore core = CoreBridge.core(rt);
        CountDownLatch spinning = new CountDownLatch(1);
        // Holds the only carrier (it never parks) until shutdown is cancelling what is left, so
        // the task queued behind it on that carrier can only start after that.
        Task<Void> hog = rt.spawn("hog", () -> {
            spinning.countDown();
            while (!core.cancelNewStarts) {
                Thread.onSpinWait();
            }
            return null;
        });
        assertTrue(spinning.await(10, TimeUnit.SECONDS), "the hog did not start");
        AtomicBoolean ran = new AtomicBoolean();
        Task<String> queued = rt.spawn("queued", () -> {
            ran.set(true);
            return "ran";
        });
        ShutdownReport report = rt.shutdown(Duration.ZERO);
        try {
            hog.join(Duration.ofSeconds(10));
        } catch (CancellationException e) {
            // on the JDK's scheduler the hog is seen running, and cancelled
        } catch (TimeoutException e) {
            fail("the hog did not end");
        }
        try {
            queued.join(Duration.ofSeconds(10));
            assertFalse(rt.schedulerMode() == SchedulerMode.CARRIER,
                    "a task queued on its carrier ran after shutdown began cancelling");
        } catch (CancellationException expected) {
            // never started
        } catch (TimeoutException hung) {
            fail("the handle of a task queued when shutdown cancelled never completed");
        }
        if (queued.isCancelled()) {
            assertFalse(ran.get(), "a cancelled task's body must not run");
            long listed = report.cancelled().stream().map(TaskInfo::id).filter(id -> id == queued.id()).count();
            assertEquals(1, listed, "shutdown cancelled 'queued' (never started), but its report does not"
                    + " list it once: " + report);
            assertFalse(report.isClean(), "a shutdown that cancelled a task is not clean: " + report);
        }
        assertEquals(0, rt.liveTasks());
    }
}
