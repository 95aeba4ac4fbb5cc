package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
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
