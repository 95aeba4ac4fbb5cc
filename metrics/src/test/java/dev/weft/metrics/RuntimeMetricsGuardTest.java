package dev.weft.metrics;

import dev.weft.core.SchedulerMode;
import dev.weft.core.WeftRuntime;
import dev.weft.metrics.internal.RuntimeHub;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.cumulative.CumulativeTimer;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The runtime binder registers through the shared registration guard: a registry that refuses
 * some meters, or whose timers throw on the carriers, costs those meters and one log line, never
 * the runtime; binding one runtime twice to a registry records each event once.
 */
@Timeout(60)
class RuntimeMetricsGuardTest {

    /** Captures the WARNING lines of the runtime binder's logger. */
    static final class Warnings extends Handler implements AutoCloseable {
        final Logger jul = Logger.getLogger(WeftRuntimeMetrics.class.getName());
        final List<String> lines = new CopyOnWriteArrayList<>();

        Warnings() {
            jul.addHandler(this);
        }

        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                lines.add(r.getMessage());
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {
            jul.removeHandler(this);
        }
    }

    /** Refuses every gauge; its timers throw whenever they record (on the carriers). */
    static final class HalfBrokenRegistry extends SimpleMeterRegistry {
        int refused;

        @Override
        protected <T> Gauge newGauge(Meter.Id id, T obj, ToDoubleFunction<T> f) {
            refused++;
            throw new IllegalStateException("no gauges here");
        }

        @Override
        protected Timer newTimer(Meter.Id id, DistributionStatisticConfig c, PauseDetector p) {
            return new CumulativeTimer(id, clock, c, p, getBaseTimeUnit()) {
                @Override
                protected void recordNonNegative(long amount, TimeUnit unit) {
                    throw new IllegalStateException("timer broken");
                }
            };
        }
    }

    @Test
    void refusingRegistryCostsItsMetersAndOneLogLineNotTheRuntime() throws Exception {
        HalfBrokenRegistry reg = new HalfBrokenRegistry();
        try (Warnings warnings = new Warnings();
             WeftRuntime rt = WeftRuntime.builder().name("half-broken").carriers(2).build();
             // No slow-slice log: on a loaded machine it may log too, into the same logger.
             WeftRuntimeMetrics m = WeftRuntimeMetrics.builder(rt).schedulingSamplePeriod(1).slowSliceLog(false).build()) {
            m.bindTo(reg);
            assertTrue(reg.refused > 5, "every gauge was tried: " + reg.refused);
            assertTrue(reg.find("weft.tasks.live").gauges().isEmpty(), "refused gauges are left out");
            assertEquals(1, warnings.lines.size(), "one line for all refusals: " + warnings.lines);
            assertTrue(warnings.lines.get(0).contains("half-broken"), warnings.lines.get(0));

            // The timers throw on every recorded slice and wake-up: the carriers go on.
            double before = reg.get("weft.tasks.completed").functionCounter().count();
            WeftRuntimeMetricsBadInputTest.spawnAndJoin(rt, 200);
            assertEquals(7, rt.run(() -> 7));
            Await.until("200 completions counted by the meters that were accepted",
                    () -> reg.get("weft.tasks.completed").functionCounter().count() - before >= 200);
            assertEquals(1, warnings.lines.size(), "recording failures are not logged: " + warnings.lines);
        }
    }

