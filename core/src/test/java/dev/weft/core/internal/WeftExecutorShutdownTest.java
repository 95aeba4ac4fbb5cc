package dev.weft.core.internal;

import dev.weft.core.SchedulerMode;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.RepeatedTest;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An executor whose runtime shuts down while a command's task is queued on a carrier, not yet
 * started: the runtime cancels the task as it starts, without calling its body. The command must
 * then be dropped (its future cancelled) and the executor must terminate, or {@code close()} and
 * {@code get()} hang. In package {@code internal} to see when shutdown has begun cancelling.
 */
class WeftExecutorShutdownTest {

    @RepeatedTest(20)
    void aCommandCancelledBeforeItStartsIsDroppedAndTheExecutorTerminates() throws Exception {
        WeftRuntime own = WeftRuntime.builder().name("exec-closing").carriers(1).build();
        RuntimeCore core = CoreBridge.core(own);
        ExecutorService ex = own.newExecutor();
        CountDownLatch spinning = new CountDownLatch(1);
        // Holds the only carrier (it never parks) until shutdown is cancelling what is left, so
        // the second command's task, queued on that carrier, can only start after that.
        Future<?> hog = ex.submit(() -> {
            spinning.countDown();
            while (!core.cancelNewStarts) {
                Thread.onSpinWait();
            }
        });
        assertTrue(spinning.await(10, TimeUnit.SECONDS), "the spinning command did not start");
        AtomicBoolean ran = new AtomicBoolean();
        Future<String> behind = ex.submit(() -> {
            ran.set(true);
            return "ran";
        });
        ex.shutdown();
        own.shutdown(Duration.ZERO);
        assertTrue(ex.awaitTermination(10, TimeUnit.SECONDS),
                "the executor did not terminate after its runtime shut down; behind.isDone()=" + behind.isDone());
        assertTrue(ex.isTerminated());
        assertTrue(hog.isDone());
        if (own.schedulerMode() == SchedulerMode.CARRIER) {
            assertThrows(CancellationException.class, () -> behind.get(10, TimeUnit.SECONDS),
                    "the never-started command's future must be cancelled");
            assertFalse(ran.get(), "a command cancelled before it started must never run");
        } else {
            // On the JDK's scheduler the second command may run at once on another thread: either
            // outcome is right, as long as its future is complete.
            assertTrue(behind.isDone(), "a never-started command's future must not hang");
            if (!ran.get()) {
                assertThrows(CancellationException.class, behind::get);
            }
        }
        ex.close(); // returns at once: terminated
    }
}
