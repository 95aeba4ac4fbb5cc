package dev.weft.structured;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JoinSetTest {
    /** One runtime for the class, closed after its last test. */
    @AutoClose
    static final WeftRuntime rt = TestSupport.runtime();

    /** joinNext returns every result once, then empty; size counts results not yet taken. */
    @RepeatedTest(10)
    void joinNextDrains() throws Exception {
        rt.run(() -> {
            try (JoinSet<Integer> set = new JoinSet<>("drain")) {
                assertEquals(Optional.empty(), set.joinNext());
                for (int i = 0; i < 100; i++) {
                    int n = i;
                    set.spawn(() -> n);
                }
                assertEquals(100, set.size());
                Set<Integer> seen = new HashSet<>();
                Optional<JoinResult<Integer>> r;
                while ((r = set.joinNext()).isPresent()) {
                    assertTrue(seen.add(r.get().valueOrThrow()));
                }
                assertEquals(100, seen.size());
                assertEquals(0, set.size());
            }
            return null;
        });
    }

    /** Results come in completion order, and a failure is reported without affecting the others. */
    @RepeatedTest(10)
    void completionOrderAndFailure() throws Exception {
        rt.run(() -> {
            try (JoinSet<String> set = new JoinSet<>("order")) {
                CountDownLatch second = new CountDownLatch(1);
                set.spawn("late", () -> {
                    second.await();
                    return "late";
                });
                set.spawn("failing", () -> { throw new IOException("x"); });
                JoinResult<String> first = set.joinNext().orElseThrow();
                assertInstanceOf(JoinResult.Failure.class, first);
                assertEquals("failing", first.name());
                assertThrows(ForkFailedException.class, first::valueOrThrow);
                second.countDown();
                assertEquals(new JoinResult.Success<>("late", "late"), set.joinNext().orElseThrow());
            }
            return null;
        });
    }

    /** joinAll returns all values; with a failure it cancels the rest and throws it. */
    @RepeatedTest(10)
    void joinAll() throws Exception {
        rt.run(() -> {
            try (JoinSet<Integer> set = new JoinSet<>("all")) {
                for (int i = 0; i < 10; i++) {
                    int n = i;
                    set.spawn(() -> n);
                }
                assertEquals(45, set.joinAll().stream().mapToInt(Integer::intValue).sum());
                AtomicInteger ended = new AtomicInteger();
                for (int i = 0; i < 3; i++) {
                    set.spawn(() -> {
                        try {
                            return TestSupport.parkForever();
                        } finally {
                            ended.incrementAndGet();
                        }
                    });
                }
                set.spawn(() -> { throw new IOException("bad"); });
                ForkFailedException e = assertThrows(ForkFailedException.class, set::joinAll);
                assertInstanceOf(IOException.class, e.getCause());
                assertEquals(3, ended.get());
                assertTrue(set.isEmpty());
            }
            return null;
        });
    }

    /** cancelAll cancels running tasks; their results come out as Cancelled; the set stays usable. */
    @RepeatedTest(10)
    void cancelAll() throws Exception {
        rt.run(() -> {
            try (JoinSet<Object> set = new JoinSet<>("cancel")) {
                CountDownLatch started = new CountDownLatch(5);
                for (int i = 0; i < 5; i++) {
                    set.spawn(() -> {
                        started.countDown();
                        return TestSupport.parkForever();
                    });
                }
                started.await();
                set.cancelAll();
                for (int i = 0; i < 5; i++) {
                    assertInstanceOf(JoinResult.Cancelled.class, set.joinNext().orElseThrow());
                }
                assertThrows(CancellationException.class, () -> new JoinResult.Cancelled<>("x").valueOrThrow());
                set.spawn(() -> "again");
                assertEquals("again", set.joinNext().orElseThrow().valueOrThrow());
            }
            return null;
        });
    }

    /** close cancels the tasks left and returns only after they ended. */
    @RepeatedTest(10)
    void closeCancelsAndWaits() throws Exception {
        rt.run(() -> {
            AtomicInteger ended = new AtomicInteger();
            CountDownLatch started = new CountDownLatch(10);
            JoinSet<Object> set = new JoinSet<>("close");
            for (int i = 0; i < 10; i++) {
                set.spawn(() -> {
                    started.countDown();
                    try {
                        return TestSupport.parkForever();
                    } finally {
                        ended.incrementAndGet();
                    }
                });
            }
            started.await();
            set.close();
            assertEquals(10, ended.get());
            assertEquals(0, set.size());
            return null;
        });
    }

    /** joinNext interrupted before or during throws and loses no result. */
    @RepeatedTest(10)
    void joinNextInterrupted() throws Exception {
        rt.run(() -> {
            try (JoinSet<Integer> set = new JoinSet<>("interrupt")) {
                CountDownLatch go = new CountDownLatch(1);
                set.spawn(() -> {
                    go.await();
                    return 1;
                });
                Thread.currentThread().interrupt();
                assertThrows(InterruptedException.class, set::joinNext);
                Thread me = Thread.currentThread();
                dev.weft.core.Task<?> interrupter = rt.spawn(() -> {
                    TestSupport.awaitParked(me);
                    me.interrupt();
                    return null;
                });
                assertThrows(InterruptedException.class, set::joinNext);
                interrupter.join();
                assertEquals(1, set.size());
                go.countDown();
                assertEquals(1, set.joinNext().orElseThrow().valueOrThrow());
                assertFalse(set.tryJoinNext().isPresent());
            }
            return null;
        });
    }

    /** onJoinNext takes part in a select and takes a result only when it wins. */
    @Test
    void onJoinNextInSelect() throws Exception {
        rt.run(() -> {
            try (JoinSet<Integer> set = new JoinSet<>("select")) {
                dev.weft.core.sync.Channel<Integer> ch = dev.weft.core.sync.Channel.bounded(1);
                ch.send(5);
                Fork<Integer> f = set.spawn(() -> 9);
                f.join();
                List<Integer> got = new java.util.ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    got.add(Structured.selectBiased(ch.onReceive(), set.onJoinNext().map(JoinResult::valueOrThrow)));
                }
                assertEquals(List.of(5, 9), got);
                assertTrue(set.isEmpty());
            }
            return null;
        });
    }
}
