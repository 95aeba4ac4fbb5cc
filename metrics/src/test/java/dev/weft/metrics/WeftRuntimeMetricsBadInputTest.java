package dev.weft.metrics;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.distribution.pause.PauseDetector;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Binding twice does not double-count; a registry that throws does not break the runtime. */
@Timeout(60)
class WeftRuntimeMetricsBadInputTest {

    static void spawnAndJoin(WeftRuntime rt, int n) throws Exception {
        List<Task<Integer>> ts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int v = i;
            ts.add(rt.spawn(() -> v));
        }
        for (Task<Integer> t : ts) {
            t.join();
        }
    }

    /** The same binder bound twice, and a second binder of the same runtime, add no meters and count each task once. */
    @Test
    void doubleBindingDoesNotDoubleCount() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("twice").carriers(2).build();
             WeftRuntimeMetrics a = WeftRuntimeMetrics.of(rt);
             WeftRuntimeMetrics b = WeftRuntimeMetrics.builder(rt).pinning(true).build()) {
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            a.bindTo(reg);
            int meters = reg.getMeters().size();
            a.bindTo(reg);
            assertEquals(meters, reg.getMeters().size(), "same binder twice");
            b.bindTo(reg);
            b.bindTo(reg);
            // b adds only the pinning timer, and only when an event comes; none has yet
            assertEquals(meters, reg.getMeters().size(), "second binder");
            assertEquals(1, reg.get("weft.tasks.spawned").functionCounters().size());
            assertEquals(2, reg.get("weft.carrier.slices").functionCounters().size());

            double before = reg.get("weft.tasks.spawned").functionCounter().count();
            spawnAndJoin(rt, 50);
            Await.until("completed", () -> rt.liveTasks() == 0);
            // the meters read a snapshot up to 5 ms old: poll until it shows all 50 (100 if counted twice)
            Await.until("50 spawns counted", () -> reg.get("weft.tasks.spawned").functionCounter().count() - before >= 50);
            double after = reg.get("weft.tasks.spawned").functionCounter().count();
            assertEquals(50, after - before, 0.0, "each task counted once");
        }
    }

    /** Every meter creation throws: bindTo returns normally and the runtime runs tasks as before. */
    @Test
    void throwingRegistry() throws Exception {
        ThrowingRegistry reg = new ThrowingRegistry();
        try (WeftRuntime rt = WeftRuntime.builder().name("throwing").carriers(2).build();
             WeftRuntimeMetrics m = WeftRuntimeMetrics.builder(rt).pinning(true).build()) {
            m.bindTo(reg);
            assertTrue(reg.attempts > 10, "it tried every meter: " + reg.attempts);
            assertTrue(reg.getMeters().isEmpty());
            spawnAndJoin(rt, 100);
            assertEquals(42, rt.run(() -> 42));
        }
    }

    /** A registry whose meters fail when read: the scrape fails, not the runtime. */
    @Test
    void throwingRegistryDoesNotLeakIntoTasks() throws Exception {
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        reg.config().onMeterAdded(meter -> {
            throw new IllegalStateException("listener broken");
        });
        try (WeftRuntime rt = WeftRuntime.builder().name("listener").carriers(1).build();
             WeftRuntimeMetrics m = WeftRuntimeMetrics.of(rt)) {
            m.bindTo(reg);
            spawnAndJoin(rt, 10);
            assertEquals(1, rt.run(() -> 1));
        }
    }

    /** A registry that refuses to create any meter. */
    static final class ThrowingRegistry extends SimpleMeterRegistry {
        int attempts;

        private RuntimeException refuse() {
            attempts++;
            return new IllegalStateException("registry broken");
        }

        @Override
        protected <T> Gauge newGauge(Meter.Id id, T obj, ToDoubleFunction<T> f) {
            throw refuse();
        }

        @Override
        protected <T> FunctionCounter newFunctionCounter(Meter.Id id, T obj, ToDoubleFunction<T> f) {
            throw refuse();
        }

        @Override
        protected <T> TimeGauge newTimeGauge(Meter.Id id, T obj, TimeUnit unit, ToDoubleFunction<T> f) {
            throw refuse();
        }

        @Override
        protected Counter newCounter(Meter.Id id) {
            throw refuse();
        }

        @Override
        protected Timer newTimer(Meter.Id id, DistributionStatisticConfig c, PauseDetector p) {
            throw refuse();
        }
    }
}
