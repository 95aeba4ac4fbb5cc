package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Closing a {@link Channel}: drain then closed, unsent values handed back, parked parties woken. */
class ChannelCloseTest {

    /** After close, receivers drain buffered values, then see Closed / ChannelClosedException. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 1024, 0})
    void drainThenClosed(int capacity) throws Exception {
        Channel<Integer> ch = ChannelSendReceiveTest.channel(capacity);
        ch.send(1);
        ch.close();
        ch.close(); // idempotent
        assertTrue(ch.isClosed());
        assertEquals(1, ch.receive());
        assertThrows(ChannelClosedException.class, ch::receive);
        assertInstanceOf(ReceiveResult.Closed.class, ch.tryReceive());
        assertInstanceOf(ReceiveResult.Closed.class, ch.receive(Duration.ofSeconds(1)));
        assertThrows(ChannelClosedException.class, () -> Select.select(ch.onReceive()));
    }

    /** Sending to a closed channel throws ChannelClosedException carrying the unsent value. */
    @Test
    void sendToClosedCarriesValue() throws Exception {
        Channel<String> ch = Channel.bounded(4);
        ch.close();
        assertEquals("a", assertThrows(ChannelClosedException.class, () -> ch.send("a")).getValue());
        assertEquals("b", assertThrows(ChannelClosedException.class, () -> ch.send("b", Duration.ZERO)).getValue());
        assertEquals("c", assertThrows(ChannelClosedException.class, () -> ch.trySend("c")).getValue());
        assertEquals("d", assertThrows(ChannelClosedException.class, () -> Select.select(ch.onSend("d"))).getValue());
        assertEquals("channel closed", new ChannelClosedException().getMessage());
        assertNull(new ChannelClosedException().getValue());
    }

    /** Parked receivers wake with ChannelClosedException on close of an empty channel. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 1024, 0})
    void parkedReceiversWake(int capacity) throws Exception {
        Channel<Integer> ch = ChannelSendReceiveTest.channel(capacity);
        Threads.Task<Integer> a = Threads.start(ch::receive);
        Threads.Task<ReceiveResult<Integer>> b = Threads.start(() -> ch.receive(Duration.ofSeconds(30)));
        Threads.awaitParked(a);
        Threads.awaitParked(b);
        ch.close();
        assertInstanceOf(ChannelClosedException.class, a.join());
        assertInstanceOf(ReceiveResult.Closed.class, b.get());
    }

    /** Parked senders wake with ChannelClosedException carrying their value; it was not enqueued. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 1024})
    void parkedSendersWake(int capacity) throws Exception {
        Channel<Integer> ch = ChannelInterruptTest.full(capacity);
        Threads.Task<Void> s = Threads.start(() -> {
            ch.send(-1);
            return null;
        });
        Threads.awaitParked(s);
        ch.close();
        Throwable t = s.join();
        assertEquals(-1, assertInstanceOf(ChannelClosedException.class, t).getValue());
        for (int i = 0; i < capacity; i++) {
            assertEquals(i, ch.receive());
        }
        assertThrows(ChannelClosedException.class, ch::receive);
    }

    /** Close racing senders: every value is either received once or handed back in the exception. */
    @Test
    void closeRacingSenders() throws Exception {
        for (int round = 0; round < 200; round++) {
            Channel<Integer> ch = Channel.bounded(2);
            int senders = 4;
            @SuppressWarnings({"unchecked", "rawtypes"})
            Threads.Task<Long>[] ts = new Threads.Task[senders];
            for (int s = 0; s < senders; s++) {
                int base = s * 1000;
                ts[s] = Threads.start(() -> {
                    long refused = 0;
                    for (int i = 1; i <= 50; i++) {
                        try {
                            ch.send(base + i);
                        } catch (ChannelClosedException e) {
                            refused += (Integer) e.getValue();
                        }
                    }
                    return refused;
                });
            }
            long received = 0;
            for (int i = 0; i < 20; i++) {
                received += ch.receive();
            }
            ch.close();
            for (int v : ch) {
                received += v;
            }
            long refused = 0;
            for (Threads.Task<Long> t : ts) {
                refused += t.get();
            }
            long expected = 0;
            for (int s = 0; s < senders; s++) {
                for (int i = 1; i <= 50; i++) {
                    expected += s * 1000 + i;
                }
            }
            assertEquals(expected, received + refused);
        }
    }
}
