package dev.weft.net;

import dev.weft.core.Task;
import dev.weft.core.Transport;
import dev.weft.core.WeftRuntime;
import dev.weft.core.testsupport.Eventually;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

import static dev.weft.net.NetTesting.ANY_LOCAL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** UDP on 127.0.0.1 over every transport that loads. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpSocketTest {

    static String text(Datagram d) {
        return new String(d.data(), StandardCharsets.US_ASCII);
    }

    /** send(to) and receive with the sender's address, both ways, big datagrams intact. */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"NIO", "EPOLL", "IO_URING", "KQUEUE"})
    void sendAndReceiveWithSender(Transport t) throws Exception {
        try (WeftRuntime rt = TcpTransportConformanceTest.runtime(t);
             UdpSocket a = UdpSocket.bind(rt, ANY_LOCAL);
             UdpSocket b = UdpSocket.bind(rt, ANY_LOCAL)) {
            assertTrue(a.localAddress().getPort() > 0);
            rt.run(() -> {
                a.send("hello".getBytes(), b.localAddress());
                Datagram d = b.receive();
                assertEquals("hello", text(d));
                assertEquals(a.localAddress(), d.sender());
                byte[] big = NetTesting.pattern(60_000, 9);
                b.send(big, d.sender());
                Datagram back = a.receive();
                assertArrayEquals(big, back.data());
                assertEquals(b.localAddress(), back.sender());
                return null;
            });
        }
    }

    /** A connected socket sends to its peer and receives only the peer's datagrams. */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"NIO", "EPOLL", "IO_URING", "KQUEUE"})
    void connectedSocketTalksOnlyToPeer(Transport t) throws Exception {
        try (WeftRuntime rt = TcpTransportConformanceTest.runtime(t);
             UdpSocket server = UdpSocket.bind(rt, ANY_LOCAL);
             UdpSocket client = UdpSocket.bind(rt, ANY_LOCAL);
             UdpSocket stranger = UdpSocket.bind(rt, ANY_LOCAL)) {
            rt.run(() -> {
                client.connect(server.localAddress());
                assertEquals(server.localAddress(), client.peerAddress());
                client.send("ping".getBytes());
                Datagram d = server.receive();
                assertEquals("ping", text(d));
                stranger.send("noise".getBytes(), client.localAddress());   // filtered by the kernel
                server.send("pong".getBytes(), d.sender());
                client.setReceiveTimeout(Duration.ofSeconds(5));
                assertEquals("pong", text(client.receive()));
                client.setReceiveTimeout(Duration.ofMillis(200));
                assertThrows(SocketTimeoutException.class, client::receive, "the stranger's datagram was filtered out");
                return null;
            });
        }
    }

    /** Overflow: drop-newest. With nobody receiving, the first N stay queued in order and the rest are counted. */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"NIO", "EPOLL", "IO_URING", "KQUEUE"})
    void fullQueueDropsNewestAndCounts(Transport t) throws Exception {
        try (WeftRuntime rt = TcpTransportConformanceTest.runtime(t);
             UdpSocket rx = UdpSocket.builder(rt).receiveQueueCapacity(4).bind(ANY_LOCAL);
             UdpSocket tx = UdpSocket.bind(rt, ANY_LOCAL)) {
            rt.run(() -> {
                for (int i = 0; i < 20; i++) {
                    tx.send(("d" + i).getBytes(), rx.localAddress());
                }
                return null;
            });
            Eventually.eventually(Duration.ofSeconds(10), "20 datagrams queued or dropped (got "
                    + rx.available() + " + " + rx.droppedDatagrams() + ")", () -> rx.available() + rx.droppedDatagrams() == 20);
            assertEquals(4, rx.available());
            assertEquals(16, rx.droppedDatagrams());
            rt.run(() -> {
                for (int i = 0; i < 4; i++) {
                    assertEquals("d" + i, text(rx.receive()));
                }
                return null;
            });
            assertTrue(NetStats.of(rt).datagramsDropped() >= 16);
        }
    }

    /** close() wakes a parked receiver with a clear exception. */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"NIO", "EPOLL", "IO_URING", "KQUEUE"})
    void closeWakesReceiver(Transport t) throws Exception {
        try (WeftRuntime rt = TcpTransportConformanceTest.runtime(t)) {
            UdpSocket s = UdpSocket.bind(rt, ANY_LOCAL);
            Task<Void> rx = rt.spawn("udp-rx", () -> {
                SocketException e = assertThrows(SocketException.class, s::receive);
                assertEquals("socket closed", e.getMessage());
                return null;
            });
            NetTesting.parkedIn(rt, "udp-rx", "DatagramQueue.receive");
            s.close();
            rx.join(Duration.ofSeconds(5));
            assertTrue(s.isClosed());
            assertThrows(SocketException.class, () -> rt.run(() -> {
                s.send(new byte[1], s.localAddress() == null ? ANY_LOCAL : s.localAddress());
                return null;
            }));
        }
    }

    /** A receive timeout and a cancelled receive lose nothing: the next datagram is still received. */
    @Test
    void timeoutAndCancelLoseNothing() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("udp").carriers(2).closeTimeout(Duration.ofSeconds(2)).build();
             UdpSocket rx = UdpSocket.bind(rt, ANY_LOCAL);
             UdpSocket tx = UdpSocket.bind(rt, ANY_LOCAL)) {
            rx.setReceiveTimeout(Duration.ofMillis(30));
            assertThrows(SocketTimeoutException.class, () -> rt.run(rx::receive));
            rx.setReceiveTimeout(null);
            Task<Datagram> cancelled = rt.spawn("udp-cancelled", () -> {
                assertThrows(InterruptedIOException.class, rx::receive);
                return null;
            });
            NetTesting.parkedIn(rt, "udp-cancelled", "DatagramQueue.receive");
            cancelled.cancel();
            assertThrows(CancellationException.class, () -> cancelled.join(Duration.ofSeconds(5)));
            rt.run(() -> {
                tx.send("after".getBytes(), rx.localAddress());
                assertEquals("after", text(rx.receive()));
                return null;
            });
        }
    }

    /** Bad input: ports in use, sending elsewhere when connected, bad options. */
    @Test
    void badInput() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("udp-bad").carriers(1).closeTimeout(Duration.ofSeconds(2)).build();
             UdpSocket a = UdpSocket.bind(rt, ANY_LOCAL);
             UdpSocket b = UdpSocket.bind(rt, ANY_LOCAL)) {
            InetSocketAddress taken = a.localAddress();
            BindException e = assertThrows(BindException.class, () -> UdpSocket.bind(rt, taken));
            assertTrue(e.getMessage().contains(String.valueOf(taken.getPort())), e.getMessage());
            assertThrows(IllegalStateException.class, () -> a.send("x".getBytes()), "not connected");
            rt.run(() -> {
                a.connect(b.localAddress());
                return null;
            });
            assertThrows(IllegalStateException.class, () -> a.send("x".getBytes(), new InetSocketAddress("127.0.0.1", 9)));
            assertThrows(IllegalArgumentException.class, () -> UdpSocket.builder(rt).receiveQueueCapacity(0));
            assertThrows(IllegalArgumentException.class, () -> UdpSocket.builder(rt).maxDatagramSize(70_000));
            assertThrows(IllegalArgumentException.class, () -> a.setReceiveTimeout(Duration.ZERO));
        }
    }

    /**
     * A zero-length datagram is a datagram: received as an empty one, in order, from a plain JDK
     * socket, by a bound socket and by one connected to the sender (except on EPOLL, whose Netty
     * channel drops it on a connected socket: see UdpSocket's class description).
     */
    @AllTransports
    void zeroLengthDatagramIsReceived(Transport t) throws Exception {
        try (WeftRuntime rt = TcpTransportConformanceTest.runtime(t);
             UdpSocket open = UdpSocket.bind(rt, ANY_LOCAL);
             UdpSocket connected = UdpSocket.bind(rt, ANY_LOCAL);
             java.net.DatagramSocket jdk = new java.net.DatagramSocket(ANY_LOCAL)) {
            InetSocketAddress jdkAddress = (InetSocketAddress) jdk.getLocalSocketAddress();
            rt.run(() -> {
                connected.connect(jdkAddress);
                return null;
            });
            UdpSocket[] receivers = t == Transport.EPOLL ? new UdpSocket[] {open} : new UdpSocket[] {open, connected};
            for (UdpSocket receiver : receivers) {
                jdk.send(new java.net.DatagramPacket(new byte[0], 0, receiver.localAddress()));
                jdk.send(new java.net.DatagramPacket("after".getBytes(), 5, receiver.localAddress()));
                receiver.setReceiveTimeout(Duration.ofSeconds(10));
                Datagram first = rt.run(receiver::receive);
                assertEquals("", text(first), (receiver == open ? "unconnected" : "connected") + " socket skipped the empty datagram");
                assertEquals(jdkAddress, first.sender());
                assertEquals("after", text(rt.run(receiver::receive)));
            }
        }
    }

    /**
     * An empty datagram is sent where the transport can (IO_URING); elsewhere send throws instead
     * of returning as if it had sent it (Netty's channel completes the write without sending).
     */
    @AllTransports
    void zeroLengthDatagramIsSentOrRefused(Transport t) throws Exception {
        try (WeftRuntime rt = TcpTransportConformanceTest.runtime(t);
             UdpSocket open = UdpSocket.bind(rt, ANY_LOCAL);
             UdpSocket connected = UdpSocket.bind(rt, ANY_LOCAL);
             java.net.DatagramSocket jdk = new java.net.DatagramSocket(ANY_LOCAL)) {
            InetSocketAddress jdkAddress = (InetSocketAddress) jdk.getLocalSocketAddress();
            jdk.setSoTimeout(10_000);
            boolean sends = t == Transport.IO_URING;
            rt.run(() -> {
                connected.connect(jdkAddress);
                if (sends) {
                    open.send(new byte[0], jdkAddress);
                    open.send("after".getBytes(), jdkAddress);
                    connected.send(new byte[0]);
                    connected.send("after".getBytes());
                } else {
                    SocketException e = assertThrows(SocketException.class, () -> open.send(new byte[0], jdkAddress),
                            "send of an empty datagram returned though nothing is sent");
                    assertTrue(e.getMessage().contains("zero-length"), e.getMessage());
                    assertThrows(SocketException.class, () -> connected.send(new byte[0]));
                    assertThrows(SocketException.class, () -> open.send(new byte[4], 2, 0, jdkAddress));
                    open.send("after".getBytes(), jdkAddress);
                    connected.send("after".getBytes());
                }
                return null;
            });
            for (UdpSocket sender : new UdpSocket[] {open, connected}) {
                java.net.DatagramPacket p;
                if (sends) {
                    p = new java.net.DatagramPacket(new byte[16], 16);
                    jdk.receive(p);
                    assertEquals(0, p.getLength(), (sender == open ? "unconnected" : "connected") + " socket did not send the empty datagram");
                    assertEquals(sender.localAddress(), p.getSocketAddress());
                }
                p = new java.net.DatagramPacket(new byte[16], 16);
                jdk.receive(p);
                assertEquals("after", new String(p.getData(), 0, p.getLength(), StandardCharsets.US_ASCII));
                assertEquals(sender.localAddress(), p.getSocketAddress());
            }
            assertFalse(open.isClosed() || connected.isClosed(), "a refused send leaves the socket usable");
        }
    }
}
