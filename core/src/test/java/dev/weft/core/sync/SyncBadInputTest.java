package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Issue 3's "bad input" list for the primitives other than {@link Channel} (whose own cases are in
 * {@code ChannelSendReceiveTest} and {@code ChannelCloseTest}): null values fail at the call,
 * capacities and counts are checked with the value in the message, permits over the maximum fail
 * and change nothing.
 */
class SyncBadInputTest {

    /** Null values are refused at the call by every sending method and change nothing. */
    @Test
    void nullValues() throws Exception {
        Broadcast<Integer> b = Broadcast.create(2);
        BroadcastReceiver<Integer> r = b.subscribe();
        assertThrows(NullPointerException.class, () -> b.send(null));
        assertInstanceOf(BroadcastResult.Empty.class, r.tryReceive(), "nothing sent");

        assertThrows(NullPointerException.class, () -> new Watch<Integer>(null));
        Watch<Integer> w = new Watch<>(1);
        WatchReceiver<Integer> wr = w.subscribe();
        assertThrows(NullPointerException.class, () -> w.send(null));
        assertThrows(NullPointerException.class, () -> w.update(null));
        assertThrows(NullPointerException.class, () -> w.update(v -> null));
        assertEquals(1, w.get(), "no failed send or update changed the value");
        assertFalse(wr.hasChanged());

        OnceCell<Integer> cell = new OnceCell<>();
        assertThrows(NullPointerException.class, () -> cell.set(null));
        assertFalse(cell.isInitialized());

        assertThrows(NullPointerException.class, () -> new Oneshot<Integer>().send(null));
        assertThrows(NullPointerException.class, () -> new CancellationToken().onCancel(null));
        assertThrows(NullPointerException.class, () -> Channel.bounded(1).onReceive().map(null));
    }

    /** Capacities and counts at or below zero are refused with the value in the message. */
    @Test
    void capacitiesAndCounts() {
        assertEquals("capacity must be > 0, was 0",
                assertThrows(IllegalArgumentException.class, () -> Broadcast.create(0)).getMessage());
        assertEquals("capacity must be > 0, was -5",
                assertThrows(IllegalArgumentException.class, () -> Broadcast.create(-5)).getMessage());
        assertEquals("capacity must be > 0, was " + Integer.MIN_VALUE,
                assertThrows(IllegalArgumentException.class, () -> Channel.bounded(Integer.MIN_VALUE)).getMessage());
        assertEquals("parties must be > 0, was 0",
                assertThrows(IllegalArgumentException.class, () -> new Barrier(0)).getMessage());
        Semaphore s = new Semaphore(1);
        assertEquals("n must be > 0, was 0",
                assertThrows(IllegalArgumentException.class, () -> s.onAcquire(0)).getMessage());
        assertEquals("n must be > 0, was -1",
                assertThrows(IllegalArgumentException.class, () -> s.acquire(-1, Duration.ZERO)).getMessage());
        assertEquals(1, s.availablePermits());
    }

    /** Releasing permits over the maximum fails with a clear message and changes nothing; up to it is fine. */
    @Test
    void permitsOverTheMaximum() throws Exception {
        Semaphore s = new Semaphore(Integer.MAX_VALUE);
        assertEquals(Semaphore.MAX_PERMITS, s.availablePermits());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.release(1));
        assertEquals("releasing 1 permits would make " + (Semaphore.MAX_PERMITS + 1)
                + " available, over the maximum of " + Semaphore.MAX_PERMITS + "; nothing was released", e.getMessage());
        assertEquals(Semaphore.MAX_PERMITS, s.availablePermits(), "nothing changed");
        s.release(0);

        Semaphore t = new Semaphore(0);
        t.release(Integer.MAX_VALUE);
        assertThrows(IllegalStateException.class, () -> t.release(Integer.MAX_VALUE));
        assertEquals(Semaphore.MAX_PERMITS, t.availablePermits(), "nothing changed");

        // a waiter is still served after a refused release
        Semaphore u = new Semaphore(Integer.MAX_VALUE - 1);
        try (SemaphorePermit p = u.acquire(Integer.MAX_VALUE - 1)) {
            assertEquals(Integer.MAX_VALUE - 1, p.permits());
            Threads.Task<SemaphorePermit> waiter = Threads.start(() -> u.acquire(2));
            Threads.awaitParked(waiter);
            u.release(1);
            assertFalse(waiter.isDone());
            u.release(1);
            waiter.get().close();
            assertEquals(2, u.availablePermits());
            u.release(Integer.MAX_VALUE - 3);
            assertEquals(Semaphore.MAX_PERMITS - 1, u.availablePermits());
            u.release(1);
            // the held permit comes back over the maximum: close() does not throw, the excess is dropped
        }
        assertEquals(Semaphore.MAX_PERMITS, u.availablePermits());
    }

    /**
     * The maximum applies to the permits left after the release served its waiters: 5 available and
     * a waiter for Integer.MAX_VALUE, release(Integer.MAX_VALUE) serves it and leaves 5 (as Tokio);
     * a release that would really leave too many still fails and changes nothing.
     */
    @Test
    void overflowIsJudgedAfterServingWaiters() throws Exception {
        Semaphore s = new Semaphore(5);
        Threads.Task<SemaphorePermit> waiter = Threads.start(() -> s.acquire(Integer.MAX_VALUE));
        Threads.awaitParked(waiter);
        assertEquals(1, s.waiterCount());
        s.release(Integer.MAX_VALUE);
        try (SemaphorePermit p = waiter.get()) {
            assertEquals(Integer.MAX_VALUE, p.permits(), "the waiter was served");
            assertEquals(5, s.availablePermits(), "the 5 that were there stay");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> s.release(Integer.MAX_VALUE));
            assertEquals("releasing " + Integer.MAX_VALUE + " permits would make " + (Semaphore.MAX_PERMITS + 5)
                    + " available, over the maximum of " + Semaphore.MAX_PERMITS + "; nothing was released", e.getMessage());
            assertEquals(5, s.availablePermits(), "nothing changed");
            s.release(Integer.MAX_VALUE - 5);
            // the held permit comes back over the maximum: the excess is dropped
        }
        assertEquals(Semaphore.MAX_PERMITS, s.availablePermits());
    }
}
