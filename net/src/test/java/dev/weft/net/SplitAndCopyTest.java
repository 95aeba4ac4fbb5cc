package dev.weft.net;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.weft.net.NetTesting.ANY_LOCAL;
import static dev.weft.net.NetTesting.CONNECT;
import static dev.weft.net.NetTesting.echoServer;
import static dev.weft.net.NetTesting.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Split halves, {@link NetIo#copy} and {@link NetIo#copyBidirectional} over real loopback sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SplitAndCopyTest {
    // On the default transport only. Behaviours that depend on the transport (backpressure,
    // timeouts, cancellation, close waking a reader, split halves, message streams) run on every
    // transport in TcpTransportConformanceTest.
    static WeftRuntime rt;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("split-test").carriers(2).closeTimeout(Duration.ofSeconds(2)).build();
    }

    @AfterAll
    static void stop() {
        rt.close();
    }

    /** After a split the stream's own reads and writes are refused; a second split too. */
    @Test
    void ownershipAfterSplit() throws Exception {
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            echoServer(rt, l);
            rt.run(() -> {
                try (TcpStream s = TcpStream.connect(rt, l.localAddress(), CONNECT)) {
                    NetStream.Split halves = s.split();
                    assertThrows(IllegalStateException.class, () -> s.read(new byte[1]));
                    assertThrows(IllegalStateException.class, () -> s.writeAll(new byte[1]));
                    assertThrows(IllegalStateException.class, s::split);
                    assertThrows(IllegalStateException.class, () -> s.messages(Object.class, p -> { }));
                    assertNotNull(halves.read().stream().peerAddress(), "options and addresses stay reachable");
                    halves.write().writeAll("ping".getBytes());
                    assertEquals("ping", new String(halves.read().readExact(4), StandardCharsets.US_ASCII));
                }
                return null;
            });
        }
    }

    /** Closing the stream itself closes both halves at once. */
    @Test
    void closingStreamClosesHalves() throws Exception {
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            echoServer(rt, l);
            TcpStream s = rt.run(() -> TcpStream.connect(rt, l.localAddress(), CONNECT));
            NetStream.Split halves = s.split();
            Task<Void> reader = rt.spawn("half-reader-3", () -> {
                SocketException e = assertThrows(SocketException.class, () -> halves.read().read(new byte[8]));
                assertEquals("socket closed", e.getMessage());
                return null;
            });
            NetTesting.parkedIn(rt, "half-reader-3", "Conduit.read");
            s.close();
            reader.join(Duration.ofSeconds(5));
            assertThrows(SocketException.class, () -> halves.write().writeAll(new byte[1]));
            TcpStream closed = rt.run(() -> TcpStream.connect(rt, l.localAddress(), CONNECT));
            closed.close();
            assertThrows(SocketException.class, closed::split);
        }
    }

    /** {@link NetIo#copy} moves every byte and returns the count, without shutting the output down. */
    @Test
    void copyCountsBytes() throws Exception {
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            echoServer(rt, l);
            byte[] sent = pattern(300_000, 5);
            try (TcpListener sink = TcpListener.bind(rt, ANY_LOCAL)) {
                BlockingQueue<byte[]> got = new ArrayBlockingQueue<>(1);
                rt.spawn(() -> {
                    try (TcpStream in = sink.accept()) {
                        got.add(in.inputStream().readAllBytes());
                    }
                    return null;
                });
                rt.run(() -> {
                    try (TcpStream src = TcpStream.connect(rt, l.localAddress(), CONNECT);
                         TcpStream dst = TcpStream.connect(rt, sink.localAddress(), CONNECT)) {
                        Task<Void> w = rt.spawn(() -> {
                            src.writeAll(sent);
                            src.shutdownOutput();
                            return null;
                        });
                        long forwardedBefore = dev.weft.net.internal.NetCounters.of(rt).bytesForwarded.sum();
                        assertEquals(sent.length, NetIo.copy(src, dst));
                        assertEquals(sent.length, dev.weft.net.internal.NetCounters.of(rt).bytesForwarded.sum() - forwardedBefore,
                                "copy between two streams forwards the received buffers");
                        w.join();
                        dst.writeAll("!".getBytes());               // copy left dst's output open
                    }
                    return null;
                });
                byte[] all = got.poll(10, TimeUnit.SECONDS);
                assertNotNull(all);
                assertEquals(sent.length + 1, all.length);
                assertArrayEquals(sent, java.util.Arrays.copyOf(all, sent.length));
            }
        }
    }

    /**
     * A real proxy: client -> proxy (copyBidirectional) -> echo server. 4 MiB arrive intact and
     * the proxy reports the bytes each way; the client's half-close reaches the echo server
     * through the proxy, and the echo server's close comes back as EOF.
     */
    @Test
    void proxyToEchoServer() throws Exception {
        try (TcpListener echo = TcpListener.bind(rt, ANY_LOCAL);
             TcpListener proxy = TcpListener.bind(rt, ANY_LOCAL)) {
            echoServer(rt, echo);
            BlockingQueue<Object> results = new ArrayBlockingQueue<>(4);
            rt.spawn("proxy", () -> {
                proxy.serve(client -> {
                    try (TcpStream upstream = TcpStream.connect(echo.localAddress(), CONNECT)) {
                        results.add(NetIo.copyBidirectional(client, upstream));
                    } catch (IOException | RuntimeException e) {
                        results.add(e);
                        throw e;
                    }
                });
                return null;
            });
            byte[] sent = pattern(4 << 20, 3);
            byte[] got = rt.run(() -> {
                try (TcpStream s = TcpStream.connect(rt, proxy.localAddress(), CONNECT)) {
                    Task<byte[]> reader = rt.spawn(() -> s.inputStream().readAllBytes());
                    s.writeAll(sent);
                    s.shutdownOutput();
                    return reader.join(Duration.ofSeconds(30));
                }
            });
            assertArrayEquals(sent, got);
            Object r = results.poll(10, TimeUnit.SECONDS);
            assertEquals(new NetIo.Transferred(sent.length, sent.length), r);
        }
    }

    /**
     * Half-close both ways through the proxy: the server reads the request to EOF (the client's
     * shutdownOutput propagated), then answers and closes; the client reads the answer, then EOF.
     */
    @Test
    void halfClosePropagatesThroughProxy() throws Exception {
        try (TcpListener server = TcpListener.bind(rt, ANY_LOCAL);
             TcpListener proxy = TcpListener.bind(rt, ANY_LOCAL)) {
            rt.spawn("eof-server", () -> {
                server.serve(s -> {
                    byte[] req = s.inputStream().readAllBytes();        // needs the propagated FIN
                    s.writeAll(("got " + new String(req, StandardCharsets.US_ASCII)).getBytes());
                    s.shutdownOutput();
                });
                return null;
            });
            BlockingQueue<Object> results = new ArrayBlockingQueue<>(4);
            rt.spawn("proxy2", () -> {
                proxy.serve(client -> {
                    try (TcpStream upstream = TcpStream.connect(server.localAddress(), CONNECT)) {
                        results.add(NetIo.copyBidirectional(client, upstream));
                    }
                });
                return null;
            });
            String reply = rt.run(() -> {
                try (TcpStream s = TcpStream.connect(rt, proxy.localAddress(), CONNECT)) {
                    s.writeAll("hello".getBytes());
                    s.shutdownOutput();
                    return new String(s.inputStream().readAllBytes(), StandardCharsets.US_ASCII);
                }
            });
            assertEquals("got hello", reply);
            assertEquals(new NetIo.Transferred(5, 9), results.poll(10, TimeUnit.SECONDS));
        }
    }

    /** A failing direction (a peer that resets) ends copyBidirectional with its IOException instead of hanging. */
    @Test
    void failureInOneDirectionStopsTheOther() throws Exception {
        try (TcpListener server = TcpListener.bind(rt, ANY_LOCAL);
             TcpListener front = TcpListener.bind(rt, ANY_LOCAL)) {
            rt.run(() -> {
                try (TcpStream client = TcpStream.connect(rt, front.localAddress(), CONNECT);
                     TcpStream a = front.accept(Duration.ofSeconds(5));
                     TcpStream b = TcpStream.connect(rt, server.localAddress(), CONNECT);
                     TcpStream far = server.accept(Duration.ofSeconds(5))) {
                    Task<NetIo.Transferred> copying = rt.spawn("bidi", () -> NetIo.copyBidirectional(a, b));
                    // Parked taking a received buffer: the forwarding path, not a read into an array.
                    NetTesting.parkedIn(rt, "bidi", "Conduit.takeBuffer");
                    b.close();                                      // the b side dies under the copy
                    Exception e = assertThrows(Exception.class, () -> copying.join(Duration.ofSeconds(10)));
                    assertTrue(e.getCause() instanceof SocketException, () -> "failure was " + e);
                    assertFalse(Thread.currentThread().isInterrupted());
                    assertNotNull(client);
                    assertNotNull(far);
                }
                return null;
            });
        }
    }
}
