package dev.weft.metrics;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.net.Datagram;
import dev.weft.net.TcpListener;
import dev.weft.net.TcpStream;
import dev.weft.net.UdpSocket;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The net meters exist with the documented names, units and tags, and follow real sockets. */
@Timeout(60)
class WeftNetMetricsTest {
    static final InetSocketAddress LOCAL = new InetSocketAddress("127.0.0.1", 0);

    static double count(SimpleMeterRegistry r, String name) {
        return r.get(name).tag("runtime", "netm").functionCounter().count();
    }

    static double open(SimpleMeterRegistry r) {
        return r.get("weft.net.connections.open").tag("runtime", "netm").gauge().value();
    }

    @Test
    void metersFollowTcpAndUdpTraffic() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("netm").carriers(2).closeTimeout(Duration.ofSeconds(2)).build();
             TcpListener l = TcpListener.bind(rt, LOCAL)) {
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            WeftNetMetrics.of(rt, Tags.of("app", "test")).bindTo(reg);
            WeftNetMetrics.of(rt, Tags.of("app", "test")).bindTo(reg); // twice: nothing new

            List<String> names = List.of("weft.net.connections.open", "weft.net.connections.accepted",
                    "weft.net.connections.connected", "weft.net.bytes.read", "weft.net.bytes.written",
                    "weft.net.reads.parked", "weft.net.writes.parked", "weft.net.datagrams.received",
                    "weft.net.datagrams.sent", "weft.net.datagrams.dropped");
            for (String n : names) {
                Meter m = reg.get(n).tags("runtime", "netm", "app", "test").meter();
                assertTrue(m.getId().getBaseUnit() != null, n + " has a base unit");
            }
            assertEquals(names.size(), reg.getMeters().size(), "binding twice registered nothing new");
            assertEquals("bytes", reg.get("weft.net.bytes.read").meter().getId().getBaseUnit());
            assertEquals(0.0, open(reg));

            double read0 = count(reg, "weft.net.bytes.read");
            double written0 = count(reg, "weft.net.bytes.written");
            double parked0 = count(reg, "weft.net.reads.parked");
            int size = 100_000;
            Task<Void> server = rt.spawn("server", () -> {
                try (TcpStream s = l.accept()) {
                    s.writeAll(s.readExact(size));                  // reads park until the bytes arrive
                    s.shutdownOutput();
                    s.inputStream().readAllBytes();
                }
                return null;
            });
            rt.run(() -> {
                try (TcpStream c = TcpStream.connect(rt, l.localAddress(), Duration.ofSeconds(5))) {
                    Await.until("two connections open", () -> open(reg) == 2.0);
                    c.writeAll(new byte[size]);
                    c.readExact(size);
                }
                return null;
            });
            server.join(Duration.ofSeconds(10));
            assertEquals(1.0, count(reg, "weft.net.connections.accepted"));
            assertEquals(1.0, count(reg, "weft.net.connections.connected"));
            assertEquals(read0 + 2.0 * size, count(reg, "weft.net.bytes.read"), "both ends read size bytes");
            assertEquals(written0 + 2.0 * size, count(reg, "weft.net.bytes.written"));
            assertTrue(count(reg, "weft.net.reads.parked") > parked0, "a read parked");
            Await.until("connections closed", () -> open(reg) == 0.0);

            try (UdpSocket a = UdpSocket.bind(rt, LOCAL); UdpSocket b = UdpSocket.bind(rt, LOCAL)) {
                Datagram d = rt.run(() -> {
                    a.send(new byte[10], b.localAddress());
                    return b.receive();
                });
                assertEquals(10, d.data().length);
            }
            assertEquals(1.0, count(reg, "weft.net.datagrams.sent"));
            assertEquals(1.0, count(reg, "weft.net.datagrams.received"));
            assertEquals(0.0, count(reg, "weft.net.datagrams.dropped"));
            assertThrows(NullPointerException.class, () -> WeftNetMetrics.of(null));
            assertThrows(NullPointerException.class, () -> WeftNetMetrics.of(rt).bindTo(null));
        }
    }
}
