package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link Broadcast}: every receiver sees every value, lagging, close, interruption. */
class BroadcastReceiveTest {

    /** Every subscriber sees every value sent after it subscribed, in order. */
    @Test
    void everyReceiverSeesEveryValue() throws Exception {
        Broadcast<Integer> b = Broadcast.create(16);
        BroadcastReceiver<Integer> r1 = b.subscribe();
        b.send(1);
        BroadcastReceiver<Integer> r2 = b.subscribe();
        assertEquals(2, b.send(2));
        assertEquals(new BroadcastResult.Value<>(1), r1.receive());
        assertEquals(new BroadcastResult.Value<>(2), r1.receive());
        assertEquals(new BroadcastResult.Value<>(2), r2.receive());
        assertInstanceOf(BroadcastResult.Empty.class, r1.tryReceive());
        assertEquals(16, b.capacity());
    }

    /** A receiver that falls behind gets Lagged(missed) and then continues with the oldest retained value. */
    @Test
    void lagged() throws Exception {
        Broadcast<Integer> b = Broadcast.create(4);
        BroadcastReceiver<Integer> r = b.subscribe();
        for (int i = 0; i < 10; i++) {
            b.send(i);
        }
        assertEquals(new BroadcastResult.Lagged<>(6), r.receive());
        for (int i = 6; i < 10; i++) {
            assertEquals(new BroadcastResult.Value<>(i), r.receive());
        }
    }

    /**
     * Capacity is a limit, not an up-front allocation: {@code create(Integer.MAX_VALUE)} (never lag)
     * works like any other capacity (it threw OutOfMemoryError allocating the whole ring), and a
     * capacity the retained values grow into lags exactly as a small one does.
     */
    @Test
    void largeCapacityIsALimitNotAnAllocation() throws Exception {
        Broadcast<Integer> huge = Broadcast.create(Integer.MAX_VALUE);
        assertEquals(Integer.MAX_VALUE, huge.capacity());
        BroadcastReceiver<Integer> all = huge.subscribe();
        for (int i = 0; i < 1000; i++) {
            huge.send(i);
        }
        for (int i = 0; i < 1000; i++) {
            assertEquals(new BroadcastResult.Value<>(i), all.receive());
        }
        Broadcast<Integer> b = Broadcast.create(40);
        BroadcastReceiver<Integer> slow = b.subscribe();
        BroadcastReceiver<Integer> fast = b.subscribe();
        for (int i = 0; i < 100; i++) {
            b.send(i);
            assertEquals(new BroadcastResult.Value<>(i), fast.receive());
        }
        assertEquals(new BroadcastResult.Lagged<>(60), slow.receive());
        for (int i = 60; i < 100; i++) {
            assertEquals(new BroadcastResult.Value<>(i), slow.receive());
        }
        assertInstanceOf(BroadcastResult.Empty.class, slow.tryReceive());
    }

    /** A parked receiver wakes on send; after close, receivers drain then see Closed; sends fail. */
    @Test
    void parkAndClose() throws Exception {
        Broadcast<Integer> b = Broadcast.create(4);
        BroadcastReceiver<Integer> r = b.subscribe();
        Threads.Task<BroadcastResult<Integer>> t = Threads.start(r::receive);
        Threads.awaitParked(t);
        b.send(1);
        assertEquals(new BroadcastResult.Value<>(1), t.get());
        b.send(2);
        b.close();
        assertEquals(5, assertThrows(ChannelClosedException.class, () -> b.send(5)).getValue());
        assertEquals(new BroadcastResult.Value<>(2), r.receive());
        assertInstanceOf(BroadcastResult.Closed.class, r.receive());
        BroadcastReceiver<Integer> r2 = b.subscribe();
        Threads.Task<BroadcastResult<Integer>> closedWait = Threads.start(r2::receive);
        assertInstanceOf(BroadcastResult.Closed.class, closedWait.get());
        assertTrue(b.isClosed());
        assertThrows(IllegalArgumentException.class, () -> Broadcast.create(0));
    }

    /** Timed receive returns Empty on timeout; interrupted receive (before/during) consumes nothing. */
    @Test
    void timeoutAndInterruption() throws Exception {
        Broadcast<Integer> b = Broadcast.create(4);
        BroadcastReceiver<Integer> r = b.subscribe();
        assertInstanceOf(BroadcastResult.Empty.class, r.receive(Duration.ofMillis(5)));
        Threads.Task<BroadcastResult<Integer>> during = Threads.start(() -> r.receive(Duration.ofSeconds(30)));
        Threads.awaitParked(during);
        during.thread.interrupt();
        assertInstanceOf(InterruptedException.class, during.join());
        b.send(1);
        Threads.Task<BroadcastResult<Integer>> before = Threads.start(() -> {
            Thread.currentThread().interrupt();
            return r.receive();
        });
        assertInstanceOf(InterruptedException.class, before.join());
        assertEquals(new BroadcastResult.Value<>(1), r.receive());
    }

    /** Unsubscribing lowers the receiver count; a closed receiver reports Closed. */
    @Test
    void unsubscribe() {
        Broadcast<Integer> b = Broadcast.create(2);
        BroadcastReceiver<Integer> r = b.subscribe();
        assertEquals(1, b.receiverCount());
        r.close();
        r.close();
        assertEquals(0, b.receiverCount());
        assertEquals(0, b.send(1));
        assertInstanceOf(BroadcastResult.Closed.class, r.tryReceive());
    }

    /** Concurrent senders and several receivers: each receiver sees every value exactly once when it keeps up. */
    @Test
    void concurrentNoLoss() throws Exception {
        Broadcast<Integer> b = Broadcast.create(1 << 16);
        int n = 20_000;
        List<Threads.Task<Long>> rs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            BroadcastReceiver<Integer> r = b.subscribe();
            rs.add(Threads.start(() -> {
                long sum = 0;
                while (r.receive() instanceof BroadcastResult.Value<Integer>(Integer v)) {
                    sum += v;
                }
                return sum;
            }));
        }
        Threads.Task<Void> s1 = Threads.start(() -> { for (int i = 1; i <= n; i++) b.send(i); return null; });
        Threads.Task<Void> s2 = Threads.start(() -> { for (int i = 1; i <= n; i++) b.send(i); return null; });
        s1.get();
        s2.get();
        b.close();
        for (Threads.Task<Long> r : rs) {
            assertEquals(2L * n * (n + 1) / 2, r.get());
        }
    }
}
