package dev.weft.metrics;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.NamedChannels;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code close()} removes the meters a binder registered, so a runtime restarted with the same
 * name is measured; meters another open binder shares stay until that one closes too.
 */
@Timeout(60)
class BinderCloseRemovesMetersTest {

    static List<Meter.Id> metersOf(SimpleMeterRegistry reg, String tag, String value) {
        return reg.getMeters().stream().map(Meter::getId).filter(id -> value.equals(id.getTag(tag))).toList();
    }

    static double spawned(SimpleMeterRegistry reg, String runtime) {
        return reg.get("weft.tasks.spawned").tag("runtime", runtime).functionCounter().count();
    }

    static void spawnAndJoin(WeftRuntime rt, int n) throws Exception {
        List<Task<Integer>> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int v = i;
            tasks.add(rt.spawn(() -> v));
        }
        for (Task<Integer> t : tasks) {
            t.join(Duration.ofSeconds(10));
        }
    }

    /** Close runtime "app" and its binder, start a new "app", bind a new binder: it reads the new runtime. */
    @Test
    void restartedRuntimeWithTheSameNameIsMeasured() throws Exception {
        String name = "app-" + System.nanoTime();
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        try (WeftRuntime old = WeftRuntime.builder().name(name).carriers(2).build();
             WeftRuntimeMetrics metrics = WeftRuntimeMetrics.of(old)) {
            metrics.bindTo(reg);
            spawnAndJoin(old, 5);
            Await.until("old spawned >= 5", () -> spawned(reg, name) >= 5);
            assertFalse(metersOf(reg, "runtime", name).isEmpty());
            metrics.close();
            assertEquals(List.of(), metersOf(reg, "runtime", name), "close() removes every meter the binder registered");
        }

        try (WeftRuntime fresh = WeftRuntime.builder().name(name).carriers(2).build();
             WeftRuntimeMetrics metrics = WeftRuntimeMetrics.of(fresh)) {
            metrics.bindTo(reg);
            spawnAndJoin(fresh, 50);
            Await.until("the new runtime's 50 tasks counted (was " + spawned(reg, name) + ")",
                    () -> spawned(reg, name) >= 50);
        }
    }

    /** Two binders of one runtime share the meters of one registry: the first close leaves them, the last removes them. */
    @Test
    void sharedMetersStayUntilTheLastBinderCloses() throws Exception {
        String name = "shared-" + System.nanoTime();
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        try (WeftRuntime rt = WeftRuntime.builder().name(name).carriers(2).build()) {
            WeftRuntimeMetrics a = WeftRuntimeMetrics.of(rt);
            WeftRuntimeMetrics b = WeftRuntimeMetrics.builder(rt).scheduling(false).slowSliceLog(false).build();
            b.bindTo(reg);
            Set<Meter.Id> bOnly = Set.copyOf(metersOf(reg, "runtime", name));
            a.bindTo(reg);
            assertNotNull(reg.find("weft.scheduling.slice").tag("runtime", name).timer(), "a's scheduling timer");

            a.close();
            assertNull(reg.find("weft.scheduling.slice").tag("runtime", name).timer(),
                    "only a wanted the scheduling timers: a's close removes them");
            assertEquals(bOnly, Set.copyOf(metersOf(reg, "runtime", name)), "b's meters stay, a's own meters leave");
            double s0 = spawned(reg, name);
            spawnAndJoin(rt, 10);
            Await.until("b's meters still read the runtime", () -> spawned(reg, name) >= s0 + 10);

            b.close();
            assertEquals(List.of(), metersOf(reg, "runtime", name), "the last binder's close removes the rest");
            b.close();   // idempotent
        }
    }

    /** A channel binder's close removes its gauges; a second binder's gauges of the same groups stay until it closes. */
    @Test
    void channelBinderCloseRemovesItsGauges() {
        WeftChannelMetricsTest.FakeChannel ch = new WeftChannelMetricsTest.FakeChannel("channel", "close-" + System.nanoTime(), 8, -1);
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        try (NamedChannels.Registration r = NamedChannels.register(ch)) {
            WeftChannelMetrics a = WeftChannelMetrics.create();
            WeftChannelMetrics b = WeftChannelMetrics.create();
            a.bindTo(reg);
            b.bindTo(reg);
            int before = metersOf(reg, "channel", ch.name).size();
            assertTrue(before > 0, "gauges of the group");
            a.close();
            assertEquals(before, metersOf(reg, "channel", ch.name).size(), "b's gauges stay");
            ch.depth.set(3);
            assertEquals(3, reg.get("weft.channel.depth").tag("channel", ch.name).gauge().value());
            b.close();
            assertEquals(List.of(), metersOf(reg, "channel", ch.name), "the last binder's close removes the gauges");
        }
    }
}
