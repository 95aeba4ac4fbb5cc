package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Close racing the other operations of each primitive, many rounds each: nothing sent before the
 * close is lost, nothing refused by it was delivered, and nobody is left parked.
 */
class SyncCloseRaceTest {
    static final int ROUNDS = 300;

    /**
     * Receivers and receiving selects (capacities 1, 2, 1024, unbounded) race a close that follows
     * the last send: every value is received exactly once and every receiver ends with "closed".
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 1024, 0})
    void channelCloseRacingReceivers(int capacity) throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Channel<Integer> ch = ChannelSendReceiveTest.channel(capacity);
            LongAdder sum = new LongAdder();
            LongAdder count = new LongAdder();
            List<Threads.Task<Void>> rs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                boolean select = i == 0;
                rs.add(Threads.start(() -> {
                    try {
                        while (true) {
                            int v = select ? Select.select(ch.onReceive()) : ch.receive();
                            sum.add(v);
                            count.increment();
                        }
                    } catch (ChannelClosedException e) {
                        return null;
                    }
                }));
            }
            int n = 20;
            for (int i = 1; i <= n; i++) {
                ch.send(i);
            }
            ch.close();
            for (Threads.Task<Void> r : rs) {
                r.get();
            }
            assertEquals(n, count.sum(), "round " + round);
            assertEquals(n * (n + 1) / 2, sum.sum(), "round " + round);
        }
    }

    /** A oneshot's send racing its close: either the send succeeds and the value is received once, or it is handed back. */
    @Test
    void oneshotSendRacingClose() throws Exception {
        int delivered = 0;
        int refused = 0;
        for (int round = 0; round < ROUNDS * 3; round++) {
            Oneshot<Integer> o = new Oneshot<>();
            Threads.Task<Integer> receiver = Threads.start(() -> {
                try {
                    return o.receive();
                } catch (ChannelClosedException e) {
                    return null;
                }
            });
            Threads.Task<Boolean> sender = Threads.start(() -> {
                try {
                    o.send(42);
                    return true;
                } catch (ChannelClosedException e) {
                    assertEquals(42, e.getValue(), "the refused value is handed back");
                    return false;
                }
            });
            o.close();
            boolean sent = sender.get();
            Integer got = receiver.get();
            if (sent) {
                // the receiver got it, or (if it saw "closed" first) it is still there, once
                Integer v = got != null ? got : o.tryReceive() instanceof ReceiveResult.Value<Integer>(Integer x) ? x : null;
                assertEquals(42, v, "a sent value is not lost");
                delivered++;
            } else {
                assertNull(got, "a refused value was not delivered");
                refused++;
            }
            assertInstanceOf(ReceiveResult.Closed.class, o.tryReceive());
        }
        assertEquals(ROUNDS * 3, delivered + refused);
    }

    /** Broadcast receivers and receiving selects racing close see every value sent before it, then Closed. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 1024})
    void broadcastCloseRacingReceivers(int capacity) throws Exception {
        int n = Math.min(capacity, 20); // no lag: each receiver must see every value
        for (int round = 0; round < ROUNDS; round++) {
            Broadcast<Integer> b = Broadcast.create(capacity);
            List<Threads.Task<Long>> rs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                BroadcastReceiver<Integer> r = b.subscribe();
                boolean select = i == 0;
                rs.add(Threads.start(() -> {
                    long sum = 0;
                    while (true) {
                        BroadcastResult<Integer> res = select ? Select.select(r.onReceive()) : r.receive();
                        if (res instanceof BroadcastResult.Value<Integer>(Integer v)) {
                            sum += v;
                        } else if (res instanceof BroadcastResult.Closed) {
                            return sum;
                        } else {
                            fail("unexpected " + res);
                        }
                    }
                }));
            }
            for (int i = 1; i <= n; i++) {
                assertEquals(3, b.send(i));
            }
            b.close();
            for (Threads.Task<Long> r : rs) {
                assertEquals((long) n * (n + 1) / 2, r.get(), "round " + round);
            }
        }
    }

    /** A watch closed right after a send: every parked changed() and select reports the value, then closed. */
    @Test
    void watchCloseRacingChanged() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Watch<Integer> w = new Watch<>(0);
            List<Threads.Task<Integer>> rs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                WatchReceiver<Integer> r = w.subscribe();
                boolean select = i == 0;
                rs.add(Threads.start(() -> {
                    int last = 0;
                    try {
                        while (true) {
                            if (select) {
                                last = Select.select(r.onChanged());
                            } else {
                                r.changed();
                                last = r.borrow();
                            }
                        }
                    } catch (ChannelClosedException e) {
                        return last;
                    }
                }));
            }
            w.send(1);
            w.send(2);
            w.close();
            for (Threads.Task<Integer> r : rs) {
                assertEquals(2, r.get(), "round " + round + ": the last value before close was seen");
            }
        }
    }

    /** Acquirers racing close either hold permits (returned later) or get SemaphoreClosedException; none hangs. */
    @Test
    void semaphoreCloseRacingAcquirers() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Semaphore s = new Semaphore(1);
            AtomicInteger closedSeen = new AtomicInteger();
            List<Threads.Task<Void>> ts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                int kind = i;
                ts.add(Threads.start(() -> {
                    try {
                        while (true) {
                            SemaphorePermit p = switch (kind) {
                                case 0 -> Select.select(s.onAcquire(1));
                                case 1 -> s.acquire(1, Threads.LONG).orElseThrow();
                                default -> s.acquire();
                            };
                            p.close();
                        }
                    } catch (SemaphoreClosedException e) {
                        closedSeen.incrementAndGet();
                        return null;
                    }
                }));
            }
            Thread.yield();
            s.close();
            for (Threads.Task<Void> t : ts) {
                t.get();
            }
            assertEquals(4, closedSeen.get());
            assertEquals(1, s.availablePermits(), "round " + round + ": the permit came back");
            assertEquals(0, s.waiterCount());
        }
    }

    /** A timed receive racing the send that would satisfy it: it returns the value or Empty, never both or neither. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 1024, 0})
    void timeoutRacingHandOff(int capacity) throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            Channel<Integer> ch = ChannelSendReceiveTest.channel(capacity);
            Threads.Task<ReceiveResult<Integer>> r = Threads.start(() -> ch.receive(Duration.ofNanos(20_000)));
            ch.send(round);
            ReceiveResult<Integer> got = r.get();
            if (got instanceof ReceiveResult.Value<Integer>(Integer v)) {
                assertEquals(round, v);
                assertInstanceOf(ReceiveResult.Empty.class, ch.tryReceive(), "taken once");
            } else {
                assertInstanceOf(ReceiveResult.Empty.class, got);
                assertEquals(new ReceiveResult.Value<>(round), ch.tryReceive(), "a timed-out receive took nothing");
            }
        }
    }
}
