package dev.weft.structured;

import dev.weft.core.Task;
import dev.weft.core.Weft;
import dev.weft.core.WeftRuntime;
import dev.weft.core.sync.Channel;
import dev.weft.core.sync.ReceiveResult;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SelectLosslessTest {
    /** One runtime for the class, closed after its last test. */
    @AutoClose
    static final WeftRuntime rt = TestSupport.runtime();

    /**
     * A million messages over two channels, taken by competing receivers that use fair, biased,
     * timer-armed and default-branch selects and plain receives: each is delivered exactly once.
     */
    @Test
    void millionSelectsDeliverEachMessageOnce() throws Exception {
        competingReceivers(500_000);
    }

    /** The same exactly-once property, smaller, run many times. */
    @RepeatedTest(10)
    void exactlyOnceRepeated() throws Exception {
        competingReceivers(20_000);
    }

    private static void competingReceivers(int perChannel) throws Exception {
        rt.run(() -> {
            Channel<Long> a = Channel.bounded(64);
            Channel<Long> b = Channel.bounded(64);
            Channel<Long> stop = Channel.unbounded();
            AtomicLong count = new AtomicLong();
            AtomicLong sum = new AtomicLong();
            int receivers = 5;
            try (Scope scope = Scope.open("lossless")) {
                Fork<Void> pa = scope.fork("producer-a", () -> produce(a, 1, perChannel));
                Fork<Void> pb = scope.fork("producer-b", () -> produce(b, perChannel + 1, perChannel));
                List<Fork<Void>> plain = new ArrayList<>();
                for (int r = 0; r < receivers; r++) {
                    int kind = r;
                    Fork<Void> f = scope.fork("receiver-" + r, () -> {
                        long n = 0;
                        long s = 0;
                        try {
                            while (true) {
                                Long v = switch (kind) {
                                    case 0 -> Structured.select(a.onReceive(), b.onReceive(), stop.onReceive());
                                    case 1 -> Structured.selectBiased(a.onReceive(), b.onReceive(), stop.onReceive());
                                    case 2 -> Structured.select(a.onReceive(), b.onReceive(), stop.onReceive(),
                                            Clauses.after(Duration.ofHours(1)).map(d -> 0L));
                                    case 3 -> {
                                        Optional<Long> o = Structured.trySelect(a.onReceive(), b.onReceive(),
                                                stop.onReceive());
                                        if (o.isEmpty()) {
                                            Weft.yieldNow();
                                            yield 0L;
                                        }
                                        yield o.get();
                                    }
                                    // A plain receive, cancelled (interrupted) at the end: cancel-safe.
                                    default -> (n & 1) == 0 ? a.receive() : b.receive();
                                };
                                if (v == -1L) {
                                    break;
                                }
                                if (v > 0) {
                                    n++;
                                    s += v;
                                }
                            }
                        } catch (InterruptedException cancelled) {
                            // the plain receiver's way out
                        } finally {
                            count.addAndGet(n);
                            sum.addAndGet(s);
                        }
                        return null;
                    });
                    if (kind == 4) {
                        plain.add(f);
                    }
                }
                pa.join();
                pb.join();
                for (int i = 0; i < receivers; i++) {
                    stop.send(-1L);
                }
                plain.forEach(Fork::cancel);
                scope.join();
            }
            // Receivers may stop with messages left over (at most the channels' capacity): still there.
            for (Channel<Long> ch : List.of(a, b)) {
                ReceiveResult<Long> r;
                while ((r = ch.tryReceive()) instanceof ReceiveResult.Value<Long>(Long v)) {
                    count.incrementAndGet();
                    sum.addAndGet(v);
                }
            }
            long n = 2L * perChannel;
            assertEquals(n, count.get(), "every message delivered exactly once (count)");
            assertEquals(n * (n + 1) / 2, sum.get(), "every message delivered exactly once (sum)");
            return null;
        });
    }

    private static Void produce(Channel<Long> ch, long first, int count) throws InterruptedException {
        for (long v = first; v < first + count; v++) {
            ch.send(v);
        }
        return null;
    }

    /** Fair select serves every ready branch; biased always takes the first ready one. */
    @Test
    void fairAndBiased() throws Exception {
        rt.run(() -> {
            Channel<String> a = Channel.bounded(2000);
            Channel<String> b = Channel.bounded(2000);
            for (int i = 0; i < 1000; i++) {
                a.send("a");
                b.send("b");
            }
            int fromA = 0;
            for (int i = 0; i < 1000; i++) {
                if (Structured.select(a.onReceive(), b.onReceive()).equals("a")) {
                    fromA++;
                }
            }
            assertTrue(fromA > 300 && fromA < 700, "fair: " + fromA + " of 1000 from a");
            int biasedA = 0;
            for (int i = 0; i < a.size(); ) {
                if (Structured.selectBiased(a.onReceive(), b.onReceive()).equals("a")) {
                    biasedA++;
                } else {
                    break;
                }
            }
            assertEquals(1000 - fromA, biasedA, "biased drains the first channel before touching the second");
            assertEquals("a", Structured.trySelectBiased(b.onSend("x"), a.onSend("a")).isPresent()
                    ? "a" : "none");
            return null;
        });
    }

    /** The default branch: nothing ready, trySelect returns empty at once and takes nothing. */
    @Test
    void defaultBranch() throws Exception {
        rt.run(() -> {
            Channel<Integer> a = Channel.bounded(1);
            Channel<Integer> full = Channel.bounded(1);
            full.send(0);
            assertTrue(Structured.trySelect(a.onReceive(), full.onSend(5)).isEmpty());
            assertTrue(Structured.trySelectBiased(a.onReceive(), full.onSend(5)).isEmpty());
            assertEquals(0, full.receive(), "the losing send sent nothing");
            a.send(3);
            assertEquals(Optional.of(3), Structured.trySelect(a.onReceive(), Clauses.after(Duration.ofHours(1)).map(d -> -1)));
            assertEquals(0, a.size());
            assertEquals("dflt", Structured.<Integer>trySelect(a.onReceive()).map(String::valueOf).orElse("dflt"));
            return null;
        });
    }

    /** Exactly one of two ready sends commits. */
    @RepeatedTest(10)
    void oneSendCommits() throws Exception {
        rt.run(() -> {
            Channel<Integer> a = Channel.bounded(1);
            Channel<Integer> b = Channel.bounded(1);
            int r = Structured.select(a.onSend(1), b.onSend(2));
            assertEquals(1, a.size() + b.size());
            assertEquals(r == 1 ? 1 : 0, a.size());
            return null;
        });
    }

    /** A timer branch wins when nothing else happens in time, and the channel loses nothing. */
    @RepeatedTest(10)
    void timerBranch() throws Exception {
        rt.run(() -> {
            Channel<String> ch = Channel.bounded(1);
            String r = Structured.select(ch.onReceive(), Clauses.after(Duration.ofMillis(5)).map(d -> "timeout"));
            assertEquals("timeout", r);
            ch.send("kept");
            assertEquals("kept", Structured.select(ch.onReceive(), Clauses.after(Duration.ofHours(1)).map(d -> "t")));
            assertEquals(Duration.ZERO, Structured.select(Clauses.after(Duration.ZERO)));
            return null;
        });
    }

    /** Fork and task completion branches win once the fork or task ends; the channel branch takes nothing. */
    @RepeatedTest(10)
    void completionBranches() throws Exception {
        rt.run(() -> {
            Channel<String> ch = Channel.bounded(1);
            try (Scope scope = Scope.open("completion")) {
                CountDownLatch go = new CountDownLatch(1);
                Fork<Integer> f = scope.fork("f", () -> {
                    go.await();
                    return 1;
                });
                rt.spawn(() -> {
                    go.countDown();
                    return null;
                });
                Object won = Structured.select(ch.onReceive(), f.onComplete());
                assertSame(f, won);
                assertEquals(1, f.resultNow());
                scope.join();
            }
            CountDownLatch go = new CountDownLatch(1);
            Task<String> t = rt.spawn(() -> {
                go.await();
                return "task";
            });
            rt.spawn(() -> {
                go.countDown();
                return null;
            });
            Task<String> done = Structured.select(ch.onReceive().map(s -> (Task<String>) null), Clauses.completion(t));
            assertEquals("task", done.join());
            assertSame(t, Structured.select(Clauses.completion(t)));
            ch.send("still here");
            assertEquals("still here", ch.receive());
            return null;
        });
    }

    /** A select interrupted before or during it throws, and commits nothing. */
    @RepeatedTest(10)
    void interrupted() throws Exception {
        rt.run(() -> {
            Channel<Integer> a = Channel.bounded(1);
            try (Scope scope = Scope.open("interrupted")) {
                Fork<Object> never = scope.fork(TestSupport::parkForever);
                Thread.currentThread().interrupt();
                assertThrows(InterruptedException.class,
                        () -> Structured.select(a.onReceive(), never.onComplete(), Clauses.after(Duration.ofHours(1))));
                Thread.currentThread().interrupt();
                assertThrows(InterruptedException.class, () -> Structured.trySelect(a.onReceive()));
                Thread me = Thread.currentThread();
                Task<?> interrupter = rt.spawn(() -> {
                    TestSupport.awaitParked(me);
                    me.interrupt();
                    return null;
                });
                assertThrows(InterruptedException.class,
                        () -> Structured.select(a.onReceive(), never.onComplete(), Clauses.after(Duration.ofHours(1))));
                interrupter.join();
                a.send(4);
                assertEquals(4, a.receive(), "nothing was taken by the interrupted select");
                scope.cancel();
                assertThrows(java.util.concurrent.CancellationException.class, scope::join);
            }
            return null;
        });
    }

    /** Many selects waiting on one fork's completion all win on it. */
    @Test
    void manyObserversOfOneFork() throws Exception {
        rt.run(() -> {
            try (Scope scope = Scope.open("observed")) {
                CountDownLatch go = new CountDownLatch(1);
                Fork<Integer> f = scope.fork(() -> {
                    go.await();
                    return 3;
                });
                List<Task<Integer>> observers = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    observers.add(rt.spawn(() -> Structured.select(f.onComplete()).resultNow()));
                }
                go.countDown();
                for (Task<Integer> o : observers) {
                    assertEquals(3, o.join());
                }
                scope.join();
            }
            return null;
        });
    }

    /** A channel closed while selecting makes the select throw ChannelClosedException. */
    @Test
    void closedChannel() throws Exception {
        rt.run(() -> {
            Channel<Integer> a = Channel.bounded(1);
            a.close();
            assertInstanceOf(dev.weft.core.sync.ChannelClosedException.class,
                    assertThrows(RuntimeException.class, () -> Structured.select(a.onReceive())));
            return null;
        });
    }
}
