package dev.weft.net;

import dev.weft.core.Transport;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.weft.net.NetTesting.ANY_LOCAL;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Timeouts longer than {@code Long.MAX_VALUE} nanoseconds (about 292 years, e.g.
 * {@code ChronoUnit.FOREVER}) are positive durations: they mean "no practical limit", not an
 * {@code ArithmeticException} from {@link Duration#toNanos()}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LongTimeoutTest {
    static final Duration FOREVER = ChronoUnit.FOREVER.getDuration();
    static final Duration HUGE = Duration.ofSeconds(Long.MAX_VALUE / 2);

    @Test
    void hugeTimeoutsAreAccepted() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("long-timeouts").carriers(2).closeTimeout(Duration.ofSeconds(2)).build();
             TcpListener listener = TcpListener.bind(rt, ANY_LOCAL);
             UdpSocket rx = UdpSocket.bind(rt, ANY_LOCAL);
             UdpSocket tx = UdpSocket.bind(rt, ANY_LOCAL)) {
            rt.run(() -> {
                try (TcpStream c = TcpStream.connect(listener.localAddress(), FOREVER);
                     TcpStream s = listener.accept(HUGE)) {
                    c.setReadTimeout(FOREVER);
                    c.setWriteTimeout(HUGE);
                    s.writeAll("hi".getBytes());
                    byte[] buf = new byte[2];
                    assertEquals(2, c.read(buf, 0, 2));
                    c.writeAll("ok".getBytes());
                    assertEquals(2, s.read(buf, 0, 2));
                }
                rx.setReceiveTimeout(FOREVER);
                tx.send("d".getBytes(), rx.localAddress());
                assertEquals("d", UdpSocketTest.text(rx.receive()));
                return null;
            });
        }
    }

    /**
     * A close linger beyond the clock's range means "until the bytes are sent": it is accepted
     * (FOREVER threw ArithmeticException) and the close does not force the socket shut at once
     * (a linger just under Long.MAX_VALUE ns overflowed the deadline into the past, and epoll
     * dropped the queued bytes): the peer, reading late, gets every byte handed over.
     */
    @AllTransports
    void closeLingerBeyondTheClockWaitsForTheBytes(Transport t) throws Exception {
        try (WeftRuntime rt = TcpTransportConformanceTest.runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            for (Duration linger : List.of(Duration.ofNanos(Long.MAX_VALUE), FOREVER)) {
                try (Socket peer = new Socket()) {
                    peer.setReceiveBufferSize(16 * 1024);
                    peer.connect(l.localAddress());
                    peer.setSoTimeout(20_000);
                    TcpStream s = rt.run(() -> l.accept(Duration.ofSeconds(5)));
                    long handedOver = TcpTransportConformanceTest.fillUntilPending(rt, s);
                    s.setCloseLinger(linger);
                    s.close();
                    assertEquals(handedOver, peer.getInputStream().transferTo(OutputStream.nullOutputStream()),
                            "linger " + linger + ": the peer reads every byte handed over, then end of stream");
                }
            }
        }
    }
}
