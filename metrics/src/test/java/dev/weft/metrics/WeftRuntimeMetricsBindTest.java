package dev.weft.metrics;

import dev.weft.core.SchedulerMode;
import dev.weft.core.Task;
import dev.weft.core.TaskFailedException;
import dev.weft.core.WeftRuntime;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The meters of a bound runtime exist with the documented names and tags, and move with the work. */
@Timeout(60)
class WeftRuntimeMetricsBindTest {

    static double count(SimpleMeterRegistry r, String name) {
        return r.get(name).tag("runtime", "m").functionCounter().count();
    }

    static double gauge(SimpleMeterRegistry r, String name) {
        return r.get(name).tag("runtime", "m").gauge().value();
    }

    static double sumCarriers(SimpleMeterRegistry r, String name) {
        return r.get(name).functionCounters().stream().mapToDouble(FunctionCounter::count).sum();
    }

    /** Spawned, completed, failed, cancelled and live follow the tasks; carrier counters move. */
    @Test
    void countersMove() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("m").carriers(2).build();
             WeftRuntimeMetrics metrics = WeftRuntimeMetrics.of(rt)) {
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            metrics.bindTo(reg);
            double spawned0 = count(reg, "weft.tasks.spawned");

            List<Task<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int n = i;
                tasks.add(rt.spawn("t" + i, () -> {
                    Thread.sleep(1);
                    if (n % 10 == 0) {
                        throw new IllegalStateException("boom " + n);
                    }
                    return n;
                }));
            }
            int failed = 0;
            for (Task<Integer> t : tasks) {
                try {
                    t.join();
                } catch (TaskFailedException e) {
                    failed++;
                }
            }
            assertEquals(10, failed);
            CountDownLatch parked = new CountDownLatch(1);
            Task<Void> sleeper = rt.spawn("sleeper", () -> {
                parked.countDown();
                Thread.sleep(60_000);
                return null;
            });
            parked.await();
            Await.until("live >= 1", () -> gauge(reg, "weft.tasks.live") >= 1);
            sleeper.cancel();
            Await.until("cancelled >= 1", () -> count(reg, "weft.tasks.cancelled") >= 1);

            assertTrue(count(reg, "weft.tasks.spawned") - spawned0 >= 101, "spawned");
            Await.until("completed >= 90", () -> count(reg, "weft.tasks.completed") >= 90);
            assertTrue(count(reg, "weft.tasks.failed") >= 10, "failed");
            Await.until("live back to 0", () -> gauge(reg, "weft.tasks.live") == 0);

            assertEquals(2, reg.get("weft.carrier.slices").functionCounters().size(), "one per carrier");
            assertTrue(sumCarriers(reg, "weft.carrier.slices") >= 100, "slices");
            assertTrue(sumCarriers(reg, "weft.carrier.busy") > 0, "busy seconds");
            assertEquals("seconds", reg.get("weft.carrier.busy").tag("carrier", "0").functionCounter().getId().getBaseUnit());
            reg.get("weft.timers.fired").tag("carrier", "0").functionCounter();
            reg.get("weft.carrier.run.queue").tag("carrier", "1").gauge();
            reg.get("weft.timers.pending").tag("carrier", "1").gauge();
            reg.get("weft.carrier.slice.max").tag("carrier", "0").timeGauge();
            assertTrue(gauge(reg, "weft.blocking.threads.max") >= 1);

            Gauge info = reg.get("weft.runtime.info").gauge();
            assertEquals(1.0, info.value());
            assertEquals(rt.transport().name().toLowerCase(Locale.ROOT), info.getId().getTag("transport"));
            assertEquals(rt.schedulerMode() == SchedulerMode.CARRIER ? "carrier" : "fallback", info.getId().getTag("scheduler"));
            assertEquals(2.0, gauge(reg, "weft.runtime.carriers"));
        }
    }

    /** Blocking-pool gauges see a running job. */
    @Test
    void blockingPool() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("m").carriers(1).build();
             WeftRuntimeMetrics metrics = WeftRuntimeMetrics.of(rt)) {
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            metrics.bindTo(reg);
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Task<Void> job = rt.spawnBlocking("job", () -> {
                running.countDown();
                release.await();
                return null;
            });
            running.await();
            Await.until("busy 1", () -> gauge(reg, "weft.blocking.busy") == 1);
            assertTrue(gauge(reg, "weft.blocking.threads") >= 1);
            release.countDown();
            job.join();
            Await.until("busy 0", () -> gauge(reg, "weft.blocking.busy") == 0);
        }
    }

    /** Nothing is registered before bindTo; a closed binder refuses to bind. */
    @Test
    void lazyAndClosed() {
        try (WeftRuntime rt = WeftRuntime.builder().name("m").carriers(1).build()) {
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            WeftRuntimeMetrics metrics = WeftRuntimeMetrics.builder(rt).tags(io.micrometer.core.instrument.Tags.of("app", "x")).build();
            assertTrue(reg.getMeters().isEmpty());
            metrics.bindTo(reg);
            assertEquals("x", reg.get("weft.tasks.live").gauge().getId().getTag("app"));
            metrics.close();
            metrics.close();
            assertThrows(IllegalStateException.class, () -> metrics.bindTo(new SimpleMeterRegistry()));
        }
    }

    /** A closed runtime still reads (its final counters), and a scrape never throws. */
    @Test
    void afterRuntimeClose() throws Exception {
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        WeftRuntime rt = WeftRuntime.builder().name("m").carriers(1).build();
        WeftRuntimeMetrics.of(rt).bindTo(reg);
        rt.run(() -> 1);
        rt.shutdown(Duration.ofSeconds(5));
        double spawned = count(reg, "weft.tasks.spawned");
        assertTrue(spawned >= 1 || Double.isNaN(spawned), "spawned " + spawned);
        reg.getMeters().forEach(m -> m.measure().forEach(ms -> ms.getValue()));
    }
}
