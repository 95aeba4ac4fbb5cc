package dev.weft.net;

import dev.weft.core.Transport;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.weft.net.NetTesting.ANY_LOCAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A {@link UdpSocket#connect} that is refused (already connected, unresolved address) leaves the
 * socket as it was, on every transport: Netty's NIO datagram channel closes itself when its
 * connect fails, which left an open-looking socket whose sends and receives failed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpConnectTest {

    /** A second connect fails clearly; the socket stays connected to its first peer and usable. */
    @AllTransports
    void refusedSecondConnectKeepsTheSocket(Transport t) throws Exception {
        try (WeftRuntime rt = TcpTransportConformanceTest.runtime(t);
             UdpSocket a = UdpSocket.bind(rt, ANY_LOCAL);
             UdpSocket b = UdpSocket.bind(rt, ANY_LOCAL);
             UdpSocket c = UdpSocket.bind(rt, ANY_LOCAL)) {
            rt.run(() -> {
                a.connect(b.localAddress());
                assertThrows(SocketException.class, () -> a.connect(c.localAddress()), "connecting elsewhere");
                assertThrows(SocketException.class, () -> a.connect(b.localAddress()), "connecting again to the same peer");
                assertFalse(a.isClosed());
                assertEquals(b.localAddress(), a.peerAddress());
                a.setReceiveTimeout(Duration.ofSeconds(5));
                b.setReceiveTimeout(Duration.ofSeconds(5));
                a.send("ping".getBytes());
                assertEquals("ping", UdpSocketTest.text(b.receive()));
                b.send("pong".getBytes(), a.localAddress());
                assertEquals("pong", UdpSocketTest.text(a.receive()));
                return null;
            });
        }
    }

    /** Connecting to an unresolved address is refused before the channel sees it; the socket stays usable. */
    @AllTransports
    void unresolvedConnectKeepsTheSocket(Transport t) throws Exception {
        try (WeftRuntime rt = TcpTransportConformanceTest.runtime(t);
             UdpSocket a = UdpSocket.bind(rt, ANY_LOCAL);
             UdpSocket b = UdpSocket.bind(rt, ANY_LOCAL)) {
            rt.run(() -> {
                InetSocketAddress unresolved = InetSocketAddress.createUnresolved("no-such-host.invalid", b.localAddress().getPort());
                java.io.IOException e = assertThrows(java.io.IOException.class, () -> a.connect(unresolved));
                assertTrue(e.getMessage().contains("no-such-host.invalid"), e.getMessage());
                assertFalse(a.isClosed());
                assertEquals(null, a.peerAddress());
                b.setReceiveTimeout(Duration.ofSeconds(5));
                a.send("after".getBytes(), b.localAddress());
                assertEquals("after", UdpSocketTest.text(b.receive()));
                a.connect(b.localAddress());
                a.send("connected".getBytes());
                assertEquals("connected", UdpSocketTest.text(b.receive()));
                return null;
            });
        }
    }

    /** The error a connected socket gets for a closed peer port has a message on every transport. */
    @AllTransports
    void portUnreachableHasAMessage(Transport t) throws Exception {
        try (WeftRuntime rt = TcpTransportConformanceTest.runtime(t);
             UdpSocket a = UdpSocket.bind(rt, ANY_LOCAL)) {
            UdpSocket dead = UdpSocket.bind(rt, ANY_LOCAL);
            InetSocketAddress deadAddress = dead.localAddress();
            dead.close();
            rt.run(() -> {
                a.connect(deadAddress);
                a.setReceiveTimeout(Duration.ofMillis(200));
                // The ICMP error comes asynchronously: send until a receive reports it (bounded).
                SocketException e = null;
                for (int i = 0; i < 50 && e == null; i++) {
                    a.send("x".getBytes());
                    try {
                        a.receive();
                    } catch (java.net.SocketTimeoutException timeout) {
                        // not reported yet
                    } catch (SocketException reported) {
                        e = reported;
                    }
                }
                assertNotNull(e, "no receive reported the closed port in 50 tries");
                assertNotNull(e.getMessage(), "a message, not null (cause " + e.getCause() + ")");
                assertFalse(e.getMessage().isBlank());
                return null;
            });
        }
    }
}
