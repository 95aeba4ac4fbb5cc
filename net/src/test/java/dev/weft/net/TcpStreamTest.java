package dev.weft.net;

import dev.weft.core.Task;
import dev.weft.core.TaskFailedException;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.weft.net.NetTesting.ANY_LOCAL;
import static dev.weft.net.NetTesting.CONNECT;
import static dev.weft.net.NetTesting.echoServer;
import static dev.weft.net.NetTesting.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TcpStreamTest {
    // On the default transport only. Behaviours that depend on the transport (backpressure,
    // timeouts, cancellation, close waking a reader, split halves, message streams) run on every
    // transport in TcpTransportConformanceTest.
    static WeftRuntime rt;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("net-test").carriers(2).closeTimeout(Duration.ofSeconds(2)).build();
    }

    @AfterAll
    static void stop() {
        rt.close();
    }

    /** Bytes written to an echo server come back identical, large writes included. */
    @Test
    void echoRoundTrip() throws Exception {
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            echoServer(rt, l);
            byte[] sent = pattern(1 << 20, 7);
            byte[] got = rt.run(() -> {
                try (TcpStream s = TcpStream.connect(rt, l.localAddress(), CONNECT)) {
                    assertTrue(s.noDelay(), "TCP_NODELAY is on by default");
                    assertEquals(l.localAddress().getPort(), s.peerAddress().getPort());
                    Task<byte[]> reader = rt.spawn(() -> s.readExact(sent.length));
                    s.writeAll(sent);
                    return reader.join();
                }
            });
            assertArrayEquals(sent, got);
        }
    }

    /** ByteBuffer reads and writes, heap and direct, move positions as documented. */
    @Test
    void byteBufferReadWrite() throws Exception {
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            echoServer(rt, l);
            rt.run(() -> {
                try (TcpStream s = TcpStream.connect(rt, l.localAddress(), CONNECT)) {
                    ByteBuffer out = ByteBuffer.allocateDirect(10).put("0123456789".getBytes()).flip();
                    s.write(out);
                    assertEquals(10, out.position());
                    ByteBuffer in = ByteBuffer.allocate(10);
                    while (in.hasRemaining()) {
                        assertTrue(s.read(in) > 0);
                    }
                    assertEquals("0123456789", new String(in.array(), StandardCharsets.US_ASCII));
                }
                return null;
            });
        }
    }

    /** After shutdownOutput the peer reads EOF, and this side still reads the peer's reply to EOF. */
    @Test
    void halfCloseThenReadToEof() throws Exception {
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            echoServer(rt, l);
            String reply = rt.run(() -> {
                try (TcpStream s = TcpStream.connect(rt, l.localAddress(), CONNECT)) {
                    s.writeAll("half-closed".getBytes());
                    s.shutdownOutput();
                    assertThrows(SocketException.class, () -> s.writeAll(new byte[1]), "write after shutdownOutput");
                    String r = new String(s.inputStream().readAllBytes(), StandardCharsets.UTF_8);
                    assertEquals(-1, s.read(new byte[1]), "EOF is sticky");
                    return r;
                }
            });
            assertEquals("half-closed", reply);
        }
    }

    /** A peer that closes: reads return what it sent, then -1; readExact throws EOFException. */
    @Test
    void eofWhenPeerCloses() throws Exception {
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            rt.spawn(() -> {
                try (TcpStream s = l.accept()) {
                    s.writeAll("bye".getBytes());
                }
                return null;
            });
            rt.run(() -> {
                try (TcpStream s = TcpStream.connect(rt, l.localAddress(), CONNECT)) {
                    byte[] b = new byte[10];
                    EOFException e = assertThrows(EOFException.class, () -> s.readExact(b, 0, 10));
                    assertTrue(e.getMessage().contains("3 of 10"), e.getMessage());
                    assertEquals("bye", new String(b, 0, 3, StandardCharsets.US_ASCII));
                    assertEquals(-1, s.read(b));
                }
                return null;
            });
        }
    }

    /** A task interrupted before read: buffered bytes are still returned; with nothing buffered it throws at once. */
    @Test
    void interruptedBeforeRead() throws Exception {
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            echoServer(rt, l);
            rt.run(() -> {
                try (TcpStream s = TcpStream.connect(rt, l.localAddress(), CONNECT)) {
                    s.writeAll("xy".getBytes());
                    byte[] one = s.readExact(1);
                    Thread.currentThread().interrupt();
                    try {
                        assertEquals('x', one[0]);
                        byte[] b = new byte[4];
                        int n = s.read(b);
                        assertEquals(1, n, "the buffered byte comes back");
                        assertEquals('y', b[0]);
                        assertThrows(InterruptedIOException.class, () -> s.read(b));
                        assertTrue(Thread.currentThread().isInterrupted(), "interrupt status stays set");
                    } finally {
                        Thread.interrupted();
                    }
                }
                return null;
            });
        }
    }

    /** Connecting to a port nobody listens on throws ConnectException naming the address. */
    @Test
    void connectRefused() throws Exception {
        InetSocketAddress dead;
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            dead = l.localAddress();
        }
        ConnectException e = assertThrows(ConnectException.class,
                () -> rt.run(() -> TcpStream.connect(rt, dead, CONNECT)));
        assertTrue(e.getMessage().contains(String.valueOf(dead.getPort())), e.getMessage());
    }

    /** Binding a port in use throws BindException whose message names the address. */
    @Test
    void portInUse() throws Exception {
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            BindException e = assertThrows(BindException.class, () -> TcpListener.builder(rt).reuseAddress(false).bind(l.localAddress()));
            assertTrue(e.getMessage().contains(String.valueOf(l.localAddress().getPort())), e.getMessage());
        }
    }

    /** The InputStream/OutputStream views work with unchanged blocking code (BufferedReader, PrintWriter). */
    @Test
    void streamViewsWithBufferedReader() throws Exception {
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            echoServer(rt, l);
            rt.run(() -> {
                try (TcpStream s = TcpStream.connect(rt, l.localAddress(), CONNECT)) {
                    PrintWriter w = new PrintWriter(s.outputStream(), true, StandardCharsets.UTF_8);
                    BufferedReader r = new BufferedReader(new InputStreamReader(s.inputStream(), StandardCharsets.UTF_8));
                    for (int i = 0; i < 100; i++) {
                        w.println("line " + i);
                        assertEquals("line " + i, r.readLine());
                    }
                }
                return null;
            });
        }
    }

    /** A stream used from a platform thread (not a task) works too. */
    @Test
    void usableFromPlatformThread() throws Exception {
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            echoServer(rt, l);
            try (TcpStream s = TcpStream.connect(rt, l.localAddress(), CONNECT)) {
                s.writeAll("platform".getBytes());
                assertEquals("platform", new String(s.readExact(8), StandardCharsets.US_ASCII));
            }
        }
    }

    /**
     * The requested connect timeout reaches the channel: Netty's own connect timer (30 s by
     * default) would otherwise cut a longer timeout short.
     */
    @Test
    void connectTimeoutLongerThanNettysDefaultIsApplied() throws Exception {
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            rt.spawn(l::accept);
            try (TcpStream s = rt.run(() -> TcpStream.connect(rt, l.localAddress(), Duration.ofSeconds(90)))) {
                int millis = s.channel().config().getConnectTimeoutMillis();
                assertTrue(millis > 80_000 && millis <= 90_000, "CONNECT_TIMEOUT_MILLIS " + millis + ", expected about 90 s");
            }
        }
    }

    /**
     * A connect that gets no answer (the listener's accept queue is full, so the kernel drops
     * the SYN) ends after the timeout with the documented SocketTimeoutException.
     */
    @Test
    void connectWithoutAnswerTimesOut() throws Exception {
        List<Socket> filler = new ArrayList<>();
        try (ServerSocket full = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            boolean hangs = false;
            while (!hangs && filler.size() < 64) {
                Socket f = new Socket();
                filler.add(f);
                try {
                    f.connect(full.getLocalSocketAddress(), 200);
                } catch (SocketTimeoutException e) {
                    hangs = true;
                }
            }
            assumeTrue(hangs, "this kernel answers connects to a full accept queue (tcp_abort_on_overflow?)");
            InetSocketAddress target = (InetSocketAddress) full.getLocalSocketAddress();
            long start = System.nanoTime();
            Task<TcpStream> connect = rt.spawn(() -> TcpStream.connect(rt, target, Duration.ofMillis(300)));
            TaskFailedException e = assertThrows(TaskFailedException.class, () -> connect.join(Duration.ofSeconds(10)),
                    "the connect must fail by its timeout");
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertInstanceOf(SocketTimeoutException.class, e.getCause(), "documented exception type");
            assertTrue(e.getCause().getMessage().contains(String.valueOf(target.getPort())), e.getCause().getMessage());
            assertTrue(tookMillis >= 250, "timed out early, after " + tookMillis + " ms");
        } finally {
            for (Socket f : filler) {
                f.close();
            }
        }
    }

    /**
     * Resolving a host name counts against the connect timeout: with the blocking pool busy the
     * lookup cannot run, and the connect still ends after its timeout. Once the pool is free the
     * same unresolved address connects.
     */
    @Test
    void connectTimeoutBoundsResolution() throws Exception {
        try (WeftRuntime small = WeftRuntime.builder().name("resolve-test").carriers(1).blockingThreads(1)
                .closeTimeout(Duration.ofSeconds(2)).build();
             TcpListener l = TcpListener.bind(small, ANY_LOCAL)) {
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            small.spawnBlocking("occupy", () -> {
                busy.countDown();
                return release.await(20, TimeUnit.SECONDS);
            });
            assertTrue(busy.await(5, TimeUnit.SECONDS), "the blocking job starts");
            InetSocketAddress unresolved = InetSocketAddress.createUnresolved("127.0.0.1", l.localAddress().getPort());
            try {
                Task<TcpStream> connect = small.spawn(() -> TcpStream.connect(small, unresolved, Duration.ofMillis(200)));
                TaskFailedException e;
                try {
                    e = assertThrows(TaskFailedException.class, () -> connect.join(Duration.ofSeconds(5)));
                } catch (AssertionError notFailed) {
                    throw new AssertionError("the connect did not end by its timeout while resolution could not run", notFailed);
                }
                assertInstanceOf(SocketTimeoutException.class, e.getCause());
                assertTrue(e.getCause().getMessage().contains("resolving 127.0.0.1"), e.getCause().getMessage());
            } finally {
                release.countDown();
            }
            small.spawn(l::accept);
            try (TcpStream s = small.run(() -> TcpStream.connect(small, unresolved, CONNECT))) {
                assertEquals(l.localAddress(), s.peerAddress());
            }
        }
    }

    /**
     * TCP options reach the socket (read back through the channel's config, i.e. from the
     * kernel): keep-alive, no-delay, buffer sizes, and SO_LINGER, whose sub-second durations
     * round up to 1 s (rounding down would turn a short linger into a reset).
     */
    @Test
    void socketOptionsAreApplied() throws Exception {
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            rt.spawn(l::accept);
            try (TcpStream s = rt.run(() -> TcpStream.connect(rt, l.localAddress(), CONNECT))) {
                var config = s.channel().config();
                s.setKeepAlive(true);
                assertEquals(true, config.getOption(io.netty.channel.ChannelOption.SO_KEEPALIVE));
                assertTrue(s.keepAlive());
                s.setNoDelay(false);
                assertEquals(false, config.getOption(io.netty.channel.ChannelOption.TCP_NODELAY));

                s.setSendBufferSize(32 * 1024);
                s.setReceiveBufferSize(48 * 1024);
                // Hints: Linux doubles them; what counts is that they reached the kernel.
                int snd = config.getOption(io.netty.channel.ChannelOption.SO_SNDBUF);
                int rcv = config.getOption(io.netty.channel.ChannelOption.SO_RCVBUF);
                assertTrue(snd >= 32 * 1024 && snd <= 2 * 32 * 1024, "SO_SNDBUF " + snd);
                assertTrue(rcv >= 48 * 1024 && rcv <= 2 * 48 * 1024, "SO_RCVBUF " + rcv);
                assertEquals(snd, s.sendBufferSize());
                assertEquals(rcv, s.receiveBufferSize());

                assertEquals(null, s.soLinger(), "off by default");
                s.setSoLinger(Duration.ofMillis(500));
                assertEquals(1, config.getOption(io.netty.channel.ChannelOption.SO_LINGER), "500 ms rounds up to 1 s, not down to a reset");
                s.setSoLinger(Duration.ofMillis(2001));
                assertEquals(Duration.ofSeconds(3), s.soLinger());
                s.setSoLinger(Duration.ofSeconds(2));
                assertEquals(Duration.ofSeconds(2), s.soLinger());
                s.setSoLinger(Duration.ZERO);
                assertEquals(Duration.ZERO, s.soLinger(), "zero stays zero: reset at close");
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> s.setSoLinger(Duration.ofMillis(-5)));
                assertTrue(e.getMessage().contains("PT-0.005S"), e.getMessage());
                assertEquals(Duration.ZERO, s.soLinger(), "a rejected value changes nothing");
                s.setSoLinger(null);
                assertEquals(null, s.soLinger());
            }
        }
    }
}
