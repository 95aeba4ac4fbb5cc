package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link Watch}: latest value, changed(), close, interruption. */
class WatchChangedTest {

    /** Receivers read the latest value; changed() returns once per newer value; intermediate ones may be skipped. */
    @Test
    void latestValue() throws Exception {
        Watch<Integer> w = new Watch<>(0);
        WatchReceiver<Integer> r = w.subscribe();
        assertEquals(0, r.borrow());
        assertFalse(r.hasChanged());
        w.send(1);
        w.send(2);
        assertTrue(r.hasChanged());
        r.changed();
        assertEquals(2, r.borrow());
        assertFalse(r.hasChanged());
        assertEquals(3, w.update(v -> v + 1));
        assertEquals(3, r.borrowAndUpdate());
        assertFalse(r.changed(Duration.ofMillis(5)));
        assertEquals(3, w.get());
    }

    /** A parked changed() wakes on send. */
    @Test
    void parkedChangedWakes() throws Exception {
        Watch<String> w = new Watch<>("a");
        WatchReceiver<String> r = w.subscribe();
        Threads.Task<Boolean> t = Threads.start(() -> r.changed(Duration.ofSeconds(30)));
        Threads.awaitParked(t);
        w.send("b");
        assertTrue(t.get());
    }

    /** After close, an unseen value is still reported, then changed() throws; sends fail. */
    @Test
    void close() throws Exception {
        Watch<Integer> w = new Watch<>(0);
        WatchReceiver<Integer> r = w.subscribe();
        Threads.Task<Void> parked = Threads.start(() -> { w.subscribe().changed(); return null; });
        Threads.awaitParked(parked);
        w.send(1);
        w.close();
        assertNull(parked.join(), "a value sent before close wakes the waiter normally");
        r.changed();
        assertEquals(1, r.borrow());
        assertThrows(ChannelClosedException.class, r::changed);
        assertThrows(ChannelClosedException.class, () -> w.send(2));
        assertTrue(w.isClosed());
    }

    /** changed() throws when interrupted before or during, marking nothing seen. */
    @Test
    void interruption() throws Exception {
        Watch<Integer> w = new Watch<>(0);
        WatchReceiver<Integer> r = w.subscribe();
        Threads.Task<Void> during = Threads.start(() -> { r.changed(); return null; });
        Threads.awaitParked(during);
        during.thread.interrupt();
        assertInstanceOf(InterruptedException.class, during.join());
        w.send(1);
        Threads.Task<Void> before = Threads.start(() -> {
            Thread.currentThread().interrupt();
            r.changed();
            return null;
        });
        assertInstanceOf(InterruptedException.class, before.join());
        assertTrue(r.hasChanged(), "nothing marked seen");
    }
}
