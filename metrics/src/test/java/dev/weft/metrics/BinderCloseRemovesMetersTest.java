package dev.weft.metrics;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.NamedChannels;
import dev.weft.fs.Fs;
import dev.weft.net.TcpListener;
import dev.weft.net.TcpStream;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.ref.Reference;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    static double count(SimpleMeterRegistry reg, String meter, String runtime) {
        return reg.get(meter).tag("runtime", runtime).functionCounter().count();
    }

    /** Opens {@code n} TCP connections to a listener of {@code rt} and waits until the server accepted them all. */
    static void connect(WeftRuntime rt, int n) throws Exception {
        try (TcpListener l = TcpListener.bind(rt, new InetSocketAddress("127.0.0.1", 0))) {
            Task<Void> server = rt.spawn("server", () -> {
                for (int i = 0; i < n; i++) {
                    l.accept().close();
                }
                return null;
            });
            rt.run(() -> {
                for (int i = 0; i < n; i++) {
                    TcpStream.connect(rt, l.localAddress(), Duration.ofSeconds(5)).close();
                }
                return null;
            });
            server.join(Duration.ofSeconds(10));
        }
    }

    /**
     * A net binder's close removes its meters (a second binder's shared ones stay until it closes
     * too), and a later bind fails; a runtime built again with the same name and bound by a new
     * binder is measured, not the old one (which is kept reachable, so a stale meter would still read it).
     */
    @Test
    void netBinderCloseRemovesItsMeters() throws Exception {
        String name = "net-" + System.nanoTime();
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        WeftRuntime old = WeftRuntime.builder().name(name).carriers(2).closeTimeout(Duration.ofSeconds(2)).build();
        try (old) {
            WeftNetMetrics a = WeftNetMetrics.of(old);
            WeftNetMetrics b = WeftNetMetrics.of(old);
            a.bindTo(reg);
            b.bindTo(reg);
            int before = metersOf(reg, "runtime", name).size();
            assertEquals(10, before, "the ten net meters");
            connect(old, 2);
            assertEquals(2.0, count(reg, "weft.net.connections.accepted", name));
            a.close();
            assertEquals(before, metersOf(reg, "runtime", name).size(), "b's meters stay");
            b.close();
            assertEquals(List.of(), metersOf(reg, "runtime", name), "the last binder's close removes the meters");
            b.close();   // idempotent
            assertThrows(IllegalStateException.class, () -> b.bindTo(reg), "bind after close");
            assertEquals(List.of(), metersOf(reg, "runtime", name), "the refused bind registered nothing");
        }
        try (WeftRuntime fresh = WeftRuntime.builder().name(name).carriers(2).closeTimeout(Duration.ofSeconds(2)).build();
             WeftNetMetrics metrics = WeftNetMetrics.of(fresh)) {
            metrics.bindTo(reg);
            connect(fresh, 1);
            assertEquals(1.0, count(reg, "weft.net.connections.accepted", name),
                    "the new runtime's one connection, not the old runtime's two");
        }
        Reference.reachabilityFence(old);
    }

    /** As {@link #netBinderCloseRemovesItsMeters} for the fs binder. */
    @Test
    void fsBinderCloseRemovesItsMeters(@TempDir Path dir) throws Exception {
        String name = "fs-" + System.nanoTime();
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        WeftRuntime old = WeftRuntime.builder().name(name).carriers(1).closeTimeout(Duration.ofSeconds(2)).build();
        try (old) {
            WeftFsMetrics a = WeftFsMetrics.of(old);
            WeftFsMetrics b = WeftFsMetrics.of(old);
            a.bindTo(reg);
            b.bindTo(reg);
            int before = metersOf(reg, "runtime", name).size();
            assertTrue(before > 0, "the fs meters");
            old.run(() -> {
                Fs.write(dir.resolve("old"), new byte[1000]);
                return null;
            });
            assertEquals(1000.0, count(reg, "weft.fs.bytes.written", name));
            a.close();
            assertEquals(before, metersOf(reg, "runtime", name).size(), "b's meters stay");
            b.close();
            assertEquals(List.of(), metersOf(reg, "runtime", name), "the last binder's close removes the meters");
            b.close();   // idempotent
            assertThrows(IllegalStateException.class, () -> b.bindTo(reg), "bind after close");
        }
        try (WeftRuntime fresh = WeftRuntime.builder().name(name).carriers(1).closeTimeout(Duration.ofSeconds(2)).build();
             WeftFsMetrics metrics = WeftFsMetrics.of(fresh)) {
            metrics.bindTo(reg);
            fresh.run(() -> {
                Fs.write(dir.resolve("fresh"), new byte[10]);
                return null;
            });
            assertEquals(10.0, count(reg, "weft.fs.bytes.written", name),
                    "the new runtime's 10 bytes, not the old runtime's 1000");
        }
        Reference.reachabilityFence(old);
    }
}
