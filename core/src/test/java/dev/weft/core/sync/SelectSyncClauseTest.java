package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The select clauses of {@link Oneshot}, {@link BroadcastReceiver}, {@link WatchReceiver},
 * {@link Semaphore} and {@link Notify}: a ready clause commits, a parked one is completed by the
 * primitive, a losing one takes nothing, an interrupted select takes nothing, and close is seen.
 */
class SelectSyncClauseTest {

    /** A channel that never has a value: the other branch of a select that must not win. */
    static final Channel<String> NEVER = Channel.bounded(1);

    // ---------------------------------------------------------------- oneshot

    /** A oneshot's clause takes its value when it wins; when it loses the value stays. */
    @Test
    void oneshotReceive() throws Exception {
        Oneshot<String> o = new Oneshot<>();
        Channel<String> other = Channel.bounded(1);
        other.send("other");
        o.send("v");
        assertEquals("other", Select.selectBiased(other.onReceive(), o.onReceive()));
        assertEquals(new ReceiveResult.Value<>("v"), o.tryReceive(), "the losing clause took nothing");

        Oneshot<String> parked = new Oneshot<>();
        Threads.Task<String> t = Threads.start(() -> Select.select(NEVER.onReceive(), parked.onReceive()));
        Threads.awaitParked(t);
        parked.send("late");
        assertEquals("late", t.get());

        Oneshot<String> closed = new Oneshot<>();
        Threads.Task<String> c = Threads.start(() -> Select.select(NEVER.onReceive(), closed.onReceive()));
        Threads.awaitParked(c);
        closed.close();
        assertInstanceOf(ChannelClosedException.class, c.join());
    }

    // ---------------------------------------------------------------- broadcast

    /** A ready broadcast clause returns the next value and moves the receiver; a losing one does not. */
    @Test
    void broadcastReadyAndLosing() throws Exception {
        Broadcast<Integer> b = Broadcast.create(4);
        BroadcastReceiver<Integer> r = b.subscribe();
        b.send(1);
        b.send(2);
        assertEquals(new BroadcastResult.Value<>(1), Select.select(r.onReceive()));
        Channel<String> ready = Channel.bounded(1);
        ready.send("x");
        assertEquals("x", Select.selectBiased(ready.onReceive(), r.onReceive().map(Object::toString)));
        assertEquals(new BroadcastResult.Value<>(2), r.tryReceive(), "the losing clause did not move the receiver");
        assertEquals(Optional.empty(), Select.select(Duration.ZERO, r.onReceive()));
    }

    /** A parked broadcast clause is completed by a send; its registration is gone afterwards. */
    @Test
    void broadcastParked() throws Exception {
        Broadcast<Integer> b = Broadcast.create(4);
        BroadcastReceiver<Integer> r = b.subscribe();
        BroadcastReceiver<Integer> other = b.subscribe();
        Threads.Task<BroadcastResult<Integer>> t =
                Threads.start(() -> Select.select(NEVER.onReceive().map(s -> null), r.onReceive()));
        Threads.awaitParked(t);
        assertEquals(2, b.send(7));
        assertEquals(new BroadcastResult.Value<>(7), t.get());
        assertEquals(new BroadcastResult.Value<>(7), other.tryReceive(), "every receiver sees the value");
        assertInstanceOf(BroadcastResult.Empty.class, r.tryReceive(), "taken once");
        b.lock.lock();
        try {
            assertEquals(0, b.waiters.size(), "no registration left behind");
        } finally {
            b.lock.unlock();
        }
    }

    /** A broadcast clause reports Lagged like receive, then the oldest retained value. */
    @Test
    void broadcastLagged() throws Exception {
        Broadcast<Integer> b = Broadcast.create(2);
        BroadcastReceiver<Integer> r = b.subscribe();
        for (int i = 0; i < 5; i++) {
            b.send(i);
        }
        assertEquals(new BroadcastResult.Lagged<>(3), Select.select(r.onReceive()));
        assertEquals(new BroadcastResult.Value<>(3), Select.select(r.onReceive()));
    }

    /** Closing the broadcast, or the receiver, completes a parked clause with Closed. */
    @Test
    void broadcastClosed() throws Exception {
        Broadcast<Integer> b = Broadcast.create(2);
        BroadcastReceiver<Integer> r1 = b.subscribe();
        BroadcastReceiver<Integer> r2 = b.subscribe();
        Threads.Task<BroadcastResult<Integer>> t1 = Threads.start(() -> Select.select(r1.onReceive()));
        Threads.Task<BroadcastResult<Integer>> t2 = Threads.start(() -> Select.select(r2.onReceive()));
        Threads.Task<BroadcastResult<Integer>> plain = Threads.start(r2::receive);
        Threads.awaitParked(t1);
        Threads.awaitParked(t2);
        Threads.awaitParked(plain);
        r2.close();
        assertInstanceOf(BroadcastResult.Closed.class, t2.get(), "the receiver's close wakes its select");
        assertInstanceOf(BroadcastResult.Closed.class, plain.get(), "and its plain receive");
        assertFalse(t1.isDone());
        b.send(1);
        b.close();
        assertEquals(new BroadcastResult.Value<>(1), t1.get(), "values sent before close come first");
        assertInstanceOf(BroadcastResult.Closed.class, Select.select(r1.onReceive()));
    }

