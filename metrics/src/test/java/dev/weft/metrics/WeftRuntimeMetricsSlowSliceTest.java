package dev.weft.metrics;

import dev.weft.core.SchedulerMode;
import dev.weft.core.WeftRuntime;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Slow slices are counted and logged naming the task, once a minute per name; pinning is timed from JFR. */
@Timeout(60)
class WeftRuntimeMetricsSlowSliceTest {

    static void spin(long millis) {
        long end = System.nanoTime() + millis * 1_000_000;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    /** A task that spins past the threshold moves weft.carrier.slow.slices and gets one log line. */
    @Test
    void slowSliceCountedAndLoggedOnce() throws Exception {
        Logger jul = Logger.getLogger("dev.weft.metrics.WeftRuntimeMetrics");
        List<String> lines = new CopyOnWriteArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                lines.add(r.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        jul.addHandler(h);
        try (WeftRuntime rt = WeftRuntime.builder().name("slow").carriers(1).slowSliceThreshold(Duration.ofMillis(5)).build();
             WeftRuntimeMetrics m = WeftRuntimeMetrics.of(rt)) {
            assumeTrue(rt.schedulerMode() == SchedulerMode.CARRIER, "slices are timed by the carrier scheduler");
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            m.bindTo(reg);
            for (int i = 0; i < 3; i++) {
                rt.spawn("hog", () -> {
                    spin(30);
                    Thread.sleep(1);   // park: a slice that ends the task is reported after the task left the live set
                    return null;
                }).join();
            }
            Await.until("slow slices counted", () -> reg.get("weft.carrier.slow.slices").functionCounters().stream()
                    .mapToDouble(FunctionCounter::count).sum() >= 3);
            try {
                Await.until("a log line", () -> lines.stream().anyMatch(l -> l.contains("'hog'")));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; lines: " + lines, e);
            }
            // One carrier reports in order and one thread writes the lines in order: once a later
            // slow task's line is out, any second 'hog' line would be out too.
            rt.spawn("marker", () -> {
                spin(30);
                Thread.sleep(1);
                return null;
            }).join();
            try {
                Await.until("the marker's line", () -> lines.stream().anyMatch(l -> l.contains("'marker'")));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; lines: " + lines, e);
            }
            assertEquals(1, lines.stream().filter(l -> l.contains("'hog'")).count(), "once a minute per task name: " + lines);
            assertTrue(reg.get("weft.carrier.slice.max").timeGauge().value(java.util.concurrent.TimeUnit.MILLISECONDS) >= 25);
        } finally {
            jul.removeHandler(h);
        }
    }

    /** Pinned parks of the runtime's tasks show up as weft.threads.virtual.pinned (a park in a class initializer pins). */
    @Test
    void pinningFromJfr() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("pin").carriers(1).build();
             WeftRuntimeMetrics m = WeftRuntimeMetrics.builder(rt).pinning(true).pinnedThreshold(Duration.ZERO).build()) {
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            m.bindTo(reg);   // returns once the JFR recording has started (RecordingStream.startAsync)
            rt.run(() -> Pinner.VALUE);
            Await.until("a pinned event", () -> reg.find("weft.threads.virtual.pinned").timers().stream()
                    .mapToLong(t -> t.count()).sum() >= 1);
            var timer = reg.find("weft.threads.virtual.pinned").timer();
            assertTrue(timer.getId().getTag("reason") != null, "reason tag");
            assertEquals("pin", timer.getId().getTag("runtime"));
        }
    }

    /** Parks in its initializer: a virtual thread cannot unmount there, so it parks pinned. */
    static final class Pinner {
        static final int VALUE;

        static {
            LockSupport.parkNanos(50_000_000L);
            VALUE = 1;
        }
    }
}
