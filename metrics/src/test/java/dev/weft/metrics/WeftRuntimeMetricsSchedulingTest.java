package dev.weft.metrics;

import dev.weft.core.SchedulerMode;
import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.Parking;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.core.spi.TimerHandle;
import dev.weft.metrics.internal.RuntimeHub;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The scheduling histograms (wake-up delay, slice, timer lateness) and the timer counters. */
@Timeout(60)
class WeftRuntimeMetricsSchedulingTest {

    static double sum(SimpleMeterRegistry r, String name) {
        return r.get(name).functionCounters().stream().mapToDouble(FunctionCounter::count).sum();
    }

    /** The carriers' own slice counters, fresh (the registry's function counters read a snapshot up to 5 ms old). */
    static long carrierSlices(WeftRuntime rt) {
        return RuntimeAccess.stats(rt).carriers().stream().mapToLong(c -> c.slices()).sum();
    }

    static long timerCount(SimpleMeterRegistry r, String name) {
        return r.get(name).timers().stream().mapToLong(Timer::count).sum();
    }

    static void yieldingTasks(WeftRuntime rt, int n, int yields) throws Exception {
        List<Task<Integer>> ts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int v = i;
            ts.add(rt.spawn(() -> {
                for (int k = 0; k < yields; k++) {
                    Thread.yield();
                }
                return v;
            }));
        }
        for (Task<Integer> t : ts) {
            t.join();
        }
    }

    /** Every slice and wake-up is recorded with period 1: the slice count follows weft.carrier.slices exactly. */
    @Test
    void slicesAndWakeUpsWithPeriodOne() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("s").carriers(2).build();
             WeftRuntimeMetrics m = WeftRuntimeMetrics.builder(rt).schedulingSamplePeriod(1).schedulingPerCarrier(true).build()) {
            assumeTrue(rt.schedulerMode() == SchedulerMode.CARRIER, "slices are timed by the carrier scheduler");
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            m.bindTo(reg);
            assertEquals(2, reg.get("weft.scheduling.slice").timers().size(), "one per carrier");
            long slices0 = timerCount(reg, "weft.scheduling.slice");
            long carrierSlices0 = carrierSlices(rt);
            yieldingTasks(rt, 200, 3);
            // each task: 3 resumptions at least, each its own slice
            Await.until("600 slices recorded", () -> timerCount(reg, "weft.scheduling.slice") - slices0 >= 600);
            // 3 resumptions per task; a start is not always a wake-up: a worker that has just ended
            // a task takes the next one straight from the queue (docs/adr/0003-task-workers.md)
            Await.until("at least 600 wake-ups recorded", () -> timerCount(reg, "weft.scheduling.wake.delay") >= 600);
            // Read the histogram first: a carrier counts a slice before it reports it, so with one
            // report per slice the histogram can never be ahead of the counter (it would be, twice
            // over, if anything were recorded twice), and catches up once the carriers are idle.
            Await.until("histogram == carrier slice counter", () -> {
                long h = timerCount(reg, "weft.scheduling.slice") - slices0;
                long c = carrierSlices(rt) - carrierSlices0;
                assertTrue(h <= c + 1, "histogram " + h + " ahead of the counter " + c);
                return Math.abs(h - c) <= 1;   // the probe was installed mid-slice at most once per carrier
            });
            Timer slice = reg.get("weft.scheduling.slice").tag("carrier", "0").timer();
            assertTrue(slice.totalTime(TimeUnit.NANOSECONDS) > 0);
            CountAtBucket[] buckets = slice.takeSnapshot().histogramCounts();
            assertTrue(buckets.length >= 10, "histogram buckets: " + buckets.length);
            assertEquals("s", slice.getId().getTag("runtime"));
        }
    }

    /** The default samples about one event in 16; the histograms are per runtime (no carrier tag). */
    @Test
    void sampledByDefault() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("d").carriers(2).build();
             WeftRuntimeMetrics m = WeftRuntimeMetrics.of(rt)) {
            assumeTrue(rt.schedulerMode() == SchedulerMode.CARRIER, "slices are timed by the carrier scheduler");
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            m.bindTo(reg);
            assertEquals(1, reg.get("weft.scheduling.slice").timers().size(), "one per runtime");
            assertEquals(null, reg.get("weft.scheduling.slice").timer().getId().getTag("carrier"));
            yieldingTasks(rt, 500, 7);   // 4000+ slices
            Await.until("sampled slices", () -> timerCount(reg, "weft.scheduling.slice") >= 1);
            Await.until("sampled wake-ups", () -> timerCount(reg, "weft.scheduling.wake.delay") >= 1);
            long h = timerCount(reg, "weft.scheduling.slice");
            long c = carrierSlices(rt);
            assertTrue(h <= c / 16 + 2, "sampled: " + h + " of " + c);
            assertEquals(16, RuntimeHub.of(rt).schedulingPeriod());
        }
    }

    /**
     * "Where binders of one runtime ask for different periods, the smallest wins for all": also when
     * the binder with the smaller period binds a registry that a coarser binder bound first.
     */
    @Test
    void smallerPeriodWinsWhateverTheBindOrder() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("order").carriers(1).build();
             WeftRuntimeMetrics coarse = WeftRuntimeMetrics.builder(rt).schedulingSamplePeriod(16).build();
             WeftRuntimeMetrics fine = WeftRuntimeMetrics.builder(rt).schedulingSamplePeriod(1).build()) {
            assumeTrue(rt.schedulerMode() == SchedulerMode.CARRIER, "slices are timed by the carrier scheduler");
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            coarse.bindTo(reg);
            fine.bindTo(reg);
            assertEquals(1, RuntimeHub.of(rt).schedulingPeriod(), "the smallest period wins, whichever bound first");
            long h0 = timerCount(reg, "weft.scheduling.slice");
            long c0 = carrierSlices(rt);
            yieldingTasks(rt, 50, 2);
            Await.until("every slice recorded (period 1)", () -> {
                long h = timerCount(reg, "weft.scheduling.slice") - h0;
                long c = carrierSlices(rt) - c0;
                return h >= 150 && Math.abs(h - c) <= 1;
            });
        }
    }

    /**
     * The period goes back up when the binder that lowered it closes, also when it shares the
     * registry and tags (so the histograms) with a coarser binder that stays: a finer binder's
     * period left behind costs the carriers CPU per event for nobody.
     */
    @Test
    void samplePeriodGoesBackUpWhenTheFinerBinderCloses() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("back-up").carriers(1).build();
             WeftRuntimeMetrics coarse = WeftRuntimeMetrics.builder(rt).schedulingSamplePeriod(16).build()) {
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            coarse.bindTo(reg);
            WeftRuntimeMetrics fine = WeftRuntimeMetrics.builder(rt).schedulingSamplePeriod(1).build();
            fine.bindTo(reg);
            WeftRuntimeMetrics medium = WeftRuntimeMetrics.builder(rt).schedulingSamplePeriod(4).build();
            medium.bindTo(reg);
            assertEquals(1, RuntimeHub.of(rt).schedulingPeriod());
            fine.close();
            assertEquals(4, RuntimeHub.of(rt).schedulingPeriod(), "the smallest period of the binders still bound");
            medium.close();
            assertEquals(16, RuntimeHub.of(rt).schedulingPeriod(), "back to the coarse binder's period");
            assertEquals(1, reg.get("weft.scheduling.slice").timers().size(), "the coarse binder's histogram stays");
            coarse.close();
            assertEquals(0, RuntimeHub.of(rt).schedulingPeriod(), "probe removed with the last binder");
            assertTrue(reg.find("weft.scheduling.slice").timers().isEmpty());
        }
    }

    /** Timers: fired with lateness recorded, cancelled ones counted (on and off the carrier). */
    @Test
    void timerLatenessAndCancelled() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("t").carriers(1).build();
             WeftRuntimeMetrics m = WeftRuntimeMetrics.builder(rt).schedulingSamplePeriod(1).build()) {
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            m.bindTo(reg);
            rt.run(() -> {
                for (int i = 0; i < 5; i++) {
                    long until = Parking.nanoTime() + 3_000_000L;
                    while (Parking.nanoTime() < until) {
                        Parking.parkNanos(this, until - Parking.nanoTime());   // fires a timer on the wheel
                    }
                }
                return null;
            });
            Await.until("5 fired", () -> sum(reg, "weft.timers.fired") >= 5);
            Await.until("5 lateness samples", () -> timerCount(reg, "weft.timers.lateness") >= 5);
            assertTrue(reg.get("weft.timers.lateness.max").timeGauge().value(TimeUnit.NANOSECONDS) >= 0);

            double cancelled0 = sum(reg, "weft.timers.cancelled");
            // one cancelled by a task on the carrier, one from this (foreign) thread
            rt.run(() -> {
                TimerHandle h = RuntimeAccess.schedule(rt, RuntimeAccess.nanoTime(rt) + 60_000_000_000L, () -> { });
                assertTrue(h.cancel());
                return null;
            });
            TimerHandle foreign = RuntimeAccess.schedule(rt, RuntimeAccess.nanoTime(rt) + 60_000_000_000L, () -> { });
            assertTrue(foreign.cancel());
            rt.run(() -> 0);   // a turn of the carrier takes in the foreign cancel
            Await.until("2 cancelled", () -> sum(reg, "weft.timers.cancelled") - cancelled0 >= 2);
            assertEquals(2, sum(reg, "weft.timers.cancelled") - cancelled0, 0.0);
        }
    }

    /** Two binders and a double bind record each event once; the probe goes with the last binder. */
    @Test
    void probeSharedAndRemoved() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("p").carriers(1).build()) {
            assumeTrue(rt.schedulerMode() == SchedulerMode.CARRIER, "slices are timed by the carrier scheduler");
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            SimpleMeterRegistry other = new SimpleMeterRegistry();
            WeftRuntimeMetrics a = WeftRuntimeMetrics.builder(rt).schedulingSamplePeriod(1).build();
            WeftRuntimeMetrics b = WeftRuntimeMetrics.builder(rt).schedulingSamplePeriod(4).build();
            a.bindTo(reg);
            a.bindTo(reg);
            b.bindTo(reg);
            b.bindTo(other);
            assertEquals(1, RuntimeHub.of(rt).schedulingPeriod(), "the smallest period wins");
            long h0 = timerCount(reg, "weft.scheduling.slice");
            long c0 = carrierSlices(rt);
            yieldingTasks(rt, 100, 2);
            Await.until("histogram == counter", () -> {
                long h = timerCount(reg, "weft.scheduling.slice") - h0;
                long c = carrierSlices(rt) - c0;
                assertTrue(h <= c + 1, "recorded twice: " + h + " > " + c);
                return h >= 300 && Math.abs(h - c) <= 1;
            });
            assertTrue(timerCount(other, "weft.scheduling.slice") >= 300, "the other registry gets them too");
            List<Timer> sliceTimers = List.copyOf(reg.get("weft.scheduling.slice").timers());   // close() removes them from reg
            a.close();
            assertEquals(4, RuntimeHub.of(rt).schedulingPeriod(), "b still binds reg and other, at its own period");
            b.close();
            assertEquals(0, RuntimeHub.of(rt).schedulingPeriod(), "probe removed with the last binder");
            // A carrier reads the probe once per pass over its queue: the second run's task is
            // submitted after the first ended, so it runs in a pass that began after the removal,
            // after the first run's last (maybe still probed) slice.
            rt.run(() -> 0);
            rt.run(() -> 0);
            assertTrue(reg.find("weft.scheduling.slice").timers().isEmpty(), "the last binder's close removes the histograms");
            long after = sliceTimers.stream().mapToLong(Timer::count).sum();
            yieldingTasks(rt, 50, 2);
            assertEquals(after, sliceTimers.stream().mapToLong(Timer::count).sum(), "no probe, no samples");
        }
    }

    /** Timers that throw on every record: the carriers, tasks and timers go on; counters still move. */
    @Test
    void throwingTimersDoNotBreakTheRuntime() throws Exception {
        AtomicInteger throwsSeen = new AtomicInteger();
        SimpleMeterRegistry reg = new SimpleMeterRegistry() {
            @Override
            protected Timer newTimer(Meter.Id id, DistributionStatisticConfig c, PauseDetector p) {
                Timer real = super.newTimer(id, c, p);
                return new ThrowingTimer(real, throwsSeen);
            }
        };
        try (WeftRuntime rt = WeftRuntime.builder().name("x").carriers(2).build();
             WeftRuntimeMetrics m = WeftRuntimeMetrics.builder(rt).schedulingSamplePeriod(1).build()) {
            m.bindTo(reg);
            yieldingTasks(rt, 200, 2);
            CountDownLatch slept = new CountDownLatch(1);
            rt.spawn(() -> {
                Parking.parkNanos(this, 2_000_000L);
                slept.countDown();
                return null;
            }).join();
            assertTrue(slept.await(10, TimeUnit.SECONDS));
            assertEquals(7, rt.run(() -> 7));
            if (rt.schedulerMode() == SchedulerMode.CARRIER) {
                assertTrue(throwsSeen.get() > 0, "the probe did record (and the registry threw)");
            }
            Await.until("counters move", () -> sum(reg, "weft.carrier.slices") > 600 || rt.schedulerMode() != SchedulerMode.CARRIER);
        }
    }

    /** A timer whose record throws (delegating the rest), as a broken registry's would. */
    static final class ThrowingTimer implements Timer {
        private final Timer real;
        private final AtomicInteger seen;

        ThrowingTimer(Timer real, AtomicInteger seen) {
            this.real = real;
            this.seen = seen;
        }

        @Override
        public void record(long amount, TimeUnit unit) {
            seen.incrementAndGet();
            throw new IllegalStateException("registry broken");
        }

        @Override
        public <T> T record(java.util.function.Supplier<T> f) {
            throw new IllegalStateException("registry broken");
        }

        @Override
        public <T> T recordCallable(java.util.concurrent.Callable<T> f) {
            throw new IllegalStateException("registry broken");
        }

        @Override
        public void record(Runnable f) {
            throw new IllegalStateException("registry broken");
        }

        @Override
        public long count() {
            return real.count();
        }

        @Override
        public double totalTime(TimeUnit unit) {
            return real.totalTime(unit);
        }

        @Override
        public double max(TimeUnit unit) {
            return real.max(unit);
        }

        @Override
        public TimeUnit baseTimeUnit() {
            return real.baseTimeUnit();
        }

        @Override
        public io.micrometer.core.instrument.distribution.HistogramSnapshot takeSnapshot() {
            return real.takeSnapshot();
        }

        @Override
        public Id getId() {
            return real.getId();
        }
    }

}
