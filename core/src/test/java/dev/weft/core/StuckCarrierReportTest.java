package dev.weft.core;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A carrier that does not stop at close is reported with what keeps it: the task it runs, by
 * name, and where that task and the carrier thread are.
 */
class StuckCarrierReportTest {

    private static volatile boolean released;

    @Test
    void aCarrierHeldByATaskIsReportedWithTheTaskAndItsStack() throws Exception {
        List<String> warnings = new CopyOnWriteArrayList<>();
        Logger jul = Logger.getLogger("dev.weft.core");
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (r.getMessage().contains("did not stop")) {
                    warnings.add(r.getMessage());
                    released = true; // lets the carrier go, so close can finish
                }
            }

            @Override
            public void flush() { }

            @Override
            public void close() { }
        };
        jul.addHandler(h);
        released = false;
        try {
            CountDownLatch spinning = new CountDownLatch(1);
            try (WeftRuntime rt = WeftRuntime.builder().name("stuck").carriers(1)
                    .closeTimeout(Duration.ofMillis(100)).build()) {
                assumeTrue(rt.schedulerMode() == SchedulerMode.CARRIER, "only carrier mode runs tasks on carriers");
                rt.spawn("hog", () -> {
                    spinning.countDown();
                    spinIgnoringCancellation();
                    return null;
                });
                assertTrue(spinning.await(10, TimeUnit.SECONDS), "the hog did not start");
            } // close waits 5 s for the carrier, then warns
            assertEquals(1, warnings.size(), "warnings: " + warnings);
            String w = warnings.get(0);
            assertTrue(w.startsWith("carrier stuck-carrier-0 did not stop"), w);
            assertTrue(w.contains("running task 'hog'"), w);
            assertTrue(w.contains("spinIgnoringCancellation"), "the task's own frames are shown: " + w);
            assertTrue(w.contains("on carrier thread:") && w.contains("Carrier.runContinuations"),
                    "the carrier thread's frames are shown: " + w);
        } finally {
            released = true;
            jul.removeHandler(h);
        }
    }

    private static void spinIgnoringCancellation() {
        while (!released) {
            Thread.onSpinWait();
        }
    }
}
