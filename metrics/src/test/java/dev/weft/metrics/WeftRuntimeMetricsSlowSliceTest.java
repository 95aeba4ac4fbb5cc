package dev.weft.metrics;

import dev.weft.core.SchedulerMode;
import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Field;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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

    /** What WeftRuntimeMetrics logs while this is open. */
    static final class LogLines extends Handler implements AutoCloseable {
        private static final Logger JUL = Logger.getLogger("dev.weft.metrics.WeftRuntimeMetrics");
        final List<String> lines = new CopyOnWriteArrayList<>();

        LogLines() {
            JUL.addHandler(this);
        }

        @Override
        public void publish(LogRecord r) {
            lines.add(r.getMessage());
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            JUL.removeHandler(this);
        }
    }

    /** A task that spins past the threshold moves weft.carrier.slow.slices and gets one log line. */
    @Test
    void slowSliceCountedAndLoggedOnce() throws Exception {
        try (LogLines log = new LogLines();
             WeftRuntime rt = WeftRuntime.builder().name("slow").carriers(1).slowSliceThreshold(Duration.ofMillis(5)).build();
             WeftRuntimeMetrics m = WeftRuntimeMetrics.of(rt)) {
            assumeTrue(rt.schedulerMode() == SchedulerMode.CARRIER, "slices are timed by the carrier scheduler");
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            m.bindTo(reg);
            for (int i = 0; i < 3; i++) {
                hog(rt, "hog");
            }
            Await.until("slow slices counted", () -> reg.get("weft.carrier.slow.slices").functionCounters().stream()
                    .mapToDouble(FunctionCounter::count).sum() >= 3);
            try {
                Await.until("a log line", () -> log.lines.stream().anyMatch(l -> l.contains("'hog'")));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; lines: " + log.lines, e);
            }
            // One carrier reports in order and one thread writes the lines in order: once a later
            // slow task's line is out, any second 'hog' line would be out too.
            hog(rt, "marker");
            try {
                Await.until("the marker's line", () -> log.lines.stream().anyMatch(l -> l.contains("'marker'")));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; lines: " + log.lines, e);
            }
            assertEquals(1, log.lines.stream().filter(l -> l.contains("'hog'")).count(), "once a minute per task name: " + log.lines);
            assertTrue(reg.get("weft.carrier.slice.max").timeGauge().value(java.util.concurrent.TimeUnit.MILLISECONDS) >= 25);
        }
    }

    /**
     * Runs a task named {@code name} that spins past a 5 ms threshold, then parks: a slice that
     * ends the task is reported after the task left the live set, so not by name.
     */
    static void hog(WeftRuntime rt, String name) throws Exception {
        rt.spawn(name, () -> {
            spin(30);
            Thread.sleep(1);
            return null;
        }).join();
    }

    /**
     * The slow-slice log is added beside the runtime's other slow-slice listeners: one installed
     * before the binder keeps hearing of slow slices while it is bound and after it closed.
     */
    @Test
    void slowSliceLogLeavesOtherListenersInPlace() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("slow-others").carriers(1).slowSliceThreshold(Duration.ofMillis(5)).build()) {
            assumeTrue(rt.schedulerMode() == SchedulerMode.CARRIER, "slices are timed by the carrier scheduler");
            List<String> heard = new CopyOnWriteArrayList<>();
            RuntimeAccess.onSlowSlice(rt, (carrier, nanos, name) -> heard.add(name));
            WeftRuntimeMetrics m = WeftRuntimeMetrics.of(rt);
            m.bindTo(new SimpleMeterRegistry());
            hog(rt, "while-bound");
            try {
                Await.until("the other listener hears of a slow slice while the log is bound",
                        () -> heard.contains("while-bound"));
                m.close();
                hog(rt, "after-close");
                Await.until("the other listener hears of a slow slice after the binder closed",
                        () -> heard.contains("after-close"));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "; heard " + heard, e);
            } finally {
                m.close();
            }
        }
    }

    /** A listener set after the binder bound, and removed again, leaves the slow-slice log in place. */
    @Test
    void otherListenerComingAndGoingLeavesTheLogInPlace() throws Exception {
        try (LogLines log = new LogLines();
             WeftRuntime rt = WeftRuntime.builder().name("slow-coming").carriers(1).slowSliceThreshold(Duration.ofMillis(5)).build();
             WeftRuntimeMetrics m = WeftRuntimeMetrics.of(rt)) {
            assumeTrue(rt.schedulerMode() == SchedulerMode.CARRIER, "slices are timed by the carrier scheduler");
            m.bindTo(new SimpleMeterRegistry());
            List<String> heard = new CopyOnWriteArrayList<>();
            RuntimeAccess.onSlowSlice(rt, (carrier, nanos, name) -> heard.add(name));
            hog(rt, "both-hear");
            Await.until("the other listener hears", () -> heard.contains("both-hear"));
            Await.until("the log still writes while another listener is set",
                    () -> log.lines.stream().anyMatch(l -> l.contains("'both-hear'")));
            RuntimeAccess.onSlowSlice(rt, null);
            hog(rt, "log-alone");
            Await.until("the log still writes after the other listener left",
                    () -> log.lines.stream().anyMatch(l -> l.contains("'log-alone'")));
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

    /**
     * Parks pinned once, in a task of {@code rt}: initialises a fresh copy of {@link Pinner} (its
     * own class loader), so every call pins, however many ran before in this JVM.
     */
    static void pinOnce(WeftRuntime rt) throws Exception {
        URL where = Pinner.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader fresh = new URLClassLoader(new URL[] {where}, null)) {
            rt.run(() -> Class.forName(Pinner.class.getName(), true, fresh));
        }
    }

    static long pinnedCount(SimpleMeterRegistry reg) {
        return reg.find("weft.threads.virtual.pinned").timers().stream().mapToLong(Timer::count).sum();
    }

    /**
     * A binder that lowered a registry's pinning threshold takes it back up when it closes: the
     * binder left asked for pinned parks of an hour or more, so 50 ms parks stay out. (A second
     * registry with threshold zero sees the parks: once it has two, the first park was handled for
     * every registry, as the JFR stream delivers events one after another.)
     */
    @Test
    void pinningThresholdGoesBackUpWhenTheBinderThatLoweredItCloses() throws Exception {
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        SimpleMeterRegistry witnessReg = new SimpleMeterRegistry();
        try (WeftRuntime rt = WeftRuntime.builder().name("pin-threshold").carriers(1).build();
             WeftRuntimeMetrics hourOrMore = WeftRuntimeMetrics.builder(rt).pinning(true).pinnedThreshold(Duration.ofHours(1))
                     .scheduling(false).slowSliceLog(false).build();
             WeftRuntimeMetrics witness = WeftRuntimeMetrics.builder(rt).pinning(true).pinnedThreshold(Duration.ZERO)
                     .scheduling(false).slowSliceLog(false).build()) {
            hourOrMore.bindTo(reg);
            witness.bindTo(witnessReg);
            WeftRuntimeMetrics any = WeftRuntimeMetrics.builder(rt).pinning(true).pinnedThreshold(Duration.ZERO)
                    .scheduling(false).slowSliceLog(false).build();
            any.bindTo(reg);
            any.close();
            pinOnce(rt);
            pinOnce(rt);
            Await.until("the witness registry records two pinned parks", () -> pinnedCount(witnessReg) >= 2);
            assertEquals(0, pinnedCount(reg), "pinned parks under the hour recorded after the binder that asked for them closed");
        }
    }

    /** The JFR stream's threshold also goes back up to the smallest one still asked for, and the stream closes with the last. */
    @Test
    void jfrStreamThresholdGoesBackUp() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("pin-stream").carriers(1).build();
             WeftRuntimeMetrics second = WeftRuntimeMetrics.builder(rt).pinning(true).pinnedThreshold(Duration.ofSeconds(1))
                     .scheduling(false).slowSliceLog(false).build()) {
            assertNull(streamThreshold(), "no pinning binder is bound before this test");
            second.bindTo(new SimpleMeterRegistry());
            assertEquals(Duration.ofSeconds(1), streamThreshold());
            try (WeftRuntimeMetrics any = WeftRuntimeMetrics.builder(rt).pinning(true).pinnedThreshold(Duration.ZERO)
                    .scheduling(false).slowSliceLog(false).build()) {
                any.bindTo(new SimpleMeterRegistry());
                assertEquals(Duration.ZERO, streamThreshold());
            }
            assertEquals(Duration.ofSeconds(1), streamThreshold(), "the binder that lowered the threshold closed");
            second.close();
            assertNull(streamThreshold(), "the last pinning binder closed the stream");
        }
    }

    /** The JFR stream's threshold, read from PinningMonitor (null while no stream runs). */
    static Duration streamThreshold() throws ReflectiveOperationException {
        Class<?> monitor = Class.forName("dev.weft.metrics.internal.PinningMonitor");
        Field f = monitor.getDeclaredField("threshold");
        f.setAccessible(true);
        synchronized (monitor) {   // the field is guarded by the class
            return (Duration) f.get(null);
        }
    }

    /** Binders of one registry with different tags each get pinning timers with their tags. */
    @Test
    void pinningTimersCarryEachBindersTags() throws Exception {
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        try (WeftRuntime rt = WeftRuntime.builder().name("pin-tags").carriers(1).build();
             WeftRuntimeMetrics plain = WeftRuntimeMetrics.builder(rt).pinning(true).pinnedThreshold(Duration.ZERO)
                     .scheduling(false).slowSliceLog(false).build();
             WeftRuntimeMetrics tagged = WeftRuntimeMetrics.builder(rt).tags(Tags.of("team", "b")).pinning(true)
                     .pinnedThreshold(Duration.ZERO).scheduling(false).slowSliceLog(false).build()) {
            plain.bindTo(reg);
            tagged.bindTo(reg);
            pinOnce(rt);
            Await.until("a pinned park in the timer without the tag", () -> reg.find("weft.threads.virtual.pinned").timers()
                    .stream().filter(t -> t.getId().getTag("team") == null).mapToLong(Timer::count).sum() >= 1);
            Await.until("a pinned park in the timer tagged team=b",
                    () -> reg.find("weft.threads.virtual.pinned").tag("team", "b").timers().stream().mapToLong(Timer::count).sum() >= 1);
            tagged.close();
            assertTrue(reg.find("weft.threads.virtual.pinned").tag("team", "b").timers().isEmpty(), "the tagged timer left with its binder");
            assertFalse(reg.find("weft.threads.virtual.pinned").timers().isEmpty(), "the other binder's timer stays");
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