    /** An interrupted parked broadcast select takes nothing. */
    @Test
    void broadcastInterrupted() throws Exception {
        Broadcast<Integer> b = Broadcast.create(2);
        BroadcastReceiver<Integer> r = b.subscribe();
        Threads.Task<BroadcastResult<Integer>> t = Threads.start(() -> Select.select(r.onReceive()));
        Threads.awaitParked(t);
        t.thread.interrupt();
        assertInstanceOf(InterruptedException.class, t.join());
        b.send(5);
        assertEquals(new BroadcastResult.Value<>(5), r.tryReceive());
    }

    // ---------------------------------------------------------------- watch

    /** A ready watch clause returns the latest value and marks it seen; a losing one marks nothing. */
    @Test
    void watchReadyAndLosing() throws Exception {
        Watch<String> w = new Watch<>("a");
        WatchReceiver<String> r = w.subscribe();
        assertEquals(Optional.empty(), Select.select(Duration.ZERO, r.onChanged()));
        w.send("b");
        w.send("c");
        Channel<String> ready = Channel.bounded(1);
        ready.send("x");
        assertEquals("x", Select.selectBiased(ready.onReceive(), r.onChanged()));
        assertTrue(r.hasChanged(), "the losing clause marked nothing seen");
        assertEquals("c", Select.select(r.onChanged()), "intermediate values are skipped, like changed()");
        assertFalse(r.hasChanged());
    }

    /** A parked watch clause is completed by a send, update or close. */
    @Test
    void watchParkedAndClosed() throws Exception {
        Watch<Integer> w = new Watch<>(0);
        WatchReceiver<Integer> r = w.subscribe();
        Threads.Task<Integer> t = Threads.start(() -> Select.select(NEVER.onReceive().map(s -> -1), r.onChanged()));
        Threads.awaitParked(t);
        w.send(1);
        assertEquals(1, t.get());
        Threads.Task<Integer> u = Threads.start(() -> Select.select(r.onChanged()));
        Threads.awaitParked(u);
        w.update(v -> v + 10);
        assertEquals(11, u.get());
        Threads.Task<Integer> c = Threads.start(() -> Select.select(r.onChanged()));
        Threads.awaitParked(c);
        w.close();
        assertInstanceOf(ChannelClosedException.class, c.join());
        w.lock.lock();
        try {
            assertEquals(0, w.waiters.size(), "no registration left behind");
        } finally {
            w.lock.unlock();
        }
    }

    /** A value sent before close is still reported by the clause; then it throws. */
    @Test
    void watchValueBeforeClose() throws Exception {
        Watch<Integer> w = new Watch<>(0);
        WatchReceiver<Integer> r = w.subscribe();
        w.send(4);
        w.close();
        assertEquals(4, Select.select(r.onChanged()));
        assertThrows(ChannelClosedException.class, () -> Select.select(r.onChanged()));
    }

    /** An interrupted parked watch select marks nothing seen; a plain changed() and the clause share one receiver. */
    @Test
    void watchInterruptedAndShared() throws Exception {
        Watch<Integer> w = new Watch<>(0);
        WatchReceiver<Integer> r = w.subscribe();
        Threads.Task<Integer> t = Threads.start(() -> Select.select(r.onChanged()));
        Threads.awaitParked(t);
        t.thread.interrupt();
        assertInstanceOf(InterruptedException.class, t.join());
        w.send(1);
        assertTrue(r.hasChanged());
        r.changed();
        assertEquals(Optional.empty(), Select.select(Duration.ZERO, r.onChanged()), "changed() marked it seen");
    }

    // ---------------------------------------------------------------- semaphore

    /** A ready acquire clause owns the permits; a losing one holds none. */
    @Test
    void semaphoreReadyAndLosing() throws Exception {
        Semaphore s = new Semaphore(3);
        try (SemaphorePermit p = Select.select(s.onAcquire(2))) {
            assertEquals(2, p.permits());
            assertEquals(1, s.availablePermits());
        }
        assertEquals(3, s.availablePermits());
        Channel<String> ready = Channel.bounded(1);
        ready.send("x");
        assertEquals("x", Select.selectBiased(ready.onReceive(), s.onAcquire(1).map(p -> "permit")));
        assertEquals(3, s.availablePermits(), "the losing clause took no permit");
        assertThrows(IllegalArgumentException.class, () -> s.onAcquire(0));
    }

