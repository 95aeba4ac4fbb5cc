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
import static org.junit.jupiter.api.Assertions.assertTrue;
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

    /**
     * Half-close loses nothing when the server still has much more than its socket buffer to
     * write after the peer's FIN: the server's send buffer is shrunk to 4 KiB, and each client
     * sends 3 MiB and half-closes. On "echo" connections the server copies until end of input (the
     * FIN arrives while the echo is still being written); on "reply" connections it reads the
     * whole request to end of input, then writes it back (the FIN arrives before any reply byte).
     * Guards the epoll workaround of {@code EpollInterest}: without it, Netty 4.2.18's epoll fails
     * to arm {@code EPOLLOUT} after the FIN ({@code epoll_ctl} ENOENT), shuts the output down and
     * the client reads end of stream early.
     */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"NIO", "EPOLL", "IO_URING", "KQUEUE"})
    void halfCloseThenLongReplyLosesNothing(Transport t) throws Exception {
        int size = 3 << 20;
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            java.util.Queue<String> serverFailures = new java.util.concurrent.ConcurrentLinkedQueue<>();
            rt.spawn("half-close-server", () -> {
                l.serve(s -> {
                    s.setSendBufferSize(4096);
                    try {
                        int mode = s.inputStream().read();
                        if (mode == 'e') {
                            s.writeAll(new byte[] {'e'});
                            NetIo.copy(s, s);
                        } else {
                            byte[] request = s.inputStream().readAllBytes();
                            s.writeAll(new byte[] {'r'});
                            s.writeAll(request);
                        }
                    } catch (java.io.IOException | RuntimeException e) {
                        serverFailures.add(s + ": " + e + (e.getCause() != null ? " <- " + e.getCause() : ""));
                        throw e;
                    }
                });
                return null;
            });
            List<Task<Void>> clients = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                int seed = c;
                char mode = c % 2 == 0 ? 'e' : 'r';
                clients.add(rt.spawn("client-" + mode + c, () -> {
                    byte[] sent = NetTesting.pattern(size, seed);
                    try (TcpStream s = TcpStream.connect(rt, l.localAddress(), CONNECT)) {
                        Task<byte[]> reader = rt.spawn(() -> s.inputStream().readAllBytes());
                        s.writeAll(new byte[] {(byte) mode});
                        s.writeAll(sent);
                        s.shutdownOutput();
                        byte[] got = reader.join(Duration.ofSeconds(20));
                        assertEquals(sent.length + 1, got.length, () -> "bytes back on a '" + mode + "' connection " + s
                                + " (server failures: " + serverFailures + ")");
                        assertEquals((byte) mode, got[0]);
                        assertArrayEquals(sent, java.util.Arrays.copyOfRange(got, 1, got.length), () -> "content on " + s);
                    }
                    return null;
                }));
            }
            for (Task<Void> c : clients) {
                c.join(Duration.ofSeconds(30));
            }
            assertTrue(serverFailures.isEmpty(), () -> "server failures: " + serverFailures);
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
