package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.reflect.Field;
import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/** {@link Oneshot}: one value, close from either side, interruption. */
class OneshotTest {

    /** A parked receiver gets the value; a second send and a second receive fail. */
    @Test
    void sendOnce() throws Exception {
        Oneshot<String> o = new Oneshot<>();
        Threads.Task<String> r = Threads.start(o::receive);
        Threads.awaitParked(r);
        o.send("v");
        assertEquals("v", r.get());
        assertThrows(IllegalStateException.class, () -> o.send("w"));
        assertThrows(ChannelClosedException.class, o::receive);
        assertTrue(o.isClosed());
    }

    /** Closing without a value wakes receivers with ChannelClosedException; a send after close hands the value back. */
    @Test
    void close() throws Exception {
        Oneshot<String> o = new Oneshot<>();
        Threads.Task<String> r = Threads.start(o::receive);
        Threads.awaitParked(r);
        o.close();
        assertInstanceOf(ChannelClosedException.class, r.join());
        assertEquals("x", assertThrows(ChannelClosedException.class, () -> o.send("x")).getValue());
        assertInstanceOf(ReceiveResult.Closed.class, o.tryReceive());
    }

    /**
     * close() landing between send's closed check and its store: the value comes back, and the
     * oneshot counts as closed, not sent, so a later send fails with ChannelClosedException too
     * (it threw IllegalStateException, "already sent"). The seam: the closed check reads a volatile
     * flag without the channel's lock and the store takes it, so a sender queued on that lock (held
     * here) has passed the check; the close runs meanwhile under the same, reentrant, lock.
     */
    @Test
    void closeDuringSendLeavesItClosedNotSent() throws Exception {
        Oneshot<String> o = new Oneshot<>();
        ReentrantLock channelLock = (ReentrantLock) field(field(o, "channel"), "lock");
        Threads.Task<Void> sender;
        channelLock.lock();
        try {
            sender = Threads.start(() -> {
                o.send("x");
                return null;
            });
            long deadline = System.nanoTime() + Threads.LONG.toNanos();
            while (!channelLock.hasQueuedThread(sender.thread)) {
                assertFalse(sender.isDone(), "send finished without taking the channel's lock");
                assertTrue(System.nanoTime() < deadline, "send did not reach the channel's lock within " + Threads.LONG);
                Thread.onSpinWait();
            }
            o.close();
        } finally {
            channelLock.unlock();
        }
        assertEquals("x", assertInstanceOf(ChannelClosedException.class, sender.join(), "the racing send").getValue());
        assertInstanceOf(ReceiveResult.Closed.class, o.tryReceive(), "nothing was sent");
        assertEquals("y", assertThrows(ChannelClosedException.class, () -> o.send("y"),
                "a send after the close reports the close, as documented").getValue());
    }

    private static Object field(Object owner, String name) throws ReflectiveOperationException {
        Field f = owner.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(owner);
    }

    /** Timed, try and select receive; interrupted receive keeps the value for later. */
    @Test
    void variantsAndInterruption() throws Exception {
        Oneshot<Integer> o = new Oneshot<>();
        assertInstanceOf(ReceiveResult.Empty.class, o.tryReceive());
        assertInstanceOf(ReceiveResult.Empty.class, o.receive(Duration.ofMillis(5)));
        Threads.Task<Integer> during = Threads.start(o::receive);
        Threads.awaitParked(during);
        during.thread.interrupt();
        assertInstanceOf(InterruptedException.class, during.join());
        Threads.Task<Integer> before = Threads.start(() -> {
            Thread.currentThread().interrupt();
            return o.receive();
        });
        assertInstanceOf(InterruptedException.class, before.join());
        o.send(1);
        assertEquals(1, Select.select(o.onReceive()));
        Oneshot<Integer> o2 = new Oneshot<>();
        o2.send(2);
        assertEquals(new ReceiveResult.Value<>(2), o2.receive(Duration.ofSeconds(1)));
        assertThrows(NullPointerException.class, () -> new Oneshot<Integer>().send(null));
    }
}
