package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link Notify}: stored permit, notifyOne, notifyWaiters, timeouts, interruption. */
class NotifyWakeTest {

    /** notifyOne with no waiter stores one permit (not two) that the next notified() consumes. */
    @Test
    void storedPermit() throws Exception {
        Notify n = new Notify();
        n.notifyOne();
        n.notifyOne();
        n.notified();
        assertFalse(n.notified(Duration.ofMillis(5)), "only one permit stored");
        assertFalse(n.notified(Duration.ZERO));
    }

    /** notifyOne wakes exactly one parked waiter. */
    @Test
    void notifyOneWakesOne() throws Exception {
        Notify n = new Notify();
        Threads.Task<Boolean> a = Threads.start(() -> n.notified(Duration.ofSeconds(30)));
        Threads.awaitParked(a);
        Threads.Task<Boolean> b = Threads.start(() -> n.notified(Duration.ofSeconds(30)));
        Threads.awaitParked(b);
        n.notifyOne();
        assertTrue(a.get(), "FIFO: the first waiter wakes");
        assertFalse(b.isDone());
        n.notifyOne();
        assertTrue(b.get());
    }

    /** notifyWaiters wakes all parked waiters and stores nothing. */
    @Test
    void notifyWaitersWakesAll() throws Exception {
        Notify n = new Notify();
        Threads.Task<Void> a = Threads.start(() -> { n.notified(); return null; });
        Threads.Task<Void> b = Threads.start(() -> { n.notified(); return null; });
        Threads.awaitParked(a);
        Threads.awaitParked(b);
        n.notifyWaiters();
        a.get();
        b.get();
        n.notifyWaiters();
        assertFalse(n.notified(Duration.ZERO), "nothing stored");
    }

    /** Interrupted before or during notified(): it throws and a later notifyOne is not absorbed by it. */
    @Test
    void interruption() throws Exception {
        Notify n = new Notify();
        n.notifyOne();
        Threads.Task<Void> before = Threads.start(() -> {
            Thread.currentThread().interrupt();
            n.notified();
            return null;
        });
        assertInstanceOf(InterruptedException.class, before.join());
        assertTrue(n.notified(Duration.ZERO), "the permit was not consumed");
        Threads.Task<Boolean> during = Threads.start(() -> n.notified(Duration.ofSeconds(30)));
        Threads.awaitParked(during);
        during.thread.interrupt();
        assertInstanceOf(InterruptedException.class, during.join());
        n.notifyOne();
        assertTrue(n.notified(Duration.ZERO), "the notification was stored, not given to the gone waiter");
    }
}
