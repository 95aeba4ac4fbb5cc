package dev.weft.timers;

import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * As ScheduledThreadPoolExecutor (a run checks the run state when it starts): a periodic task
 * whose time came before shutdown but whose run had not started does not run after shutdown
 * (default policy: periodic tasks stop at shutdown); its future is cancelled. The run had been
 * started after shutdown (and after shutdownNow, with an interrupt).
 */
@Timeout(60)
class PeriodicRunAfterShutdownTest {

    @Test
    void aPeriodicRunNotYetStartedAtShutdownDoesNotRun() throws Exception {
        runAcrossStop(false);
    }

    /** The same for shutdownNow: the run that had not started is not started with an interrupt, it is cancelled. */
    @Test
    void aRunNotYetStartedAtShutdownNowDoesNotRun() throws Exception {
        runAcrossStop(true);
    }

    private static void runAcrossStop(boolean now) throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("periodic-shutdown").carriers(1).build()) {
            for (int attempt = 0; attempt < 50; attempt++) {
                WheelScheduledExecutor p = Timers.newScheduledExecutor(rt);
                AtomicInteger runs = new AtomicInteger();
                AtomicInteger runsAtShutdown = new AtomicInteger(-1);
                CountDownLatch shutDown = new CountDownLatch(1);
                ScheduledFuture<?> f = p.scheduleAtFixedRate(runs::incrementAndGet, 20, 1000, TimeUnit.MILLISECONDS);
                // A timer at the same time, on the same carrier: it runs after the executor's
                // timer spawned the run and before the carrier gets to that run.
                long at = RuntimeAccess.nanoTime(rt) + f.getDelay(TimeUnit.NANOSECONDS);
                RuntimeAccess.schedule(rt, at, () -> {
                    if (p.queuedTaskCount() == 0) {   // fired: its run is spawned (or done)
                        runsAtShutdown.set(runs.get());
                        if (now) {
                            p.shutdownNow();
                        } else {
                            p.shutdown();
                        }
                    }
                    shutDown.countDown();
                });
                assertTrue(shutDown.await(10, TimeUnit.SECONDS), "the timer ran");
                if (runsAtShutdown.get() != 0) {
                    p.shutdownNow();
                    assertTrue(p.awaitTermination(10, TimeUnit.SECONDS));
                    continue;   // not the window: the run had started already, or the executor's timer came later
                }
                assertTrue(p.awaitTermination(10, TimeUnit.SECONDS), "terminated: " + p);
                assertEquals(0, runs.get(), "the periodic task ran after " + (now ? "shutdownNow" : "shutdown") + " (attempt " + attempt + ")");
                assertTrue(f.isCancelled(), "its future is cancelled");
                return;
            }
            fail("never shut down between the periodic task's timer and its run in 50 attempts");
        }
    }
}
