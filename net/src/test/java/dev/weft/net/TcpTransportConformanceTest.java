package dev.weft.net;

import dev.weft.core.Task;
import dev.weft.core.Transport;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.weft.net.NetTesting.ANY_LOCAL;
import static dev.weft.net.NetTesting.CONNECT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The same behaviour on every transport that loads on this machine (Netty's transport testsuite idea). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpTransportConformanceTest {

    static WeftRuntime runtime(Transport t) {
        return runtime(t, 2);
    }

    /** A runtime on transport {@code t}, or the test is skipped where it does not load. */
    static WeftRuntime runtime(Transport t, int carriers) {
        WeftRuntime rt;
        try {
            rt = WeftRuntime.builder().name("conf-" + t).carriers(carriers).transport(t)
                    .closeTimeout(Duration.ofSeconds(2)).build();
        } catch (IllegalStateException e) {
            // The builder refuses a forced transport that does not load, with Netty's reason.
            assumeTrue(false, () -> "skipped: " + e.getMessage());
            throw e;
        }
        assertEquals(t, rt.transport());
        return rt;
    }

    /** 50 concurrent connections each echo 256 KiB intact, then half-close and read EOF. */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"NIO", "EPOLL", "IO_URING", "KQUEUE"})
    void concurrentEchoAndHalfClose(Transport t) throws Exception {
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            NetTesting.echoServer(rt, l);
            List<Task<Void>> clients = new ArrayList<>();
            for (int c = 0; c < 50; c++) {
                int seed = c;
                clients.add(rt.spawn("client-" + c, () -> {
                    byte[] sent = NetTesting.pattern(256 * 1024, seed);
                    try (TcpStream s = TcpStream.connect(rt, l.localAddress(), CONNECT)) {
                        Task<byte[]> reader = rt.spawn(() -> s.inputStream().readAllBytes());
                        s.writeAll(sent);
                        s.shutdownOutput();
                        byte[] got;
                        try {
                            got = reader.join(Duration.ofSeconds(30));
                        } catch (java.util.concurrent.TimeoutException e) {
                            // Say where it is stuck: bytes the client could not send, or replies it did not get.
                            throw new AssertionError("no EOF from the echo server within 30 s on " + s + ": client pending write bytes "
                                    + s.pendingWriteBytes() + ", writable " + s.channel().isWritable() + ", readable now "
                                    + s.available() + ", " + NetStats.of(rt), e);
                        }
                        assertEquals(sent.length, got.length, () -> "echoed bytes on " + s);
                        assertArrayEquals(sent, got);
                    }
                    return null;
                }));
            }
            for (Task<Void> c : clients) {
                c.join(Duration.ofSeconds(30));
            }
        }
    }

    /** Refused connections, ports in use and read timeouts surface as the same exception types. */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"NIO", "EPOLL", "IO_URING", "KQUEUE"})
    void errorsAreTheSame(Transport t) throws Exception {
        try (WeftRuntime rt = runtime(t)) {
            InetSocketAddress dead;
            try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
                dead = l.localAddress();
                assertThrows(BindException.class, () -> TcpListener.builder(rt).reuseAddress(false).bind(l.localAddress()));
                NetTesting.echoServer(rt, l);
                rt.run(() -> {
                    try (TcpStream s = TcpStream.connect(rt, l.localAddress(), CONNECT)) {
                        s.setReadTimeout(Duration.ofMillis(30));
                        assertThrows(java.net.SocketTimeoutException.class, () -> s.read(new byte[1]));
                        // The stream stays usable after a timeout. The echo gets a timeout of its own:
                        // 30 ms is too short for a round trip on a loaded machine.
                        s.setReadTimeout(Duration.ofSeconds(10));
                        s.writeAll("ok".getBytes());
                        assertEquals("ok", new String(s.readExact(2), StandardCharsets.US_ASCII));
                    }
                    return null;
                });
            }
            assertThrows(ConnectException.class, () -> rt.run(() -> TcpStream.connect(rt, dead, CONNECT)));
        }
    }

    /** Without the carrier scheduler (tasks on the JDK's scheduler, I/O woken across threads) everything still works. */
    @org.junit.jupiter.api.Test
    void fallbackScheduler() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("conf-fallback").carriers(2).forceFallbackScheduler(true)
                .closeTimeout(Duration.ofSeconds(2)).build();
             TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            NetTesting.echoServer(rt, l);
            rt.run(() -> {
                byte[] sent = NetTesting.pattern(512 * 1024, 3);
                try (TcpStream s = TcpStream.connect(rt, l.localAddress(), CONNECT)) {
                    Task<byte[]> reader = rt.spawn(() -> s.inputStream().readAllBytes());
                    s.writeAll(sent);
                    s.shutdownOutput();
                    assertArrayEquals(sent, reader.join(Duration.ofSeconds(30)));
                }
                return null;
            });
        }
    }
}
