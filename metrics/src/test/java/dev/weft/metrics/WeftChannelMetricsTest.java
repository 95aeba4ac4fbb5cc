package dev.weft.metrics;

import dev.weft.core.spi.ChannelGauges;
import dev.weft.core.spi.NamedChannels;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Named channels' gauges, against a small stand-in channel registered through the spi the way
 * {@code dev.weft.core.sync} registers its named channels.
 */
@Timeout(30)
class WeftChannelMetricsTest {

    /** A stand-in channel: settable counters. */
    static final class FakeChannel implements ChannelGauges {
        final String kind, name;
        final int capacity;
        final AtomicInteger depth = new AtomicInteger(), senders = new AtomicInteger(), receivers = new AtomicInteger();
        volatile long lag;
        volatile boolean broken;

        FakeChannel(String kind, String name, int capacity, long lag) {
            this.kind = kind;
            this.name = name;
            this.capacity = capacity;
            this.lag = lag;
        }

        @Override public String name() { return name; }
        @Override public String kind() { return kind; }
        @Override public int depth() {
            if (broken) {
                throw new IllegalStateException("broken channel");
            }
            return depth.get();
        }
        @Override public int capacity() { return capacity; }
        @Override public int parkedSenders() { return senders.get(); }
        @Override public int parkedReceivers() { return receivers.get(); }
        @Override public long lag() { return lag; }
    }

    static double gauge(SimpleMeterRegistry r, String meter, String channel) {
        return r.get(meter).tag("channel", channel).gauge().value();
    }

    /** Gauges exist for groups created before and after binding, sum over a group, and drop closed channels. */
    @Test
    void gaugesFollowTheChannels() {
        FakeChannel a = new FakeChannel("channel", "jobs-" + System.nanoTime(), 64, -1);
        try (WeftChannelMetrics m = WeftChannelMetrics.create();
             NamedChannels.Registration ra = NamedChannels.register(a)) {
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            m.bindTo(reg);
            a.depth.set(5);
            a.senders.set(2);
            assertEquals(5, gauge(reg, "weft.channel.depth", a.name));
            assertEquals(64, gauge(reg, "weft.channel.capacity", a.name));
            assertEquals(2, gauge(reg, "weft.channel.senders.parked", a.name));
            assertEquals(0, gauge(reg, "weft.channel.receivers.parked", a.name));
            assertEquals("channel", reg.get("weft.channel.depth").tag("channel", a.name).gauge().getId().getTag("kind"));
            assertTrue(reg.find("weft.channel.lag").tag("channel", a.name).gauges().isEmpty(), "a plain channel has no lag");

            // a second channel of the same group, created after binding: summed
            FakeChannel b = new FakeChannel("channel", a.name, 16, -1);
            try (NamedChannels.Registration rb = NamedChannels.register(b)) {
                b.depth.set(3);
                b.receivers.set(1);
                assertEquals(8, gauge(reg, "weft.channel.depth", a.name));
                assertEquals(80, gauge(reg, "weft.channel.capacity", a.name));
                assertEquals(1, gauge(reg, "weft.channel.receivers.parked", a.name));
                assertEquals(2, gauge(reg, "weft.channel.instances", a.name));
            }
            assertEquals(5, gauge(reg, "weft.channel.depth", a.name), "closed channel left the group");

            // a new group after binding, a broadcast with lag, unbounded
            FakeChannel bc = new FakeChannel("broadcast", "events-" + System.nanoTime(), Integer.MAX_VALUE, 7);
            FakeChannel bc2 = new FakeChannel("broadcast", bc.name, 8, 3);
            try (NamedChannels.Registration r1 = NamedChannels.register(bc);
                 NamedChannels.Registration r2 = NamedChannels.register(bc2)) {
                assertEquals(7, gauge(reg, "weft.channel.lag", bc.name), "max over the group");
                assertEquals(Double.POSITIVE_INFINITY, gauge(reg, "weft.channel.capacity", bc.name));
            }
            ra.close();
            assertEquals(0, gauge(reg, "weft.channel.instances", a.name));
            assertEquals(0, gauge(reg, "weft.channel.depth", a.name));
        }
    }

    /** Binding twice adds nothing; a channel that throws reads as empty; a throwing registry breaks nothing. */
    @Test
    void badInput() {
        FakeChannel a = new FakeChannel("channel", "bad-" + System.nanoTime(), 4, -1);
        try (WeftChannelMetrics m = WeftChannelMetrics.create(); WeftChannelMetrics m2 = WeftChannelMetrics.create();
             NamedChannels.Registration ra = NamedChannels.register(a)) {
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            m.bindTo(reg);
            int meters = reg.getMeters().size();
            m.bindTo(reg);
            m2.bindTo(reg);
            assertEquals(meters, reg.getMeters().size());
            a.depth.set(3);
            assertEquals(3, gauge(reg, "weft.channel.depth", a.name), "counted once with two binders");
            a.broken = true;
            assertEquals(0, gauge(reg, "weft.channel.depth", a.name));

            SimpleMeterRegistry refusing = new SimpleMeterRegistry() {
                @Override
                protected <T> Gauge newGauge(Meter.Id id, T obj, ToDoubleFunction<T> f) {
                    throw new IllegalStateException("registry broken");
                }
            };
            m.bindTo(refusing);
            assertTrue(refusing.getMeters().isEmpty());
            try (NamedChannels.Registration r = NamedChannels.register(new FakeChannel("channel", "late-" + System.nanoTime(), 1, -1))) {
                assertTrue(refusing.getMeters().isEmpty(), "a new group: the refusing registry is skipped, registration goes on");
            }
        }
        assertThrows(IllegalArgumentException.class, () -> NamedChannels.register(new FakeChannel("channel", " ", 1, -1)));
        WeftChannelMetrics closed = WeftChannelMetrics.create();
        closed.close();
        assertThrows(IllegalStateException.class, () -> closed.bindTo(new SimpleMeterRegistry()));
    }
}
