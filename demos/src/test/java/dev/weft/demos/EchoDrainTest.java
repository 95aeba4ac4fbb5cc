package dev.weft.demos;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.weft.core.testsupport.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The echo demo's graceful shutdown (what SIGTERM runs: {@code server.close()}): an idle
 * connection is closed at once, while a busy one (an echo it took from the client and could
 * not write yet, because the client does not read) is not cut: it stays open until the client
 * reads, gets its echo, and then ends on its own, without the runtime's shutdown.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EchoDrainTest {

    @Test
    void closeEndsIdleConnectionsAndLetsBusyOnesFinish() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("echo-drain").carriers(2).closeTimeout(Duration.ofSeconds(5)).build()) {
            Connections echo = (Connections) EchoServer.start(rt, new InetSocketAddress("127.0.0.1", 0));
            try (Socket idle = new Socket(); Socket busy = new Socket()) {
                idle.connect(echo.address());
                idle.setSoTimeout(20_000);
                idle.getOutputStream().write("ping".getBytes());
                assertArrayEquals("ping".getBytes(), idle.getInputStream().readNBytes(4));

                // The busy client sends much more than the buffers on the way hold and reads nothing:
                // the server's echo of it backs up, and its connection task is stuck writing.
                busy.setReceiveBufferSize(16 * 1024);
                busy.connect(echo.address());
                busy.setSoTimeout(20_000);
                long total = 64L << 20;
                AtomicLong written = new AtomicLong();
                Thread writer = Thread.ofPlatform().name("busy-client").start(() -> {
                    byte[] chunk = new byte[64 * 1024];
                    try {
                        OutputStream out = busy.getOutputStream();
                        for (long off = 0; off < total; off += chunk.length) {
                            for (int i = 0; i < chunk.length; i++) {
                                chunk[i] = (byte) (off + i);
                            }
                            out.write(chunk);
                            written.set(off + chunk.length);
                        }
                    } catch (IOException e) {
                        // the server closed the connection (drained): expected
                    }
                });
                long[] last = {-1};
                int[] still = {0};
                eventually(Duration.ofSeconds(30), "the busy client stalls", () -> {
                    long w = written.get();
                    still[0] = w == last[0] && w > 0 ? still[0] + 1 : 0;
                    last[0] = w;
                    return still[0] >= 100;
                });
                assertTrue(written.get() < total, "the busy client must stall");
                assertEquals(2, echo.liveConnections());

                echo.close();

                // The idle connection ends at once, cleanly.
                long t0 = System.nanoTime();
                assertEquals(-1, idle.getInputStream().read(), "the idle connection is closed");
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "the idle connection is closed within 5 s");
                eventually(Duration.ofSeconds(5), "the idle connection is gone", () -> echo.liveConnections() == 1);
                // The busy one is not cut while its echo is pending.
                assertEquals(1, echo.liveConnections(), "the busy connection was not cut");
                assertTrue(writer.isAlive(), "the busy client is still connected");

                // The client reads: its echo arrives intact, and the connection then ends on its own.
                InputStream in = busy.getInputStream();
                byte[] buf = new byte[64 * 1024];
                long got = 0;
                try {
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        for (int i = 0; i < n; i++) {
                            if (buf[i] != (byte) (got + i)) {
                                throw new AssertionError("echo byte " + (got + i) + " corrupted");
                            }
                        }
                        got += n;
                    }
                } catch (SocketException e) {
                    // A reset: the server closed with the client's further bytes unread. What
                    // arrived before it was checked.
                }
                assertTrue(got > 0, "the busy client got its echo");
                eventually(Duration.ofSeconds(10), "the busy connection ends on its own", () -> echo.liveConnections() == 0);
                busy.close();
                writer.join(10_000);
            }
            echo.awaitStopped();
        }
    }
}