    @Test
    void twoBindersOnOneRegistryRecordEachSliceOnce() throws Exception {
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        try (WeftRuntime rt = WeftRuntime.builder().name("twice-hist").carriers(1).build();
             WeftRuntimeMetrics a = WeftRuntimeMetrics.builder(rt).schedulingSamplePeriod(1).build();
             WeftRuntimeMetrics b = WeftRuntimeMetrics.builder(rt).schedulingSamplePeriod(1).build()) {
            assumeTrue(rt.schedulerMode() == SchedulerMode.CARRIER, "slices are timed by the carrier scheduler");
            a.bindTo(reg);
            a.bindTo(reg);
            b.bindTo(reg);
            assertEquals(1, reg.get("weft.scheduling.slice").timers().size(), "one histogram");
            long s0 = slices(reg);
            long h0 = sliceHistogram(reg);
            WeftRuntimeMetricsBadInputTest.spawnAndJoin(rt, 100);
            // Every slice is sampled (period 1): the histogram grows by the carrier's slice count,
            // not twice it. The slice counter reads a snapshot up to 5 ms old: wait for the two to meet.
            Await.until("the slice histogram counts each slice once",
                    () -> sliceHistogram(reg) - h0 == slices(reg) - s0);
            // (A worker may run several queued tasks in one slice: fewer slices than tasks is fine.)
            assertTrue(slices(reg) - s0 > 0, "slices " + (slices(reg) - s0));

            // Closing one binder leaves the other's histogram recording.
            b.close();
            long after = sliceHistogram(reg);
            WeftRuntimeMetricsBadInputTest.spawnAndJoin(rt, 10);
            Await.until("a's histogram still records", () -> sliceHistogram(reg) > after);
            a.close();
            assertEquals(0, RuntimeHub.of(rt).schedulingPeriod(), "no binder left: the probe is removed");
            assertTrue(reg.getMeters().isEmpty(), () -> "the last binder's close removes the meters: " + reg.getMeters());
        }
    }

    /**
     * A second binder of the runtime with other tags and per-carrier histograms, on a registry
     * the first bound, gets histograms of its own with its tags; closing it removes only those.
     */
    @Test
    void aBinderWithOtherTagsGetsHistogramsOfItsOwn() throws Exception {
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        try (WeftRuntime rt = WeftRuntime.builder().name("tags-hist").carriers(2).build();
             WeftRuntimeMetrics a = WeftRuntimeMetrics.builder(rt).schedulingSamplePeriod(1).slowSliceLog(false).build();
             WeftRuntimeMetrics b = WeftRuntimeMetrics.builder(rt).tags(Tags.of("team", "b")).schedulingPerCarrier(true)
                     .schedulingSamplePeriod(1).slowSliceLog(false).build()) {
            a.bindTo(reg);
            b.bindTo(reg);
            List<Timer> bs = List.copyOf(reg.find("weft.scheduling.slice").tag("team", "b").timers());
            assertEquals(rt.carriers(), bs.size(), () -> "b's per-carrier slice histograms: " + reg.find("weft.scheduling.slice").timers());
            assertTrue(bs.stream().allMatch(t -> t.getId().getTag("carrier") != null), "tagged with the carrier");
            assertEquals(1, reg.find("weft.scheduling.slice").timers().stream().filter(t -> t.getId().getTag("team") == null).count(),
                    "a's one histogram");
            if (rt.schedulerMode() == SchedulerMode.CARRIER) {
                WeftRuntimeMetricsBadInputTest.spawnAndJoin(rt, 50);
                Await.until("b's histograms record", () -> reg.find("weft.scheduling.slice").tag("team", "b").timers().stream()
                        .mapToLong(Timer::count).sum() > 0);
            }
            b.close();
            assertTrue(reg.find("weft.scheduling.slice").tag("team", "b").timers().isEmpty(), "b's histograms left with b");
            assertEquals(1, reg.find("weft.scheduling.slice").timers().size(), "a's histogram stays");
            a.close();
            assertEquals(0, RuntimeHub.of(rt).schedulingPeriod(), "no binder left: the probe is removed");
            assertTrue(reg.getMeters().isEmpty(), () -> "the last binder's close removes the meters: " + reg.getMeters());
        }
    }

    static long sliceHistogram(SimpleMeterRegistry reg) {
        return reg.get("weft.scheduling.slice").timer().count();
    }

    static long slices(SimpleMeterRegistry reg) {
        return (long) reg.get("weft.carrier.slices").functionCounters().stream().mapToDouble(FunctionCounter::count).sum();
    }
}
