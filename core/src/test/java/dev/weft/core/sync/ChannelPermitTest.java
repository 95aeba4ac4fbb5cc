package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Reservations ({@link Permit}) of {@link Channel} capacity. */
class ChannelPermitTest {

    /** A permit holds a slot: the channel is full while it is outstanding; sending through it never fails. */
    @Test
    void permitHoldsCapacity() throws Exception {
        Channel<Integer> ch = Channel.bounded(1);
        Permit<Integer> p = ch.reserve();
        assertFalse(ch.trySend(1), "the reserved slot is not free");
        assertTrue(ch.tryReserve().isEmpty());
        p.send(5);
        assertThrows(IllegalStateException.class, () -> p.send(6));
        p.close(); // no-op after use
        assertEquals(5, ch.receive());
        assertTrue(ch.trySend(2));
    }

    /** Closing a permit unused returns its slot, and wakes a parked sender. */
    @Test
    void releaseReturnsCapacity() throws Exception {
        Channel<Integer> ch = Channel.bounded(1);
        Permit<Integer> p = ch.reserve();
        Threads.Task<Void> sender = Threads.start(() -> {
            ch.send(1);
            return null;
        });
        Threads.awaitParked(sender);
        p.release();
        p.release(); // idempotent
        sender.get();
        assertEquals(1, ch.receive());
    }

    /** reserve parks until a slot is free; timed and try variants give up without holding capacity. */
    @Test
    void reserveParksAndTimesOut() throws Exception {
        Channel<Integer> ch = Channel.bounded(2);
        ch.send(1);
        ch.send(2);
        assertEquals(Optional.empty(), ch.reserve(Duration.ofMillis(5)));
        assertEquals(Optional.empty(), ch.reserve(Duration.ZERO));
        Threads.Task<Permit<Integer>> r = Threads.start(ch::reserve);
        Threads.awaitParked(r);
        assertEquals(1, ch.receive());
        r.get().send(3);
        assertEquals(2, ch.receive());
        assertEquals(3, ch.receive());
        Threads.Task<Optional<Permit<Integer>>> timed = Threads.start(() -> ch.reserve(Duration.ofSeconds(30)));
        assertTrue(timed.get().isPresent());
    }

    /** Receivers of a closed channel wait for outstanding permits, then see the value, then Closed. */
    @Test
    void closeWaitsForPermits() throws Exception {
        Channel<Integer> ch = Channel.bounded(4);
        Permit<Integer> p = ch.reserve();
        ch.close();
        assertThrows(ChannelClosedException.class, ch::reserve);
        assertThrows(ChannelClosedException.class, ch::tryReserve);
        Threads.Task<Integer> r = Threads.start(ch::receive);
        Threads.awaitParked(r);
        p.send(9);
        assertEquals(9, r.get());
        assertInstanceOf(ReceiveResult.Closed.class, ch.tryReceive());

        Channel<Integer> ch2 = Channel.bounded(4);
        Permit<Integer> p2 = ch2.reserve();
        ch2.close();
        Threads.Task<Integer> r2 = Threads.start(ch2::receive);
        Threads.awaitParked(r2);
        p2.close();
        assertInstanceOf(ChannelClosedException.class, r2.join());
    }

    /** A reserver parked on a full channel wakes with ChannelClosedException when it closes. */
    @Test
    void parkedReserverSeesClose() throws Exception {
        Channel<Integer> ch = Channel.bounded(1);
        ch.send(1);
        Threads.Task<Permit<Integer>> r = Threads.start(ch::reserve);
        Threads.awaitParked(r);
        ch.close();
        assertInstanceOf(ChannelClosedException.class, r.join());
        assertEquals(1, ch.receive());
        assertThrows(ChannelClosedException.class, ch::receive);
    }
}
