package dev.weft.metrics;

import dev.weft.core.spi.NamedChannels;
import dev.weft.core.sync.Broadcast;
import dev.weft.core.sync.BroadcastReceiver;
import dev.weft.core.sync.BroadcastResult;
import dev.weft.core.sync.Channel;
import dev.weft.core.sync.ChannelClosedException;
import dev.weft.core.sync.Watch;
import dev.weft.core.sync.WatchReceiver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real named channels of {@code dev.weft.core.sync} ({@code Channel.bounded(name, n)},
 * {@code Broadcast.create(name, n)}, {@code Watch.create(name, v)}) bound through
 * {@link WeftChannelMetrics}: the gauges follow the channels, and read 0 once they are closed or
 * collected.
 */
@Timeout(60)
class ChannelNamedGaugesTest {

    static double gauge(SimpleMeterRegistry r, String meter, String channel) {
        return r.get(meter).tag("channel", channel).gauge().value();
    }

    static String unique(String base) {
        return base + "-" + System.nanoTime(); // the registry is JVM-wide and never forgets a group
    }

    /** A thread running {@code body}, its failure kept for the test to check. */
    static Thread start(AtomicReference<Throwable> failure, ThrowingRunnable body) {
        return Thread.ofVirtual().start(() -> {
            try {
                body.run();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    /** Depth, capacity and parked senders/receivers of a named channel move; after close they read 0. */
    @Test
    void boundedChannelGauges() throws Exception {
        String name = unique("jobs");
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        try (WeftChannelMetrics m = WeftChannelMetrics.create()) {
            m.bindTo(reg);
            Channel<Integer> ch = Channel.bounded(name, 2);
            assertEquals(name, ch.name());
            assertEquals(1, gauge(reg, "weft.channel.instances", name));
            assertEquals(2, gauge(reg, "weft.channel.capacity", name));
            assertEquals("channel", reg.get("weft.channel.depth").tag("channel", name).gauge().getId().getTag("kind"));
            ch.send(1);
            ch.send(2);
            assertEquals(2, gauge(reg, "weft.channel.depth", name));
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread sender = start(failure, () -> ch.send(3));
            Await.until("a parked sender", () -> gauge(reg, "weft.channel.senders.parked", name) == 1);
            assertEquals(1, ch.receive());
            sender.join();
            assertNull(failure.get());
            assertEquals(0, gauge(reg, "weft.channel.senders.parked", name));
            assertEquals(2, ch.receive());
            assertEquals(3, ch.receive());
            assertEquals(0, gauge(reg, "weft.channel.depth", name));
            Thread receiver = start(failure, ch::receive);
            Await.until("a parked receiver", () -> gauge(reg, "weft.channel.receivers.parked", name) == 1);

            ch.close();
            receiver.join();
            assertInstanceOf(ChannelClosedException.class, failure.get(), "close woke the receiver");
            assertEquals(0, gauge(reg, "weft.channel.instances", name), "a closed channel leaves its group");
            assertEquals(0, gauge(reg, "weft.channel.capacity", name));
            assertTrue(NamedChannels.channels(new NamedChannels.Key("channel", name)).isEmpty());
            ch.close(); // idempotent, unregisters nothing twice
        }
    }

    /** Channels of one name are summed; an unbounded one reads +Inf capacity; closing one leaves the other counted. */
    @Test
    void groupAndUnbounded() throws Exception {
        String name = unique("conn.out");
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        Channel<String> a = Channel.bounded(name, 8);
        a.send("x");
        try (WeftChannelMetrics m = WeftChannelMetrics.create()) {
            m.bindTo(reg); // after the group exists
            Channel<String> b = Channel.unbounded(name);
            b.send("y");
            b.send("z");
            assertEquals(2, gauge(reg, "weft.channel.instances", name));
            assertEquals(3, gauge(reg, "weft.channel.depth", name));
            assertEquals(Double.POSITIVE_INFINITY, gauge(reg, "weft.channel.capacity", name));
            b.close();
            assertEquals(1, gauge(reg, "weft.channel.instances", name));
            assertEquals(1, gauge(reg, "weft.channel.depth", name), "only the open channel counts");
            assertEquals(8, gauge(reg, "weft.channel.capacity", name));
            a.close();
            assertEquals(0, gauge(reg, "weft.channel.depth", name));
        }
    }

    /** A named broadcast reports the lag of its slowest receiver and what it retains for it. */
    @Test
    void broadcastLag() throws Exception {
        String name = unique("events");
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        try (WeftChannelMetrics m = WeftChannelMetrics.create()) {
            m.bindTo(reg);
            Broadcast<Integer> b = Broadcast.create(name, 4);
            assertEquals("broadcast", reg.get("weft.channel.lag").tag("channel", name).gauge().getId().getTag("kind"));
            BroadcastReceiver<Integer> fast = b.subscribe();
            BroadcastReceiver<Integer> slow = b.subscribe();
            assertEquals(0, gauge(reg, "weft.channel.lag", name));
            for (int i = 0; i < 6; i++) {
                b.send(i);
            }
            assertEquals(6, gauge(reg, "weft.channel.lag", name));
            assertEquals(4, gauge(reg, "weft.channel.depth", name), "the ring retains at most its capacity");
            assertEquals(4, gauge(reg, "weft.channel.capacity", name));
            BroadcastResult<Integer> r;
            do {
                r = fast.tryReceive();
            } while (!(r instanceof BroadcastResult.Empty));
            assertEquals(6, gauge(reg, "weft.channel.lag", name), "the slowest receiver counts");
            assertInstanceOf(BroadcastResult.Lagged.class, slow.tryReceive());
            slow.tryReceive();
            assertEquals(3, gauge(reg, "weft.channel.lag", name));
            assertEquals(3, gauge(reg, "weft.channel.depth", name));
            slow.close();
            assertEquals(0, gauge(reg, "weft.channel.lag", name), "a closed receiver no longer counts");

            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread parked = start(failure, fast::receive);
            Await.until("a parked receiver", () -> gauge(reg, "weft.channel.receivers.parked", name) == 1);
            assertEquals(0, gauge(reg, "weft.channel.senders.parked", name));
            b.close();
            parked.join();
            assertNull(failure.get());
            assertEquals(0, gauge(reg, "weft.channel.instances", name));
            assertEquals(0, gauge(reg, "weft.channel.receivers.parked", name));
        }
    }

    /**
     * A broadcast group whose channels were all closed before the binding gets its lag gauge once a
     * broadcast of that name is created again (the group itself is never forgotten, so no new-group
     * event comes).
     */
    @Test
    void broadcastGroupEmptyAtBindGetsLag() throws Exception {
        String name = unique("reconnect");
        Broadcast.create(name, 4).close();   // e.g. the previous connection's broadcast
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        try (WeftChannelMetrics m = WeftChannelMetrics.create()) {
            m.bindTo(reg);
            Broadcast<Integer> b = Broadcast.create(name, 4);
            BroadcastReceiver<Integer> slow = b.subscribe();
            b.send(1);
            b.send(2);
            assertEquals(1, gauge(reg, "weft.channel.instances", name));   // a scrape
            assertEquals(2, gauge(reg, "weft.channel.lag", name), "the lag of the new broadcast");
            slow.close();
            b.close();
        }
    }

    /**
     * Two binders on one registry, the broadcast group empty when they bound: the lag gauge found
     * at the first scrape is both binders', so closing the first leaves it for the second (it was
     * the first binder's alone, removed at its close).
     */
    @Test
    void lagOfAGroupEmptyAtBindStaysWhileAnotherBinderIsBound() throws Exception {
        String name = unique("shared-reconnect");
        Broadcast.create(name, 4).close();
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        try (WeftChannelMetrics second = WeftChannelMetrics.create()) {
            WeftChannelMetrics first = WeftChannelMetrics.create();
            first.bindTo(reg);
            second.bindTo(reg);
            Broadcast<Integer> b = Broadcast.create(name, 4);
            BroadcastReceiver<Integer> slow = b.subscribe();
            b.send(1);
            assertEquals(1, gauge(reg, "weft.channel.instances", name));   // a scrape finds the lag
            assertEquals(1, gauge(reg, "weft.channel.lag", name));
            first.close();
            assertFalse(reg.find("weft.channel.lag").tag("channel", name).gauges().isEmpty(),
                    "the second binder is still bound: the lag gauge stays");
            b.send(2);
            assertEquals(2, gauge(reg, "weft.channel.lag", name));
            second.close();
            assertTrue(reg.find("weft.channel.lag").tag("channel", name).gauges().isEmpty(), "gone with the last binder");
            assertTrue(reg.find("weft.channel.instances").tag("channel", name).gauges().isEmpty());
            slow.close();
            b.close();
        }
    }

    /**
     * The binder that registered an empty group's gauges closes before a broadcast joins the
     * group: the binder still bound gets the lag gauge at the next scrape (it never did: the lag
     * was registered by the closed binder, which registers nothing).
     */
    @Test
    void lagOfAGroupEmptyAtBindIsFoundAfterTheFirstBinderCloses() throws Exception {
        String name = unique("late-reconnect");
        Broadcast.create(name, 4).close();
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        try (WeftChannelMetrics second = WeftChannelMetrics.create()) {
            WeftChannelMetrics first = WeftChannelMetrics.create();
            first.bindTo(reg);
            second.bindTo(reg);
            first.close();
            Broadcast<Integer> b = Broadcast.create(name, 4);
            BroadcastReceiver<Integer> slow = b.subscribe();
            b.send(1);
            assertEquals(1, gauge(reg, "weft.channel.instances", name));   // a scrape finds the lag
            assertFalse(reg.find("weft.channel.lag").tag("channel", name).gauges().isEmpty(),
                    "the binder still bound registers the lag gauge");
            assertEquals(1, gauge(reg, "weft.channel.lag", name));
            slow.close();
            b.close();
        }
    }

    /** A named watch reports its parked receivers, and leaves on close. */
    @Test
    void watchGauges() throws Exception {
        String name = unique("config");
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        try (WeftChannelMetrics m = WeftChannelMetrics.create()) {
            m.bindTo(reg);
            Watch<String> w = Watch.create(name, "v0");
            assertEquals(name, w.name());
            WatchReceiver<String> rx = w.subscribe();
            assertEquals(1, gauge(reg, "weft.channel.depth", name));
            assertEquals(1, gauge(reg, "weft.channel.capacity", name));
            assertTrue(reg.find("weft.channel.lag").tag("channel", name).gauges().isEmpty(), "a watch has no lag");
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread parked = start(failure, rx::changed);
            Await.until("a parked receiver", () -> gauge(reg, "weft.channel.receivers.parked", name) == 1);
            w.send("v1");
            parked.join();
            assertNull(failure.get());
            assertEquals(0, gauge(reg, "weft.channel.receivers.parked", name));
            w.close();
            assertEquals(0, gauge(reg, "weft.channel.instances", name));
        }
    }

    /** A named channel dropped without close leaves its group once collected: the registry does not keep it alive. */
    @Test
    void droppedChannelIsCollected() throws Exception {
        String name = unique("dropped");
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        try (WeftChannelMetrics m = WeftChannelMetrics.create()) {
            m.bindTo(reg);
            createAndDrop(name);
            assertEquals(1, gauge(reg, "weft.channel.instances", name));
            Await.until("the dropped channel to be collected", () -> {
                System.gc();
                return gauge(reg, "weft.channel.instances", name) == 0;
            });
        }
    }

    private static void createAndDrop(String name) throws InterruptedException {
        Channel<Integer> ch = Channel.bounded(name, 4);
        ch.send(1);
    }

    /** A null or blank name is refused at the call and registers nothing; a bad capacity too. */
    @Test
    void badNames() {
        assertThrows(NullPointerException.class, () -> Channel.bounded(null, 1));
        assertThrows(NullPointerException.class, () -> Channel.unbounded(null));
        assertThrows(NullPointerException.class, () -> Broadcast.create(null, 1));
        assertThrows(NullPointerException.class, () -> Watch.create(null, "v"));
        String blank = "  ";
        assertEquals("a channel name must not be blank, was \"  \"",
                assertThrows(IllegalArgumentException.class, () -> Channel.bounded(blank, 1)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Broadcast.create("", 1));
        assertThrows(IllegalArgumentException.class, () -> Watch.create(" ", "v"));
        String name = unique("bad");
        assertEquals("capacity must be > 0, was 0",
                assertThrows(IllegalArgumentException.class, () -> Channel.bounded(name, 0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> Broadcast.create(name, -1));
        assertThrows(NullPointerException.class, () -> Watch.create(name, null));
        assertTrue(NamedChannels.groups().stream().noneMatch(k -> k.name().equals(name)), "nothing registered");
        assertNull(Channel.bounded(1).name());
    }
}
