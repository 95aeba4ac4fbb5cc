package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Interrupted-before and interrupted-during for every parking method of {@link Channel}, checking
 * cancel safety: an interrupted send did not enqueue, an interrupted receive did not consume.
 */
class ChannelInterruptTest {

    interface Op {
        Object run(Channel<Integer> ch) throws Exception;
    }

    static final List<Op> SEND_OPS = List.of(
            ch -> { ch.send(99); return null; },
            ch -> ch.send(99, Duration.ofSeconds(30)),
            ch -> ch.reserve(),
            ch -> ch.reserve(Duration.ofSeconds(30)),
            ch -> Select.select(ch.onSend(99)),
            ch -> Select.select(Duration.ofSeconds(30), ch.onSend(99)));

    static final List<Op> RECEIVE_OPS = List.of(
            ch -> ch.receive(),
            ch -> ch.receive(Duration.ofSeconds(30)),
            ch -> Select.select(ch.onReceive()),
            ch -> Select.select(Duration.ofSeconds(30), ch.onReceive()),
            ch -> ch.iterator().hasNext());

    static Channel<Integer> full(int capacity) throws InterruptedException {
        Channel<Integer> ch = Channel.bounded(capacity);
        for (int i = 0; i < capacity; i++) {
            ch.send(i);
        }
        return ch;
    }

    static void assertInterrupted(Throwable t) {
        assertNotNull(t, "expected an interruption");
        if (t instanceof java.util.concurrent.CancellationException ce) {
            t = ce.getCause();
        }
        assertInstanceOf(InterruptedException.class, t);
    }

    /** A send-side op on a channel with room still throws if the thread is already interrupted, and sends nothing. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5})
    void sendInterruptedBefore(int op) throws Exception {
        Channel<Integer> ch = Channel.bounded(2);
        Threads.Task<Object> t = Threads.start(() -> {
            Thread.currentThread().interrupt();
            return SEND_OPS.get(op).run(ch);
        });
        assertInterrupted(t.join());
        assertEquals(0, ch.size());
        assertTrue(ch.trySend(1) && ch.trySend(2), "no capacity leaked");
    }

    /** A send-side op parked on a full channel throws when interrupted; nothing was enqueued or reserved. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5})
    void sendInterruptedDuring(int op) throws Exception {
        for (int capacity : new int[] {1, 2, 1024}) {
            Channel<Integer> ch = full(capacity);
            Threads.Task<Object> t = Threads.start(() -> SEND_OPS.get(op).run(ch));
            Threads.awaitParked(t);
            t.thread.interrupt();
            assertInterrupted(t.join());
            for (int i = 0; i < capacity; i++) {
                assertEquals(i, ch.receive());
            }
            assertInstanceOf(ReceiveResult.Empty.class, ch.tryReceive(), "the interrupted value was not sent");
            for (int i = 0; i < capacity; i++) {
                assertTrue(ch.trySend(i), "no slot left reserved");
            }
        }
    }

    /** A receive-side op on a non-empty channel throws if already interrupted and consumes nothing. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void receiveInterruptedBefore(int op) throws Exception {
        Channel<Integer> ch = Channel.bounded(2);
        ch.send(1);
        Threads.Task<Object> t = Threads.start(() -> {
            Thread.currentThread().interrupt();
            return RECEIVE_OPS.get(op).run(ch);
        });
        assertInterrupted(t.join());
        assertEquals(1, ch.size());
        assertEquals(1, ch.receive());
    }

    /** A receive-side op parked on an empty channel throws when interrupted; a later value goes to the next receiver. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4})
    void receiveInterruptedDuring(int op) throws Exception {
        for (int capacity : new int[] {1, 2, 1024, 0}) {
            Channel<Integer> ch = ChannelSendReceiveTest.channel(capacity);
            Threads.Task<Object> t = Threads.start(() -> RECEIVE_OPS.get(op).run(ch));
            Threads.awaitParked(t);
            t.thread.interrupt();
            assertInterrupted(t.join());
            ch.send(5);
            assertEquals(new ReceiveResult.Value<>(5), ch.tryReceive(), "the value was not taken by the interrupted receiver");
        }
    }

    /**
     * Interrupt racing a hand-off: either the receive throws and the value is still in the channel,
     * or it returns the value. Never lost, never duplicated.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 0})
    void interruptRacingHandOff(int capacity) throws Exception {
        for (int i = 0; i < 2000; i++) {
            Channel<Integer> ch = ChannelSendReceiveTest.channel(capacity);
            Threads.Task<Integer> t = Threads.start(ch::receive);
            if (i % 2 == 0) {
                Threads.awaitParked(t);
            }
            Thread interrupter = Thread.ofVirtual().start(t.thread::interrupt);
            ch.send(i);
            interrupter.join();
            Throwable f = t.join();
            if (f == null) {
                assertEquals(i, t.result.get());
                assertInstanceOf(ReceiveResult.Empty.class, ch.tryReceive());
            } else {
                assertInstanceOf(InterruptedException.class, f);
                assertEquals(new ReceiveResult.Value<>(i), ch.tryReceive());
            }
        }
    }

    /** Interrupt racing a sender's admission: either the value is in the channel exactly once, or it was not sent. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void interruptRacingSendAdmission(int capacity) throws Exception {
        for (int i = 0; i < 2000; i++) {
            Channel<Integer> ch = full(capacity);
            Threads.Task<Void> t = Threads.start(() -> {
                ch.send(-1);
                return null;
            });
            if (i % 2 == 0) {
                Threads.awaitParked(t);
            }
            Thread interrupter = Thread.ofVirtual().start(t.thread::interrupt);
            ch.receive();
            interrupter.join();
            Throwable f = t.join();
            int minus = 0;
            ReceiveResult<Integer> r;
            while ((r = ch.tryReceive()) instanceof ReceiveResult.Value<Integer>(Integer v)) {
                if (v == -1) {
                    minus++;
                }
            }
            assertEquals(f == null ? 1 : 0, minus, "sent iff send returned normally");
        }
    }
}
