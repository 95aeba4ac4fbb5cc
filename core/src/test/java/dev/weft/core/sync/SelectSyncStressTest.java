package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Concurrent selects over the same oneshots, broadcast receivers, watch receivers, semaphores and
 * notifies (competing with each other, with plain operations and with their own timeouts and
 * interrupts) never both take one value and never drop one: checked by count and sum.
 */
class SelectSyncStressTest {

    /** A value tagged with the index of the source it came from. */
    record From<V>(int source, V value) {}

    /** What a consumer's select returns when it was stopped or timed out. */
    private static final From<Integer> STOPPED = new From<>(-1, 0);

    /** Waits (bounded) for {@code ack} to be released; a change or notification that nobody took would hang here. */
    static void awaitAck(Semaphore ack, String what) throws InterruptedException {
        Optional<SemaphorePermit> p = ack.acquire(1, Threads.LONG);
        assertTrue(p.isPresent(), what + " was not taken by anyone within " + Threads.LONG);
        p.get().forget();
    }

    /** A short random timeout, or none (null): timed selects exercise the give-up path. */
    static Duration maybeTimeout(ThreadLocalRandom rnd) {
        return rnd.nextInt(3) == 0 ? Duration.ofNanos(rnd.nextInt(50_000)) : null;
    }

    /** Two selects (one with random timeouts) race over the same pairs of oneshots while they are sent. */
    @Test
    void oneshotsTakenOnce() throws Exception {
        int pairs = 20_000;
        List<Oneshot<Integer>> a = new ArrayList<>();
        List<Oneshot<Integer>> b = new ArrayList<>();
        for (int k = 0; k < pairs; k++) {
            a.add(new Oneshot<>());
            b.add(new Oneshot<>());
        }
        LongAdder count = new LongAdder();
        LongAdder sum = new LongAdder();
        List<Threads.Task<Void>> consumers = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            boolean timed = c == 1;
            consumers.add(Threads.start(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (int k = 0; k < pairs; k++) {
                    try {
                        Duration t = timed ? maybeTimeout(rnd) : null;
                        Optional<Integer> v = t == null
                                ? Optional.of(Select.select(a.get(k).onReceive(), b.get(k).onReceive()))
                                : Select.select(t, a.get(k).onReceive(), b.get(k).onReceive());
                        if (v.isPresent()) {
                            count.increment();
                            sum.add(v.get());
                        }
                    } catch (ChannelClosedException e) {
                        // that oneshot's value went to the other select; the other one is left over
                    }
                }
                return null;
            }));
        }
        Threads.Task<Void> producer = Threads.start(() -> {
            for (int k = 0; k < pairs; k++) {
                a.get(k).send(2 * k + 1);
                b.get(k).send(2 * k + 2);
            }
            return null;
        });
        producer.get();
        for (Threads.Task<Void> c : consumers) {
            c.get();
        }
        for (int k = 0; k < pairs; k++) { // what neither select took is still there, once
            for (Oneshot<Integer> o : List.of(a.get(k), b.get(k))) {
                if (o.tryReceive() instanceof ReceiveResult.Value<Integer>(Integer v)) {
                    count.increment();
                    sum.add(v);
                }
            }
        }
        long n = 2L * pairs;
        assertEquals(n, count.sum(), "values taken");
        assertEquals(n * (n + 1) / 2, sum.sum(), "sum of values taken");
    }

    /** Selects and a plain receive share two broadcast receivers: each value is returned exactly once. */
    @Test
    void broadcastReceiversSharedBySelects() throws Exception {
        int n = 40_000;
        Broadcast<Integer> x = Broadcast.create(n); // room for all: nothing lags
        Broadcast<Integer> y = Broadcast.create(n);
        BroadcastReceiver<Integer> rx = x.subscribe();
        BroadcastReceiver<Integer> ry = y.subscribe();
        LongAdder count = new LongAdder();
        LongAdder sum = new LongAdder();
        AtomicLong lagged = new AtomicLong();
        List<Threads.Task<Void>> consumers = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            int kind = c;
            consumers.add(Threads.start(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (true) {
                    BroadcastResult<Integer> r;
                    if (kind == 0) {
                        r = rx.receive();
                    } else {
                        Duration t = kind == 2 ? maybeTimeout(rnd) : null;
                        if (t == null) {
                            r = Select.select(rx.onReceive(), ry.onReceive());
                        } else {
                            Optional<BroadcastResult<Integer>> o = Select.select(t, rx.onReceive(), ry.onReceive());
                            if (o.isEmpty()) {
                                continue;
                            }
                            r = o.get();
                        }
                    }
                    switch (r) {
                        case BroadcastResult.Value<Integer>(Integer v) -> {
                            count.increment();
                            sum.add(v);
                        }
                        case BroadcastResult.Lagged<Integer>(long missed) -> lagged.addAndGet(missed);
                        case BroadcastResult.Closed<Integer>() -> {
                            return null; // the rest is drained below
                        }
                        case BroadcastResult.Empty<Integer>() -> fail("Empty from a receive without timeout");
                    }
                }
            }));
        }
        // One producer sends to x and then at once to y, often while the consumers are parked on
        // both: the send to y then finds the registration of a select that x's send decided and
        // that has not yet withdrawn it, the case where a careless clause would take a value.
        Threads.Task<Void> producer = Threads.start(() -> {
            for (int i = 1; i <= n; i++) {
                x.send(i);
                y.send(i);
                if ((i & 3) == 0) {
                    Thread.yield(); // let the consumers catch up and park
                }
            }
            return null;
        });
        producer.get();
        x.close();
        y.close();
        for (Threads.Task<Void> c : consumers) {
            c.get();
        }
        for (BroadcastReceiver<Integer> r : List.of(rx, ry)) {
            while (r.tryReceive() instanceof BroadcastResult.Value<Integer>(Integer v)) {
                count.increment();
                sum.add(v);
            }
        }
        assertEquals(0, lagged.get(), "the ring held every value");
        assertEquals(2L * n, count.sum(), "values received");
        assertEquals(2L * n * (n + 1) / 2, sum.sum(), "sum of values received");
    }

    /**
     * Selects (one with random timeouts) and a plain {@code changed} share two watch receivers;
     * each producer waits until its change was taken before the next, so every change is reported
     * to exactly one of them.
     */
    @Test
    void watchChangesTakenOnce() throws Exception {
        int n = 5_000;
        List<Watch<Integer>> watches = List.of(new Watch<>(0), new Watch<>(0));
        List<WatchReceiver<Integer>> rs = List.of(watches.get(0).subscribe(), watches.get(1).subscribe());
        List<Semaphore> acks = List.of(new Semaphore(0), new Semaphore(0));
        CancellationToken stop = new CancellationToken();
        long[] counts = new long[2];
        long[] sums = new long[2];
        Object lock = new Object();
        List<Threads.Task<Void>> consumers = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            int kind = c;
            consumers.add(Threads.start(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (!stop.isCancelled()) {
                    From<Integer> got;
                    if (kind == 0) {
                        if (!rs.get(0).changed(Duration.ofMillis(20))) {
                            continue; // re-check stop
                        }
                        got = new From<>(0, rs.get(0).borrow()); // stable: its producer waits for the ack
                    } else {
                        Duration t = kind == 2 ? maybeTimeout(rnd) : null;
                        SelectClause<From<Integer>> c0 = rs.get(0).onChanged().map(v -> new From<>(0, v));
                        SelectClause<From<Integer>> c1 = rs.get(1).onChanged().map(v -> new From<>(1, v));
                        // Not map(s -> null): a timed select cannot return a null result (empty means timed out).
                        SelectClause<From<Integer>> end = stop.onCancelled().map(s -> STOPPED);
                        got = t == null ? Select.select(c0, c1, end) : Select.select(t, c0, c1, end).orElse(STOPPED);
                        if (got == STOPPED) {
                            continue; // stopped or timed out: re-check stop
                        }
                    }
                    synchronized (lock) {
                        counts[got.source()]++;
                        sums[got.source()] += got.value();
                    }
                    acks.get(got.source()).release(1);
                }
                return null;
            }));
        }
        List<Threads.Task<Void>> producers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            Watch<Integer> watch = watches.get(w);
            Semaphore ack = acks.get(w);
            producers.add(Threads.start(() -> {
                for (int i = 1; i <= n; i++) {
                    watch.send(i);
                    awaitAck(ack, "change " + i);
                }
                return null;
            }));
        }
        for (Threads.Task<Void> p : producers) {
            p.get();
        }
        stop.cancel();
        for (Threads.Task<Void> c : consumers) {
            c.get();
        }
        synchronized (lock) {
            for (int w = 0; w < 2; w++) {
                assertEquals(n, counts[w], "changes taken from watch " + w);
                assertEquals((long) n * (n + 1) / 2, sums[w], "sum of changes taken from watch " + w);
                assertFalse(rs.get(w).hasChanged(), "no change left unseen");
                assertEquals(0, acks.get(w).availablePermits(), "no change taken twice");
            }
        }
    }

    /**
     * Selects (one with random timeouts) and a plain {@code notified} wait on two notifies; each
     * {@code notifyOne} is taken by exactly one of them, and none is left stored.
     */
    @Test
    void notificationsTakenOnce() throws Exception {
        int n = 5_000;
        List<Notify> notifies = List.of(new Notify(), new Notify());
        List<Semaphore> acks = List.of(new Semaphore(0), new Semaphore(0));
        CancellationToken stop = new CancellationToken();
        AtomicInteger[] counts = {new AtomicInteger(), new AtomicInteger()};
        List<Threads.Task<Void>> consumers = new ArrayList<>();
        for (int c = 0; c < 3; c++) {
            int kind = c;
            consumers.add(Threads.start(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                while (!stop.isCancelled()) {
                    Integer got;
                    if (kind == 0) {
                        got = notifies.get(0).notified(Duration.ofMillis(20)) ? 0 : null;
                    } else {
                        Duration t = kind == 2 ? maybeTimeout(rnd) : null;
                        SelectClause<Integer> c0 = notifies.get(0).onNotified().map(x -> 0);
                        SelectClause<Integer> c1 = notifies.get(1).onNotified().map(x -> 1);
                        SelectClause<Integer> end = stop.onCancelled().map(s -> -1);
                        got = t == null ? Select.select(c0, c1, end) : Select.select(t, c0, c1, end).orElse(null);
                        if (got != null && got < 0) {
                            got = null;
                        }
                    }
                    if (got != null) {
                        counts[got].incrementAndGet();
                        acks.get(got).release(1);
                    }
                }
                return null;
            }));
        }
        List<Threads.Task<Void>> producers = new ArrayList<>();
        for (int w = 0; w < 2; w++) {
            Notify notify = notifies.get(w);
            Semaphore ack = acks.get(w);
            producers.add(Threads.start(() -> {
                for (int i = 1; i <= n; i++) {
                    notify.notifyOne();
                    awaitAck(ack, "notification " + i);
                }
                return null;
            }));
        }
        for (Threads.Task<Void> p : producers) {
            p.get();
        }
        stop.cancel();
        for (Threads.Task<Void> c : consumers) {
            c.get();
        }
        for (int w = 0; w < 2; w++) {
            assertEquals(n, counts[w].get(), "notifications taken from notify " + w);
            assertFalse(notifies.get(w).notified(Duration.ZERO), "no notification both taken and stored");
            assertEquals(0, acks.get(w).availablePermits(), "no notification taken twice");
        }
    }

    /**
     * Selects over two one-permit semaphores (with random timeouts and interrupts) and a plain
     * acquire: never two holders of one permit, and every permit is back at the end.
     */
    @Test
    void semaphorePermitsTakenOnce() throws Exception {
        List<Semaphore> sems = List.of(new Semaphore(1), new Semaphore(1));
        AtomicInteger[] inside = {new AtomicInteger(), new AtomicInteger()};
        AtomicInteger overlap = new AtomicInteger();
        LongAdder acquired = new LongAdder();
        int rounds = 4_000;
        List<Threads.Task<Void>> workers = new ArrayList<>();
        for (int c = 0; c < 5; c++) {
            int kind = c;
            workers.add(Threads.start(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (int k = 0; k < rounds; k++) {
                    From<SemaphorePermit> held;
                    try {
                        if (kind == 0) {
                            held = new From<>(0, sems.get(0).acquire());
                        } else {
                            Duration t = kind >= 3 ? maybeTimeout(rnd) : null;
                            SelectClause<From<SemaphorePermit>> c0 = sems.get(0).onAcquire(1).map(p -> new From<>(0, p));
                            SelectClause<From<SemaphorePermit>> c1 = sems.get(1).onAcquire(1).map(p -> new From<>(1, p));
                            held = t == null ? Select.select(c0, c1) : Select.select(t, c0, c1).orElse(null);
                        }
                    } catch (InterruptedException e) {
                        continue; // holds nothing
                    }
                    if (held == null) {
                        continue;
                    }
                    try (SemaphorePermit p = held.value()) {
                        if (inside[held.source()].addAndGet(p.permits()) != 1) {
                            overlap.incrementAndGet();
                        }
                        acquired.increment();
                        Thread.yield();
                        inside[held.source()].addAndGet(-p.permits());
                    }
                }
                return null;
            }));
        }
        for (int i = 0; i < 1_000; i++) {
            workers.get(ThreadLocalRandom.current().nextInt(workers.size())).thread.interrupt();
            Thread.yield();
        }
        for (Threads.Task<Void> w : workers) {
            w.join(); // a worker may end with its interrupt status set; only failures matter
            assertNull(w.failure.get(), () -> "worker failed: " + w.failure.get());
        }
        assertEquals(0, overlap.get(), "two holders of one permit");
        assertTrue(acquired.sum() > 0);
        for (Semaphore s : sems) {
            assertEquals(1, s.availablePermits(), "a permit leaked");
            assertEquals(0, s.waiterCount(), "a registration was left behind");
        }
    }
}
