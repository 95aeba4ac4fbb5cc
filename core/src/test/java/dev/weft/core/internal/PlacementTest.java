package dev.weft.core.internal;

import dev.weft.core.SchedulerMode;
import dev.weft.core.Task;
import dev.weft.core.Weft;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The placement policy of {@link RuntimeCore#place()} (ADR 0001): from outside the runtime,
 * round-robin; from a task, the parent's carrier; when the parent's carrier has more than
 * {@code spillThreshold} live tasks and the least loaded carrier fewer than half as many, the
 * least loaded carrier.
 *
 * <p>Each test builds its own runtime, so the live counts it reasons about are exactly the tasks
 * it spawned (nothing else runs on those carriers). Children that must count as live park on a
 * latch until the test releases them.
 */
class PlacementTest {

    private static WeftRuntime runtime(String name, int carriers, int spillThreshold) {
        WeftRuntime rt = WeftRuntime.builder().name(name).carriers(carriers).spillThreshold(spillThreshold).build();
        if (rt.schedulerMode() != SchedulerMode.CARRIER) {
            rt.close();
            assumeTrue(false, "placement picks a carrier; in fallback mode (no --add-opens) tasks run on the"
                    + " JDK's default scheduler and have no carrier, so there is nothing to place");
        }
        return rt;
    }

    /** The carrier a task was placed on (its home for life). */
    private static int carrierOf(Task<?> t) {
        return ((TaskImpl<?>) t).carrier().index();
    }

    /** The carrier of the calling task, as the running task itself sees it. */
    private static int here() {
        return TaskImpl.currentOrNull().carrier().index();
    }

    private static Carrier carrier(WeftRuntime rt, int i) {
        return CoreBridge.core(rt).carriers().get(i);
    }

    private static String loads(WeftRuntime rt) {
        StringBuilder sb = new StringBuilder("live per carrier:");
        for (Carrier c : CoreBridge.core(rt).carriers()) {
            sb.append(' ').append(c.liveTasks());
        }
        return sb.toString();
    }

    /** A child that stays live (parked) until {@code release}. */
    private static Task<Integer> parkedChild(CountDownLatch release) {
        return Weft.spawn(() -> {
            assertTrue(release.await(30, TimeUnit.SECONDS), "never released");
            return here();
        });
    }

    /** Spawns from a platform thread go to carriers 0, 1, 2, 0, 1, 2, ...; each task runs where it was placed. */
    @RepeatedTest(3)
    void spawnsFromOutsideAreRoundRobin() throws Exception {
        try (WeftRuntime rt = runtime("rr", 3, 128)) {
            List<Task<Integer>> ts = new ArrayList<>();
            for (int i = 0; i < 9; i++) {
                ts.add(rt.spawn(PlacementTest::here));
            }
            for (int i = 0; i < ts.size(); i++) {
                assertEquals(i % 3, carrierOf(ts.get(i)), "spawn #" + i + " from outside");
                assertEquals(i % 3, ts.get(i).join(Duration.ofSeconds(10)), "spawn #" + i + " ran elsewhere than placed");
            }
            // A virtual thread that is not a task of the runtime is outside too: it continues the rotation.
            List<Integer> fromVirtual = new ArrayList<>();
            Thread vt = Thread.ofVirtual().start(() -> {
                for (int i = 0; i < 3; i++) {
                    fromVirtual.add(carrierOf(rt.spawn(() -> 0)));
                }
            });
            assertTrue(vt.join(Duration.ofSeconds(10)), "the spawning virtual thread did not end");
            assertEquals(List.of(0, 1, 2), fromVirtual, "spawns from a plain virtual thread");
        }
    }

    /**
     * A child (and grandchild) spawned from a task is placed on, and runs on, its parent's carrier,
     * for a parent on every carrier; below the spill threshold the rotation is not consulted.
     */
    @RepeatedTest(3)
    void childrenStayOnTheParentsCarrier() throws Exception {
        try (WeftRuntime rt = runtime("child", 3, 128)) {
            List<Task<String>> parents = new ArrayList<>();
            for (int p = 0; p < 3; p++) {
                parents.add(rt.spawn(() -> {
                    int home = here();
                    StringBuilder bad = new StringBuilder();
                    for (int i = 0; i < 20; i++) {
                        Task<Integer> child = Weft.spawn(() -> {
                            Task<Integer> grandchild = Weft.spawn(PlacementTest::here);
                            int g = grandchild.join();
                            return carrierOf(grandchild) == g && g == here() ? g : -1;
                        });
                        int ran = child.join();
                        if (carrierOf(child) != home || ran != home) {
                            bad.append(" child ").append(i).append(" placed on ").append(carrierOf(child))
                                    .append(", its grandchild ran on ").append(ran);
                        }
                    }
                    return home + ":" + bad;
                }));
            }
            for (int p = 0; p < 3; p++) {
                assertEquals(p + ":", parents.get(p).join(Duration.ofSeconds(10)),
                        "parent on carrier " + p + ": its children left it");
            }
        }
    }

    /**
     * Spill threshold 6, three carriers. The parent (carrier 0) spawns parked children: while its
     * carrier has at most 6 live tasks they stay; the child spawned when it has 7 goes to the least
     * loaded carrier (2, empty), not merely to another one (carrier 1 holds 2 parked tasks).
     */
    @RepeatedTest(3)
    void anOverloadedCarrierSpillsToTheLeastLoaded() throws Exception {
        try (WeftRuntime rt = runtime("spill", 3, 6)) {
            CountDownLatch release = new CountDownLatch(1);
            try {
                CountDownLatch go = new CountDownLatch(1);
                Task<List<Integer>> parent = rt.spawn(() -> {
                    assertTrue(go.await(30, TimeUnit.SECONDS), "never started");
                    List<Integer> placed = new ArrayList<>();
                    List<Task<Integer>> children = new ArrayList<>();
                    for (int i = 0; i < 8; i++) {
                        Task<Integer> c = parkedChild(release);
                        children.add(c);
                        placed.add(carrierOf(c));
                    }
                    // the loads the parent leaves behind: itself and 6 children here, 2 children on carrier 2
                    placed.add(TaskImpl.currentOrNull().carrier().liveTasks());
                    placed.add(carrier(rt, 2).liveTasks());
                    return placed;
                });
                // carrier 1: one task that parks, with one parked child (its own carrier: below the threshold)
                CountDownLatch loaded = new CountDownLatch(1);
                Task<Integer> other = rt.spawn(() -> {
                    Task<Integer> c = parkedChild(release);
                    loaded.countDown();
                    assertTrue(release.await(30, TimeUnit.SECONDS), "never released");
                    return carrierOf(c);
                });
                assertEquals(0, carrierOf(parent));
                assertEquals(1, carrierOf(other));
                assertTrue(loaded.await(10, TimeUnit.SECONDS), "carrier 1 was not loaded");
                assertEquals(2, carrier(rt, 1).liveTasks(), loads(rt));
                assertEquals(0, carrier(rt, 2).liveTasks(), loads(rt));
                go.countDown();
                List<Integer> placed = parent.join(Duration.ofSeconds(10));
                // Before child i the parent's carrier holds 1 + i live tasks: i = 0..5 stay (<= 6),
                // i = 6 (7 live > 6) spills to carrier 2 (0 * 2 < 7), i = 7 (still 7; carrier 2 has 1) too.
                // (Read by the parent: a joiner may wake before the ended parent is uncounted.)
                assertEquals(List.of(0, 0, 0, 0, 0, 0, 2, 2, 7, 2), placed,
                        "carriers of the 8 children, then the live counts of carriers 0 and 2; now " + loads(rt));
            } finally {
                release.countDown();
            }
        }
    }

    /**
     * Spill threshold 4, two carriers, carrier 1 holding 3 parked tasks. Over the threshold the
     * parent's carrier keeps its children while the other has at least half as many live tasks
     * (5 and 6 live against 3: 6 >= 5, 6 >= 6); at 7 live (3 * 2 < 7) the next child spills.
     */
    @RepeatedTest(3)
    void noSpillWhileTheOtherCarriersAreAsLoaded() throws Exception {
        try (WeftRuntime rt = runtime("nospill", 2, 4)) {
            CountDownLatch release = new CountDownLatch(1);
            try {
                CountDownLatch go = new CountDownLatch(1);
                Task<List<String>> parent = rt.spawn(() -> {
                    assertTrue(go.await(30, TimeUnit.SECONDS), "never started");
                    Carrier home = TaskImpl.currentOrNull().carrier();
                    List<String> placed = new ArrayList<>();
                    for (int i = 0; i < 7; i++) {
                        int before = home.liveTasks();
                        placed.add(before + "->" + carrierOf(parkedChild(release)));
                    }
                    return placed;
                });
                CountDownLatch loaded = new CountDownLatch(1);
                Task<Void> other = rt.spawn(() -> {
                    parkedChild(release);
                    parkedChild(release);
                    loaded.countDown();
                    assertTrue(release.await(30, TimeUnit.SECONDS), "never released");
                    return null;
                });
                assertEquals(0, carrierOf(parent));
                assertEquals(1, carrierOf(other));
                assertTrue(loaded.await(10, TimeUnit.SECONDS), "carrier 1 was not loaded");
                assertEquals(3, carrier(rt, 1).liveTasks(), loads(rt));
                go.countDown();
                assertEquals(List.of("1->0", "2->0", "3->0", "4->0", "5->0", "6->0", "7->1"),
                        parent.join(Duration.ofSeconds(10)), loads(rt));
            } finally {
                release.countDown();
            }
        }
    }

    /** A one-carrier runtime never spills, however loaded its carrier. */
    @Test
    void oneCarrierNeverSpills() throws Exception {
        try (WeftRuntime rt = runtime("single", 1, 1)) {
            CountDownLatch release = new CountDownLatch(1);
            try {
                List<Integer> placed = rt.run(() -> {
                    List<Integer> out = new ArrayList<>();
                    for (int i = 0; i < 5; i++) {
                        out.add(carrierOf(parkedChild(release)));
                    }
                    return out;
                });
                assertEquals(List.of(0, 0, 0, 0, 0), placed);
            } finally {
                release.countDown();
            }
        }
    }
}
