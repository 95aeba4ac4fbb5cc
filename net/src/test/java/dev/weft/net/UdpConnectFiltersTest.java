package dev.weft.net;

import dev.weft.core.Transport;
import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.core.testsupport.Eventually;
import org.junit.jupiter.api.Timeout;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.weft.net.NetTesting.ANY_LOCAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * After {@link UdpSocket#connect} only the peer's datagrams are received, including when others'
 * datagrams were still in the kernel's receive buffer (not yet read by the channel) at the
 * connect: Linux does not purge that buffer on connect, so the channel reads them afterwards.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UdpConnectFiltersTest {

    @AllTransports
    void strangersDatagramsStillInTheKernelAreNotReceived(Transport t) throws Exception {
        for (int round = 0; round < 20; round++) {
            try (WeftRuntime rt = TcpTransportConformanceTest.runtime(t, 1);
                 UdpSocket rx = UdpSocket.bind(rt, ANY_LOCAL);
                 DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
                 DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
                // Hold the only carrier (the channel's loop) so the stranger's datagram stays in the kernel.
                CountDownLatch held = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                RuntimeAccess.eventLoopGroup(rt).next().execute(() -> {
                    held.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                assertTrue(held.await(10, TimeUnit.SECONDS), "the carrier ran the holding task");
                byte[] noise = "noise".getBytes();
                byte[] early = "early".getBytes();
                stranger.send(new DatagramPacket(noise, noise.length, rx.localAddress()));
                peer.send(new DatagramPacket(early, early.length, rx.localAddress()));
                stranger.send(new DatagramPacket(noise, noise.length, rx.localAddress()));
                AtomicReference<Throwable> failed = new AtomicReference<>();
                Thread connector = Thread.ofPlatform().start(() -> {
                    try {
                        rx.connect((InetSocketAddress) peer.getLocalSocketAddress());
                    } catch (Throwable e) {
                        failed.set(e);
                    }
                });
                // The connect is queued for the loop once the connector parks waiting for it.
                Eventually.eventually(Duration.ofSeconds(10), "the connector waits for its connect",
                        () -> connector.getState() == Thread.State.WAITING || connector.getState() == Thread.State.TIMED_WAITING);
                release.countDown();
                connector.join(10_000);
                assertEquals(Thread.State.TERMINATED, connector.getState(), "connect finished");
                assertNull(failed.get(), () -> "connect failed: " + failed.get());
                byte[] hello = "hello".getBytes();
                peer.send(new DatagramPacket(hello, hello.length, rx.localAddress()));
                rt.run(() -> {
                    rx.setReceiveTimeout(Duration.ofSeconds(5));
                    Datagram first = rx.receive();
                    // The peer's datagram sent before the connect may be kept or (as the JDK's connect does) dropped.
                    if (UdpSocketTest.text(first).equals("early")) {
                        assertEquals(peer.getLocalSocketAddress(), first.sender());
                        first = rx.receive();
                    }
                    assertEquals("hello", UdpSocketTest.text(first), "only the peer's datagrams are received");
                    assertEquals(peer.getLocalSocketAddress(), first.sender());
                    rx.setReceiveTimeout(Duration.ofMillis(50));
                    assertThrows(SocketTimeoutException.class, rx::receive, "nothing else was received");
                    return null;
                });
            }
        }
    }
}