    /** A parked acquire clause keeps its FIFO place and is granted by a release; one that loses gives its place up. */
    @Test
    void semaphoreParked() throws Exception {
        Semaphore s = new Semaphore(0);
        Channel<String> other = Channel.bounded(1);
        Threads.Task<String> first = Threads.start(() ->
                Select.select(s.onAcquire(2).map(p -> { p.close(); return "permits"; }), other.onReceive()));
        Threads.awaitParked(first);
        Threads.Task<SemaphorePermit> second = Threads.start(() -> s.acquire(1));
        Threads.awaitParked(second);
        s.release(1);
        assertFalse(second.isDone(), "FIFO: the select asking for 2 holds back the later request");
        other.send("other");
        assertEquals("other", first.get());
        second.get().close(); // its loss let the next waiter through
        assertEquals(1, s.availablePermits());
        assertEquals(0, s.waiterCount());

        Threads.Task<SemaphorePermit> parked = Threads.start(() -> Select.select(s.onAcquire(3)));
        Threads.awaitParked(parked);
        s.release(2);
        try (SemaphorePermit p = parked.get()) {
            assertEquals(3, p.permits());
        }
        assertEquals(3, s.availablePermits());
    }

    /** Close completes a parked acquire clause with SemaphoreClosedException; interrupt leaves no permit taken. */
    @Test
    void semaphoreClosedAndInterrupted() throws Exception {
        Semaphore s = new Semaphore(0);
        Threads.Task<SemaphorePermit> t = Threads.start(() -> Select.select(s.onAcquire(1)));
        Threads.awaitParked(t);
        t.thread.interrupt();
        assertInstanceOf(InterruptedException.class, t.join());
        assertEquals(0, s.waiterCount());
        s.release(1);
        assertEquals(1, s.availablePermits());
        SemaphorePermit held = s.acquire();
        Threads.Task<SemaphorePermit> c = Threads.start(() -> Select.select(s.onAcquire(1)));
        Threads.awaitParked(c);
        s.close();
        assertInstanceOf(SemaphoreClosedException.class, c.join());
        assertThrows(SemaphoreClosedException.class, () -> Select.select(s.onAcquire(1)));
        held.close();
    }

    // ---------------------------------------------------------------- notify

    /** A notified clause consumes the stored permit when it wins; a losing one leaves it stored. */
    @Test
    void notifyReadyAndLosing() throws Exception {
        Notify n = new Notify();
        n.notifyOne();
        Channel<String> ready = Channel.bounded(1);
        ready.send("x");
        assertEquals("x", Select.selectBiased(ready.onReceive(), n.onNotified().map(x -> "notified")));
        assertSame(n, Select.select(n.onNotified()), "the permit was still stored");
        assertEquals(Optional.empty(), Select.select(Duration.ZERO, n.onNotified()));
    }

    /**
     * A timed select whose winning clause produces null (Notify's own idiom, {@code map(n -> null)})
     * must not report a timeout: empty means that nothing committed, but the notification was
     * consumed. It says so instead, and a select that really gives up is still empty.
     */
    @Test
    void timedSelectNeverPassesACommittedNullOffAsATimeout() throws Exception {
        Notify n = new Notify();
        n.notifyOne();
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> Select.select(Duration.ofSeconds(1), NEVER.onReceive(), n.onNotified().<String>map(x -> null)));
        assertTrue(e.getMessage().contains("null result"), e.getMessage());
        assertEquals(Optional.empty(), Select.select(Duration.ofMillis(5), NEVER.onReceive(), n.onNotified().<String>map(x -> null)),
                "the permit was consumed by the first select; this one times out");
        n.notifyOne();
        assertEquals(Optional.of("notified"), Select.select(Duration.ZERO, NEVER.onReceive(), n.onNotified().map(x -> "notified")));
    }

    /** notifyOne picks a parked select; a select decided elsewhere passes the notification on. */
    @Test
    void notifyParked() throws Exception {
        Notify n = new Notify();
        Channel<String> other = Channel.bounded(1);
        Threads.Task<String> first = Threads.start(() ->
                Select.select(n.onNotified().map(x -> "notified"), other.onReceive()));
        Threads.awaitParked(first);
        Threads.Task<Boolean> second = Threads.start(() -> n.notified(Threads.LONG));
        Threads.awaitParked(second);
        other.send("other");
        assertEquals("other", first.get());
        n.notifyOne();
        assertTrue(second.get(), "the notification went to the waiter still there");

        Threads.Task<Notify> a = Threads.start(() -> Select.select(n.onNotified()));
        Threads.Task<Notify> b = Threads.start(() -> Select.select(n.onNotified()));
        Threads.awaitParked(a);
        Threads.awaitParked(b);
        n.notifyWaiters();
        assertSame(n, a.get());
        assertSame(n, b.get());
        assertFalse(n.notified(Duration.ZERO), "notifyWaiters stored nothing");
    }

    /** An interrupted parked notified select does not absorb a later notifyOne. */
    @Test
    void notifyInterrupted() throws Exception {
        Notify n = new Notify();
        Threads.Task<Notify> t = Threads.start(() -> Select.select(n.onNotified()));
        Threads.awaitParked(t);
        t.thread.interrupt();
        assertInstanceOf(InterruptedException.class, t.join());
        n.notifyOne();
        assertTrue(n.notified(Duration.ZERO), "stored for the next waiter");
    }
}
