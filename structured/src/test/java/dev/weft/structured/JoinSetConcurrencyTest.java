package dev.weft.structured;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JoinSet under a closed runtime and with several threads taking results. */
class JoinSetConcurrencyTest {
    /** One runtime for the class, closed after its last test. */
    @AutoClose
    static final WeftRuntime rt = TestSupport.runtime();

    /**
     * A spawn the closed runtime rejects throws (naming the runtime) and leaves the set as it was:
     * size unchanged, and no result for the task the caller never got.
     */
    @Test
    void rejectedSpawnLeavesNoTrace() throws Exception {
        WeftRuntime closing = WeftRuntime.builder().name("closing-rt").carriers(1).build();
        AtomicReference<Throwable> problem = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        CountDownLatch spawned = new CountDownLatch(1);
        closing.spawn("owner", () -> {
            try (JoinSet<String> set = new JoinSet<>("rejecting")) {
                set.spawn("before", () -> "before");
                JoinResult<String> first = set.joinNext().orElseThrow();
                assertEquals(new JoinResult.Success<>("before", "before"), first);
                CountDownLatch release = new CountDownLatch(1);
                set.spawn("running", () -> {
                    release.await();
                    return "running";
                });
                spawned.countDown();
                TestSupport.await("runtime to close its door", closing::isClosed);
                RejectedExecutionException e = assertThrows(RejectedExecutionException.class,
                        () -> set.spawn("rejected", () -> "never"));
                assertTrue(e.getMessage().contains("closing-rt"), "names the runtime: " + e.getMessage());
                assertEquals(1, set.size(), "the rejected task is not counted");
                assertEquals(Optional.empty(), set.tryJoinNext(), "no result for the rejected task");
                release.countDown();
                assertEquals(new JoinResult.Success<>("running", "running"), set.joinNext().orElseThrow(),
                        "the real result is not replaced by one for the rejected task");
                assertEquals(Optional.empty(), set.joinNext());
                assertEquals(0, set.size());
            } catch (Throwable t) {
                problem.set(t);
            } finally {
                spawned.countDown();
                done.countDown();
            }
            return null;
        });
        assertTrue(spawned.await(30, TimeUnit.SECONDS), "the owner did not spawn its tasks");
        Thread closer = Thread.ofPlatform().start(() -> closing.shutdown(Duration.ofSeconds(30)));
        assertTrue(done.await(30, TimeUnit.SECONDS), "the owner task did not finish");
        closer.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(closer.isAlive(), "shutdown did not end");
        if (problem.get() != null) {
            throw new AssertionError("owner failed", problem.get());
        }
    }

    /**
     * Several threads call joinNext on a set with fewer tasks than callers: each result goes to
     * exactly one caller and the others return empty instead of parking forever.
     */
    @RepeatedTest(200)
    void concurrentJoinNextCallersNeverHang() throws Exception {
        rt.run(() -> {
            try (JoinSet<Integer> set = new JoinSet<>("shared")) {
                CountDownLatch release = new CountDownLatch(1);
                set.spawn(() -> {
                    release.await();
                    return 7;
                });
                int callers = 4;
                CountDownLatch ready = new CountDownLatch(callers);
                List<Thread> threads = new ArrayList<>();
                List<Optional<JoinResult<Integer>>> results = java.util.Collections.synchronizedList(new ArrayList<>());
                AtomicReference<Throwable> problem = new AtomicReference<>();
                for (int i = 0; i < callers; i++) {
                    threads.add(Thread.ofVirtual().start(() -> {
                        try {
                            ready.countDown();
                            results.add(set.joinNext());
                        } catch (Throwable t) {
                            problem.set(t);
                        }
                    }));
                }
                ready.await();
                for (Thread t : threads) {
                    TestSupport.awaitParked(t);
                }
                release.countDown();
                for (Thread t : threads) {
                    assertTrue(t.join(Duration.ofSeconds(10)),
                            "a joinNext caller hangs although the set's only result was taken: " + results);
                }
                if (problem.get() != null) {
                    throw new AssertionError("a caller failed", problem.get());
                }
                assertEquals(1, results.stream().filter(Optional::isPresent).count(), "one caller gets it: " + results);
                assertEquals(callers - 1, results.stream().filter(Optional::isEmpty).count(), results.toString());
                assertEquals(0, set.size());
            }
            return null;
        });
    }

    /** Callers racing on a set of several tasks take each result exactly once. */
    @RepeatedTest(50)
    void concurrentDrainTakesEachResultOnce() throws Exception {
        rt.run(() -> {
            try (JoinSet<Integer> set = new JoinSet<>("drain")) {
                int tasks = 50;
                for (int i = 0; i < tasks; i++) {
                    int n = i;
                    set.spawn(() -> n);
                }
                List<Integer> taken = java.util.Collections.synchronizedList(new ArrayList<>());
                List<Thread> threads = new ArrayList<>();
                AtomicReference<Throwable> problem = new AtomicReference<>();
                for (int c = 0; c < 3; c++) {
                    threads.add(Thread.ofVirtual().start(() -> {
                        try {
                            Optional<JoinResult<Integer>> r;
                            while ((r = set.joinNext()).isPresent()) {
                                taken.add(r.get().valueOrThrow());
                            }
                        } catch (Throwable t) {
                            problem.set(t);
                        }
                    }));
                }
                for (Thread t : threads) {
                    assertTrue(t.join(Duration.ofSeconds(10)), "a draining caller hangs: took " + taken.size());
                }
                if (problem.get() != null) {
                    throw new AssertionError("a caller failed", problem.get());
                }
                assertEquals(tasks, taken.size());
                assertEquals(tasks, taken.stream().distinct().count(), "a result was taken twice: " + taken);
            }
            return null;
        });
    }
}
