package dev.weft.net;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
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
}
