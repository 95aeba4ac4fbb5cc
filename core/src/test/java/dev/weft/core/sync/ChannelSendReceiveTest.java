package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Basic send/receive behaviour of {@link Channel} at capacities 1, 2, 1024 and unbounded (0). */
class ChannelSendReceiveTest {

    static Channel<Integer> channel(int capacity) {
        return capacity == 0 ? Channel.unbounded() : Channel.bounded(capacity);
    }

    static int room(int capacity) {
        return capacity == 0 ? 5000 : capacity;
    }

    /** Values come out in the order they went in, up to the capacity without parking. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 1024, 0})
    void fifoUpToCapacity(int capacity) throws Exception {
        Channel<Integer> ch = channel(capacity);
        for (int i = 0; i < room(capacity); i++) {
            assertTrue(ch.trySend(i));
        }
        if (capacity != 0) {
            assertFalse(ch.trySend(-1), "full channel accepts no more");
        }
        assertEquals(room(capacity), ch.size());
        for (int i = 0; i < room(capacity); i++) {
            assertEquals(i, ch.receive());
        }
        assertInstanceOf(ReceiveResult.Empty.class, ch.tryReceive());
    }

    /** A sender parked on a full channel resumes when a receiver takes a value, keeping FIFO order. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 1024})
    void sendParksWhileFull(int capacity) throws Exception {
        Channel<Integer> ch = channel(capacity);
        for (int i = 0; i < capacity; i++) {
            ch.send(i);
        }
        Threads.Task<Void> sender = Threads.start(() -> {
            ch.send(capacity);
            return null;
        });
        Threads.awaitParked(sender);
        assertFalse(sender.isDone());
        assertEquals(0, ch.receive());
        sender.get();
        for (int i = 1; i <= capacity; i++) {
            assertEquals(i, ch.receive());
        }
    }

    /** A receiver parked on an empty channel resumes with the first value sent. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 1024, 0})
    void receiveParksWhileEmpty(int capacity) throws Exception {
        Channel<Integer> ch = channel(capacity);
        Threads.Task<Integer> receiver = Threads.start(ch::receive);
        Threads.awaitParked(receiver);
        ch.send(7);
        assertEquals(7, receiver.get());
        assertEquals(0, ch.size());
    }

    /** Timed receive returns Empty on an empty channel after the timeout, and a value when one exists. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 1024, 0})
    void timedReceive(int capacity) throws Exception {
        Channel<Integer> ch = channel(capacity);
        assertInstanceOf(ReceiveResult.Empty.class, ch.receive(Duration.ofMillis(5)));
        assertInstanceOf(ReceiveResult.Empty.class, ch.receive(Duration.ZERO));
        ch.send(3);
        assertEquals(new ReceiveResult.Value<>(3), ch.receive(Duration.ofSeconds(10)));
        Threads.Task<ReceiveResult<Integer>> r = Threads.start(() -> ch.receive(Duration.ofSeconds(30)));
        Threads.awaitParked(r);
        ch.send(4);
        assertEquals(new ReceiveResult.Value<>(4), r.get());
    }

    /** Timed send returns false after the timeout on a full channel and did not enqueue the value. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 1024})
    void timedSend(int capacity) throws Exception {
        Channel<Integer> ch = channel(capacity);
        for (int i = 0; i < capacity; i++) {
            assertTrue(ch.send(i, Duration.ofSeconds(1)));
        }
        assertFalse(ch.send(-1, Duration.ofMillis(5)));
        assertFalse(ch.send(-1, Duration.ZERO));
        assertEquals(capacity, ch.size());
        Threads.Task<Boolean> s = Threads.start(() -> ch.send(99, Duration.ofSeconds(30)));
        Threads.awaitParked(s);
        assertEquals(0, ch.receive());
        assertTrue(s.get());
        for (int i = 1; i < capacity; i++) {
            assertEquals(i, ch.receive());
        }
        assertEquals(99, ch.receive());
    }

    /** An unbounded channel never parks a sender. */
    @Test
    void unboundedNeverParks() throws Exception {
        Channel<Integer> ch = Channel.unbounded();
        for (int i = 0; i < 100_000; i++) {
            ch.send(i);
        }
        assertEquals(100_000, ch.size());
        assertEquals(Integer.MAX_VALUE, ch.capacity());
    }

    /** Capacity must be positive; the message names the value. */
    @Test
    void badCapacity() {
        var e = assertThrows(IllegalArgumentException.class, () -> Channel.bounded(-3));
        assertEquals("capacity must be > 0, was -3", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Channel.bounded(0));
    }

    /** Null values are rejected at the call, by every sending method. */
    @Test
    void nullValues() throws Exception {
        Channel<Integer> ch = Channel.bounded(2);
        assertThrows(NullPointerException.class, () -> ch.send(null));
        assertThrows(NullPointerException.class, () -> ch.send(null, Duration.ZERO));
        assertThrows(NullPointerException.class, () -> ch.trySend(null));
        assertThrows(NullPointerException.class, () -> ch.onSend(null));
        try (Permit<Integer> p = ch.reserve()) {
            assertThrows(NullPointerException.class, () -> p.send(null));
        }
        assertEquals(0, ch.size());
    }

    /** Iteration and stream end when the channel is closed and drained. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 1024, 0})
    void iterateAndStreamUntilClosed(int capacity) throws Exception {
        Channel<Integer> ch = channel(capacity);
        Threads.Task<Void> producer = Threads.start(() -> {
            try (ch) {
                for (int i = 0; i < 1000; i++) {
                    ch.send(i);
                }
            }
            return null;
        });
        List<Integer> got = ch.stream().collect(Collectors.toList());
        producer.get();
        assertEquals(IntStream.range(0, 1000).boxed().toList(), got);
        Iterator<Integer> it = ch.iterator();
        assertFalse(it.hasNext());
        assertThrows(NoSuchElementException.class, it::next);

        Channel<Integer> ch2 = channel(capacity);
        ch2.send(1);
        ch2.close();
        List<Integer> out = new ArrayList<>();
        for (int v : ch2.receiver()) {
            out.add(v);
        }
        assertEquals(List.of(1), out);
    }

    /** sender() and receiver() are views of the same channel. */
    @Test
    void halves() throws Exception {
        Channel<String> ch = Channel.bounded(1);
        Sender<String> tx = ch.sender();
        Receiver<String> rx = ch.receiver();
        tx.send("x");
        assertEquals("x", rx.receive());
        rx.close();
        assertTrue(tx.isClosed());
        assertTrue(ch.toString().contains("closed"));
    }

    /** ReceiveResult.orElseThrow returns the value or throws the matching exception. */
    @Test
    void receiveResultOrElseThrow() {
        assertEquals(1, new ReceiveResult.Value<>(1).orElseThrow());
        assertThrows(NoSuchElementException.class, () -> ReceiveResult.empty().orElseThrow());
        assertThrows(ChannelClosedException.class, () -> ReceiveResult.closed().orElseThrow());
        assertTrue(new ReceiveResult.Value<>(1).isValue());
        assertFalse(ReceiveResult.empty().isValue());
    }
}
