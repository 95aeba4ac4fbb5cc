package dev.weft.net;

import dev.weft.core.Task;
import dev.weft.core.TaskFailedException;
import dev.weft.core.Transport;
import dev.weft.core.WeftRuntime;
import dev.weft.core.sync.ReceiveResult;
import dev.weft.core.testsupport.Eventually;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static dev.weft.net.NetTesting.ANY_LOCAL;
import static dev.weft.net.NetTesting.CONNECT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The same behaviour on every transport that loads on this machine (Netty's transport testsuite
 * idea): each {@link AllTransports} test runs once per transport, on a runtime of its own, and is
 * skipped where the transport does not load. The behaviours a transport can get wrong live here
 * rather than in the per-feature classes (which run on the default transport only): echo and
 * half-close (also a shutdown woken early by cancellation or its timeout), error types,
 * backpressure both ways, timeouts, cancellation in read and accept, close waking a reader, split
 * halves and message streams. A difference between transports is how a data-loss bug of epoll
 * alone (half-close, {@code EpollInterest}) was found.
 */
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
    @AllTransports
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
    @AllTransports
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
    @AllTransports
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

    // ------------------------------------------------------------------ backpressure

    /** Netty's default high water mark plus one write chunk: the most a parked writer may leave queued. */
    static final long OUTBOUND_BOUND = 64 * 1024 + dev.weft.net.internal.Conduit.WRITE_CHUNK;

    /**
     * Outbound backpressure. A peer that never reads: the server's writer parks, the bytes queued
     * in the process stay under the high water mark plus one chunk while it is parked, and once
     * the peer reads, every byte arrives in order.
     */
    @AllTransports
    void writerParksAndMemoryStaysBoundedWhenPeerDoesNotRead(Transport t) throws Exception {
        long total = 64L << 20;
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL);
             Socket peer = new Socket()) {
            peer.setReceiveBufferSize(16 * 1024);
            peer.connect(l.localAddress());
            TcpStream s = rt.run(() -> l.accept(Duration.ofSeconds(5)));
            AtomicLong written = new AtomicLong();
            Task<Void> writer = rt.spawn("writer", () -> {
                byte[] chunk = new byte[8192];
                long off = 0;
                while (off < total) {
                    for (int i = 0; i < chunk.length; i++) {
                        chunk[i] = (byte) (off + i);
                    }
                    s.write(chunk, 0, chunk.length);
                    off += chunk.length;
                    written.set(off);
                }
                s.flush();
                return null;
            });
            // Stalled: the channel unwritable (so bytes are queued) and no progress over 100
            // consecutive 1 ms polls. Progress alone is not enough: on a loaded machine a writer
            // woken because the channel became writable again can wait longer than that to run.
            long[] last = {-1};
            int[] still = {0};
            Eventually.eventually(Duration.ofSeconds(20), "the writer stalls (kernel buffers full)", () -> {
                long w = written.get();
                still[0] = w == last[0] && !s.channel().isWritable() ? still[0] + 1 : 0;
                last[0] = w;
                return still[0] >= 100;
            });
            NetTesting.parkedIn(rt, "writer", "Conduit.awaitWritable");
            long stalledAt = written.get();
            assertTrue(stalledAt < total, "the writer must stall, wrote " + stalledAt);
            // While parked, sample the pending bytes many times: never above the bound.
            long maxPending = 0;
            for (int i = 0; i < 200; i++) {
                maxPending = Math.max(maxPending, s.pendingWriteBytes());
                Thread.onSpinWait();
            }
            assertTrue(maxPending <= OUTBOUND_BOUND, "pending outbound bytes " + maxPending + " > " + OUTBOUND_BOUND);
            assertTrue(s.pendingWriteBytes() > 0, "the writer parked with bytes queued");
            assertEquals(stalledAt, written.get(), "a parked writer does not progress");
            assertFalse(writer.isDone());

            // The peer reads everything: the writer finishes and the bytes are intact.
            InputStream in = peer.getInputStream();
            byte[] buf = new byte[65536];
            long got = 0;
            while (got < total) {
                int n = in.read(buf);
                assertTrue(n > 0, "EOF after " + got);
                for (int i = 0; i < n; i++) {
                    if (buf[i] != (byte) (got + i)) {
                        throw new AssertionError("byte " + (got + i) + " corrupted");
                    }
                }
                got += n;
            }
            writer.join(Duration.ofSeconds(30));
            // Netty completes a write's promise just before it subtracts the entry from the pending
            // count, so a writer on another carrier can see the last entry's bytes for a moment.
            Eventually.eventually(Duration.ofSeconds(10), "pending outbound bytes drain to 0",
                    () -> s.pendingWriteBytes() == 0);
            s.close();
        }
    }

    /** A write timeout fires when the peer does not read, and reports how much was handed over. */
    @AllTransports
    void writeTimeoutWhenPeerDoesNotRead(Transport t) throws Exception {
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL);
             Socket peer = new Socket()) {
            peer.setReceiveBufferSize(16 * 1024);
            peer.connect(l.localAddress());
            rt.run(() -> {
                try (TcpStream s = l.accept(Duration.ofSeconds(5))) {
                    s.setWriteTimeout(Duration.ofMillis(100));
                    byte[] big = new byte[64 << 20];
                    var e = assertThrows(SocketTimeoutException.class, () -> s.write(big, 0, big.length));
                    assertTrue(e.bytesTransferred > 0 && e.bytesTransferred < big.length, "transferred " + e.bytesTransferred);
                    s.setCloseLinger(Duration.ZERO);
                }
                return null;
            });
        }
    }

    /** What a client may push at a server that never reads before we call it unbounded. */
    static final long INBOUND_BOUND = 16L << 20;

    /**
     * Inbound backpressure. A plain {@link Socket} client on a platform thread writes 32 MiB as
     * fast as the kernel takes them; the server's task reads the first 256 KiB, then nothing.
     * Since Weft only reads from the socket when a task reads, the client stalls once the
     * kernel's buffers (its send buffer, the server's receive buffer) and the single read Weft
     * asked for are full: it must have handed the kernel less than {@link #INBOUND_BOUND}, and
     * Weft's queue of received bytes (the stream's {@code available()}) holds at most one read's
     * worth ({@code maxMessagesPerRead} buffers of the allocator's largest size) and does not
     * grow. Then the server reads, and every byte arrives intact.
     */
    @AllTransports
    void peerThatWritesToAServerThatNeverReadsIsHeldBack(Transport t) throws Exception {
        int total = 32 << 20;
        int firstPart = 256 << 10;
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL);
             Socket client = new Socket()) {
            client.connect(l.localAddress());
            TcpStream s = rt.run(() -> l.accept(Duration.ofSeconds(5)));
            AtomicLong written = new AtomicLong();
            AtomicReference<Throwable> writeFailure = new AtomicReference<>();
            Thread writer = Thread.ofPlatform().name("inbound-bp-client").start(() -> {
                byte[] chunk = new byte[64 * 1024];
                try {
                    OutputStream out = client.getOutputStream();
                    for (long off = 0; off < total; off += chunk.length) {
                        for (int i = 0; i < chunk.length; i++) {
                            chunk[i] = (byte) (off + i);
                        }
                        out.write(chunk);
                        written.set(off + chunk.length);
                    }
                    out.flush();
                } catch (IOException e) {
                    writeFailure.set(e);
                }
            });
            try {
                // The server reads the first 256 KiB (so the receive allocator has grown to its
                // largest buffers), then nothing.
                byte[] first = rt.run(() -> s.readExact(firstPart));
                for (int i = 0; i < firstPart; i++) {
                    if (first[i] != (byte) i) {
                        throw new AssertionError("byte " + i + " corrupted on " + t);
                    }
                }
                // The client cannot progress: no bytes handed to the kernel over 300 consecutive
                // 1 ms polls (a client merely descheduled that long only makes the check below
                // stricter). A client that finishes would mean the server took everything without
                // anyone reading.
                long last = -1;
                int still = 0;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (still < 300) {
                    long w = written.get();
                    assertTrue(w < total, () -> "the client wrote all " + total + " bytes although the server reads nothing"
                            + " on " + t + ": no inbound backpressure; queued in Weft: " + s.available());
                    assertTrue(System.nanoTime() - deadline < 0, () -> "the client kept progressing for 20 s, at " + w
                            + " bytes (queued in Weft: " + s.available() + ")");
                    still = w == last ? still + 1 : 0;
                    last = w;
                    LockSupport.parkNanos(1_000_000);
                }
                long stalledAt = written.get();
                int queued = s.available();
                // One read asked for brings at most maxMessagesPerRead buffers of at most 64 KiB
                // (the adaptive allocator's largest); counted from the config, so the bound follows
                // it. With AUTO_READ off Netty's read loop stops after one buffer, and that is what
                // all three Linux transports do: under 64 KiB queued, while the client stalls after
                // 4 to 6.5 MiB (its send buffer and the server's receive buffer, autotuned).
                var alloc = s.channel().config().getRecvByteBufAllocator();
                int perRead = alloc instanceof io.netty.channel.MaxMessagesRecvByteBufAllocator m ? m.maxMessagesPerRead() : 16;
                long readAheadBound = (long) perRead * 64 * 1024;
                assertTrue(stalledAt < INBOUND_BOUND, () -> "the client handed " + stalledAt + " bytes to a server that reads nothing on "
                        + t + " (bound " + INBOUND_BOUND + "; queued in Weft " + queued + ")");
                assertTrue(queued <= readAheadBound, () -> "Weft queued " + queued + " received bytes that nobody asked for on " + t
                        + " (one read is at most " + readAheadBound + ")");
                // Nothing more is read while nobody reads: the queue stays as it was.
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                assertEquals(queued, s.available(), "Weft's inbound queue grows while no task reads");
                assertEquals(stalledAt, written.get(), "the client progressed while no task reads");
                assertTrue(writer.isAlive() && writeFailure.get() == null, () -> "the client stopped: " + writeFailure.get());

                // The server reads: the client finishes and every byte arrives in order.
                long got = rt.run(() -> {
                    s.setReadTimeout(Duration.ofSeconds(10));
                    byte[] buf = new byte[65536];
                    long pos = firstPart;
                    while (pos < total) {
                        int n = s.read(buf, 0, (int) Math.min(buf.length, total - pos));
                        assertTrue(n > 0, "EOF after " + pos);
                        for (int i = 0; i < n; i++) {
                            if (buf[i] != (byte) (pos + i)) {
                                throw new AssertionError("byte " + (pos + i) + " corrupted on " + t);
                            }
                        }
                        pos += n;
                    }
                    return pos;
                });
                assertEquals(total, got);
                writer.join(Duration.ofSeconds(10));
                assertFalse(writer.isAlive(), "the client finishes once the server reads");
                assertEquals(null, writeFailure.get());
                assertEquals(total, written.get());
            } finally {
                client.close();   // unblocks the writer if an assertion failed
                writer.join(Duration.ofSeconds(10));
                s.close();
            }
        }
    }

    // ------------------------------------------------------------------ cancellation, timeouts, close

    /** A read timeout throws SocketTimeoutException, loses nothing, and the stream stays usable. */
    @AllTransports
    void readTimeout(Transport t) throws Exception {
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            CountDownLatch timedOut = new CountDownLatch(1);
            rt.spawn(() -> {
                try (TcpStream s = l.accept()) {
                    timedOut.await();
                    s.writeAll("late".getBytes());
                    s.flush();
                }
                return null;
            });
            rt.run(() -> {
                try (TcpStream s = TcpStream.connect(rt, l.localAddress(), CONNECT)) {
                    s.setReadTimeout(Duration.ofMillis(50));
                    long t0 = System.nanoTime();
                    assertThrows(SocketTimeoutException.class, () -> s.read(new byte[4]));
                    assertTrue(System.nanoTime() - t0 >= 40_000_000L, "timed out too early");
                    timedOut.countDown();
                    s.setReadTimeout(Duration.ofSeconds(10));
                    assertEquals("late", new String(s.readExact(4), StandardCharsets.US_ASCII));
                }
                return null;
            });
        }
    }

    /**
     * A task cancelled while parked in read wakes at once with InterruptedIOException; bytes that
     * arrive later (and bytes already buffered) are read by another task: nothing is lost.
     */
    @AllTransports
    void cancelDuringReadLosesNothing(Transport t) throws Exception {
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            Task<TcpStream> server = rt.spawn(l::accept);
            TcpStream client = rt.run(() -> TcpStream.connect(rt, l.localAddress(), CONNECT));
            try (TcpStream s = server.join(Duration.ofSeconds(5)); client) {
                AtomicReference<Throwable> thrown = new AtomicReference<>();
                Task<Integer> reader = rt.spawn("reader", () -> {
                    try {
                        return client.read(new byte[16]);
                    } catch (Throwable e) {
                        thrown.set(e);
                        throw e;
                    }
                });
                NetTesting.parkedIn(rt, "reader", "Conduit.read");
                reader.cancel();
                assertThrows(CancellationException.class, () -> reader.join(Duration.ofSeconds(5)),
                        "the cancelled reader wakes within 5 s");
                assertInstanceOf(InterruptedIOException.class, thrown.get());
                // The read the cancelled task asked for may still deliver: those bytes are queued,
                // not dropped, and the next reader gets them.
                rt.run(() -> {
                    s.writeAll("after-cancel".getBytes());
                    client.setReadTimeout(Duration.ofSeconds(10));
                    assertEquals("after-cancel", new String(client.readExact(12), StandardCharsets.US_ASCII));
                    return null;
                });
            }
        }
    }

    /**
     * Cancelling a parked reader while the peer's bytes arrive, 20 times: whichever wins, the
     * cancelled read either returned some of the bytes or threw InterruptedIOException, and the
     * next read returns exactly the rest.
     */
    @AllTransports
    void cancelRacingArrivingBytesLosesNothing(Transport t) throws Exception {
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            Task<TcpStream> server = rt.spawn(l::accept);
            TcpStream client = rt.run(() -> TcpStream.connect(rt, l.localAddress(), CONNECT));
            // No read timeout on the client: a timed park is deeper than the 8 frames parkedIn sees.
            try (TcpStream s = server.join(Duration.ofSeconds(5)); client) {
                for (int round = 0; round < 20; round++) {
                    byte[] msg = ("message " + round).getBytes(StandardCharsets.US_ASCII);
                    AtomicReference<byte[]> gotByCancelled = new AtomicReference<>(new byte[0]);
                    AtomicReference<Throwable> thrown = new AtomicReference<>();
                    String name = "racing-reader-" + round;
                    Task<Void> reader = rt.spawn(name, () -> {
                        byte[] b = new byte[64];
                        try {
                            int n = client.read(b);
                            gotByCancelled.set(java.util.Arrays.copyOf(b, n));
                        } catch (Throwable e) {
                            thrown.set(e);
                            throw e;
                        }
                        return null;
                    });
                    NetTesting.parkedIn(rt, name, "Conduit.read");
                    Task<Void> w = rt.spawn(() -> {
                        s.writeAll(msg);
                        return null;
                    });
                    reader.cancel();
                    w.join(Duration.ofSeconds(5));
                    try {
                        reader.join(Duration.ofSeconds(5));
                    } catch (CancellationException expected) {
                        // cancelled, whether or not its read returned first
                    }
                    byte[] first = gotByCancelled.get();
                    if (first.length == 0) {
                        assertInstanceOf(InterruptedIOException.class, thrown.get(), "round " + round);
                    }
                    byte[] rest = rt.spawn(() -> client.readExact(msg.length - first.length)).join(Duration.ofSeconds(10));
                    byte[] all = new byte[msg.length];
                    System.arraycopy(first, 0, all, 0, first.length);
                    System.arraycopy(rest, 0, all, first.length, rest.length);
                    int r = round;
                    assertArrayEquals(msg, all, () -> "round " + r + ": cancelled read got " + first.length + " bytes");
                    assertEquals(0, client.available(), "nothing extra");
                }
            }
        }
    }

    /** A task cancelled in accept wakes with InterruptedIOException and the listener goes on accepting. */
    @AllTransports
    void cancelDuringAccept(Transport t) throws Exception {
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Task<TcpStream> acceptor = rt.spawn("acceptor", () -> {
                try {
                    return l.accept();
                } catch (Throwable e) {
                    thrown.set(e);
                    throw e;
                }
            });
            NetTesting.parkedIn(rt, "acceptor", "AcceptQueue.accept");
            acceptor.cancel();
            assertThrows(CancellationException.class, () -> acceptor.join(Duration.ofSeconds(5)),
                    "the cancelled acceptor wakes within 5 s");
            assertInstanceOf(InterruptedIOException.class, thrown.get());
            try (Socket plain = new Socket("127.0.0.1", l.localAddress().getPort())) {
                TcpStream s = rt.run(() -> l.accept(Duration.ofSeconds(5)));
                assertEquals(plain.getLocalPort(), s.peerAddress().getPort());
                s.close();
            }
        }
    }

    /**
     * Cancelling a parked accept while a connection arrives, 10 times: the connection is either
     * returned by the cancelled accept or by the next one, never dropped.
     */
    @AllTransports
    void cancelRacingArrivingConnectionLosesNothing(Transport t) throws Exception {
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            for (int round = 0; round < 10; round++) {
                String name = "racing-acceptor-" + round;
                AtomicReference<TcpStream> acceptedByCancelled = new AtomicReference<>();
                AtomicReference<Throwable> thrown = new AtomicReference<>();
                Task<Void> acceptor = rt.spawn(name, () -> {
                    try {
                        acceptedByCancelled.set(l.accept());
                    } catch (Throwable e) {
                        thrown.set(e);
                        throw e;
                    }
                    return null;
                });
                NetTesting.parkedIn(rt, name, "AcceptQueue.accept");
                try (Socket plain = new Socket()) {
                    plain.connect(l.localAddress());
                    acceptor.cancel();
                    try {
                        acceptor.join(Duration.ofSeconds(5));
                    } catch (CancellationException expected) {
                        // cancelled, whether or not its accept returned first
                    }
                    TcpStream s = acceptedByCancelled.get();
                    if (s == null) {
                        assertInstanceOf(InterruptedIOException.class, thrown.get(), "round " + round);
                        s = rt.run(() -> l.accept(Duration.ofSeconds(5)));
                    }
                    assertEquals(plain.getLocalPort(), s.peerAddress().getPort(), "round " + round);
                    s.close();
                }
            }
        }
    }

    /** accept with a timeout throws SocketTimeoutException; closing the listener wakes a parked accept. */
    @AllTransports
    void acceptTimeoutAndClose(Transport t) throws Exception {
        try (WeftRuntime rt = runtime(t)) {
            TcpListener l = TcpListener.bind(rt, ANY_LOCAL);
            rt.run(() -> assertThrows(SocketTimeoutException.class, () -> l.accept(Duration.ofMillis(20))));
            Task<TcpStream> acceptor = rt.spawn("acceptor2", l::accept);
            NetTesting.parkedIn(rt, "acceptor2", "AcceptQueue.accept");
            l.close();
            Exception e = assertThrows(Exception.class, () -> acceptor.join(Duration.ofSeconds(5)));
            assertInstanceOf(SocketException.class, e.getCause(), "closed listener: " + e);
        }
    }

    /** Reads after close throw "socket closed"; close wakes a parked reader; close is idempotent. */
    @AllTransports
    void closeWakesReader(Transport t) throws Exception {
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            NetTesting.echoServer(rt, l);
            TcpStream s = rt.run(() -> TcpStream.connect(rt, l.localAddress(), CONNECT));
            Task<Integer> reader = rt.spawn("reader2", () -> s.read(new byte[4]));
            NetTesting.parkedIn(rt, "reader2", "Conduit.read");
            s.close();
            s.close();
            try {
                Integer n = reader.join(Duration.ofSeconds(5));
                fail("read returned " + n + " after close");
            } catch (TaskFailedException e) {
                assertInstanceOf(SocketException.class, e.getCause());
            }
            assertThrows(SocketException.class, () -> s.read(new byte[1]));
        }
    }

    /**
     * Close wakes a task parked in flush or shutdownOutput (waiting for a peer that does not read)
     * at once with "socket closed", as it wakes a reader or writer, instead of leaving it parked
     * for the whole close linger (30 s); the close still lets the pending bytes drain, so the peer
     * reads every byte that was handed over, then end of stream.
     */
    @AllTransports
    void closeWakesTasksParkedInFlushAndShutdownOutput(Transport t) throws Exception {
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            for (String op : List.of("flush", "shutdownOutput")) {
                try (Socket peer = new Socket()) {
                    peer.setReceiveBufferSize(16 * 1024);
                    peer.connect(l.localAddress());
                    peer.setSoTimeout(20_000);
                    TcpStream s = rt.run(() -> l.accept(Duration.ofSeconds(5)));
                    long handedOver = fillUntilPending(rt, s);
                    String name = "parked-in-" + op;
                    Task<Void> waiter = rt.spawn(name, () -> {
                        if (op.equals("flush")) {
                            s.flush();
                        } else {
                            s.shutdownOutput();
                        }
                        return null;
                    });
                    NetTesting.parkedIn(rt, name, "Futures.awaitDone");
                    s.close();
                    try {
                        waiter.join(Duration.ofSeconds(5));
                        fail(op + " returned normally after close, with bytes still pending");
                    } catch (java.util.concurrent.TimeoutException e) {
                        fail(op + " still parked 5 s after close (it waited for the close linger)");
                    } catch (TaskFailedException e) {
                        assertInstanceOf(SocketException.class, e.getCause(), op + ": " + e.getCause());
                        assertEquals("socket closed", e.getCause().getMessage());
                    }
                    assertEquals(handedOver, peer.getInputStream().transferTo(OutputStream.nullOutputStream()),
                            op + ": the peer reads every byte handed over, then end of stream");
                }
            }
        }
    }

    /**
     * Writes to {@code s}, whose peer does not read, until a write times out: the kernel's
     * buffers are full and bytes stay queued in the process. Returns how many bytes were handed over.
     */
    static long fillUntilPending(WeftRuntime rt, TcpStream s) throws Exception {
        return rt.run(() -> {
            s.setWriteTimeout(Duration.ofMillis(100));
            long handedOver = 0;
            byte[] chunk = new byte[1 << 20];
            for (;;) {
                try {
                    s.writeAll(chunk);
                    handedOver += chunk.length;
                } catch (SocketTimeoutException e) {
                    handedOver += e.bytesTransferred;
                    break;
                }
            }
            s.setWriteTimeout(null);
            assertTrue(s.pendingWriteBytes() > 0, "bytes stay queued");
            return handedOver;
        });
    }

    /**
     * A shutdownOutput woken early, by cancellation or by the write timeout, while the peer does
     * not read: the shutdown goes on, so the peer reads every byte that was handed over and then
     * end of stream, and the stream behaves as after a completed shutdown.
     */
    @AllTransports
    void shutdownOutputCancelledStillEndsTheStream(Transport t) throws Exception {
        shutdownOutputWokenEarlyStillEndsTheStream(t, true);
    }

    @AllTransports
    void shutdownOutputTimedOutStillEndsTheStream(Transport t) throws Exception {
        shutdownOutputWokenEarlyStillEndsTheStream(t, false);
    }

    private static void shutdownOutputWokenEarlyStillEndsTheStream(Transport t, boolean cancel) throws Exception {
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL); Socket peer = new Socket()) {
            peer.setReceiveBufferSize(16 * 1024);
            peer.connect(l.localAddress());
            peer.setSoTimeout(10_000);
            try (TcpStream s = rt.run(() -> l.accept(Duration.ofSeconds(5)))) {
                // A write that times out against a peer that does not read leaves bytes pending
                // in the process, so the shutdown's flush cannot complete until the peer reads.
                // A fixed send buffer: the kernel's autotuning would otherwise grow it and take them.
                s.setSendBufferSize(16 * 1024);
                s.setWriteTimeout(Duration.ofMillis(100));
                byte[] big = NetTesting.pattern(64 << 20, 7);
                long handed = rt.run(() -> {
                    try {
                        s.write(big, 0, big.length);
                        return fail("the write must time out: the peer does not read");
                    } catch (SocketTimeoutException e) {
                        return (long) e.bytesTransferred;
                    }
                });
                assertTrue(s.pendingWriteBytes() > 0, "bytes must be pending for the flush to park");
                if (cancel) {
                    s.setWriteTimeout(null);
                    AtomicReference<Throwable> thrown = new AtomicReference<>();
                    Task<Void> shutter = rt.spawn("shutter", () -> {
                        try {
                            s.shutdownOutput();
                        } catch (Throwable e) {
                            thrown.set(e);
                            throw e;
                        }
                        return null;
                    });
                    NetTesting.parkedIn(rt, "shutter", "Futures.awaitDone");
                    shutter.cancel();
                    assertThrows(CancellationException.class, () -> shutter.join(Duration.ofSeconds(5)));
                    assertInstanceOf(InterruptedIOException.class, thrown.get());
                } else {
                    assertThrows(SocketTimeoutException.class, () -> rt.run(() -> {
                        s.shutdownOutput();
                        return null;
                    }));
                }
                rt.run(() -> {
                    s.shutdownOutput();   // committed: returns at once
                    return null;
                });
                assertThrows(SocketException.class, () -> rt.run(() -> {
                    s.writeAll(new byte[1]);
                    return null;
                }));

                InputStream in = peer.getInputStream();
                byte[] buf = new byte[65536];
                long got = 0;
                for (;;) {
                    int n;
                    try {
                        n = in.read(buf);
                    } catch (SocketTimeoutException e) {
                        throw new AssertionError("no end of stream after " + got + " of " + handed
                                + " bytes: the output was never shut down", e);
                    }
                    if (n < 0) {
                        break;
                    }
                    for (int i = 0; i < n; i++) {
                        if (buf[i] != big[(int) (got + i)]) {
                            throw new AssertionError("byte " + (got + i) + " corrupted");
                        }
                    }
                    got += n;
                }
                assertEquals(handed, got, "the peer reads exactly the bytes handed over, then end of stream");
            }
        }
    }

    // ------------------------------------------------------------------ split halves, messages

    /**
     * One task writes 2 MiB through the write half while another reads the echo through the read
     * half, at once (more than the socket buffers hold, so neither could finish alone); closing
     * the write half is a half-close, and closing both halves closes the socket.
     */
    @AllTransports
    void halvesUsedByTwoTasksAtOnce(Transport t) throws Exception {
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            NetTesting.echoServer(rt, l);
            byte[] sent = NetTesting.pattern(2 << 20, 11);
            rt.run(() -> {
                TcpStream s = TcpStream.connect(rt, l.localAddress(), CONNECT);
                NetStream.Split halves = s.split();
                Task<byte[]> reader = rt.spawn("split-reader", () -> {
                    try (NetStream.ReadHalf r = halves.read()) {
                        return r.inputStream().readAllBytes();   // EOF once the echo server saw ours
                    }
                });
                Task<Void> writer = rt.spawn("split-writer", () -> {
                    try (NetStream.WriteHalf w = halves.write()) {
                        for (int off = 0; off < sent.length; off += 5000) {
                            w.write(sent, off, Math.min(5000, sent.length - off));
                        }
                    }                                            // close = flush + shutdownOutput
                    return null;
                });
                writer.join(Duration.ofSeconds(30));
                assertArrayEquals(sent, reader.join(Duration.ofSeconds(30)));
                Eventually.eventually(Duration.ofSeconds(5), "both halves closed closes the stream", s::isClosed);
                return null;
            });
        }
    }

    /** Closing the read half wakes its parked reader; the write half keeps working until closed. */
    @AllTransports
    void closingReadHalfWakesReaderAndKeepsWriting(Transport t) throws Exception {
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            BlockingQueue<byte[]> serverGot = new ArrayBlockingQueue<>(1);
            rt.spawn(() -> {
                try (TcpStream peer = l.accept()) {
                    serverGot.add(peer.inputStream().readAllBytes());
                }
                return null;
            });
            TcpStream s = rt.run(() -> TcpStream.connect(rt, l.localAddress(), CONNECT));
            NetStream.Split halves = s.split();
            Task<Void> reader = rt.spawn("read-half-reader", () -> {
                SocketException e = assertThrows(SocketException.class, () -> halves.read().read(new byte[8]));
                assertEquals("read half closed", e.getMessage());
                return null;
            });
            NetTesting.parkedIn(rt, "read-half-reader", "Conduit.read");
            halves.read().close();
            reader.join(Duration.ofSeconds(5));
            assertFalse(s.isClosed(), "one half closed: the socket stays open");
            rt.run(() -> {
                halves.write().writeAll("still writing".getBytes());
                return null;
            });
            halves.write().close();
            assertEquals("still writing", new String(serverGot.poll(10, TimeUnit.SECONDS), StandardCharsets.US_ASCII));
            Eventually.eventually(Duration.ofSeconds(5), "socket closed after both halves", s::isClosed);
            assertThrows(SocketException.class, () -> rt.run(() -> {
                halves.write().writeAll(new byte[1]);
                return null;
            }));
        }
    }

    /**
     * A stream turned into a line-codec message stream: bytes buffered before the switch are
     * decoded too (nothing lost), sends go through the encoder, and end of input is Closed.
     */
    @AllTransports
    void messageStreamLinesThroughNettyCodec(Transport t) throws Exception {
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            Task<List<String>> server = rt.spawn(() -> {
                List<String> got = new ArrayList<>();
                try (TcpStream s = l.accept()) {
                    got.add(new String(s.readExact(2), StandardCharsets.UTF_8));   // "a\n" as raw bytes
                    MessageStream<String> m = s.messages(String.class, NetTesting::lines);
                    assertEquals(s.localAddress(), m.localAddress(), "TCP addresses stay InetSocketAddress");
                    assertEquals(s.peerAddress(), m.peerAddress());
                    while (m.receive() instanceof ReceiveResult.Value<String>(var line)) {
                        got.add(line);
                        m.send(line.toUpperCase() + "\n");
                    }
                    m.close();
                }
                return got;
            });
            String echoed = rt.run(() -> {
                try (TcpStream c = TcpStream.connect(rt, l.localAddress(), CONNECT)) {
                    c.writeAll("a\nbee\ncee\n".getBytes(StandardCharsets.UTF_8));
                    c.shutdownOutput();
                    return new String(c.inputStream().readAllBytes(), StandardCharsets.UTF_8);
                }
            });
            assertEquals(List.of("a\n", "bee", "cee"), server.join(Duration.ofSeconds(10)));
            assertEquals("BEE\nCEE\n", echoed);
        }
    }

    /** receive(timeout) returns Empty; a task cancelled in receive wakes with InterruptedIOException and loses nothing. */
    @AllTransports
    void messageStreamTimeoutAndCancel(Transport t) throws Exception {
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            Task<TcpStream> accepted = rt.spawn(l::accept);
            TcpStream client = rt.run(() -> TcpStream.connect(rt, l.localAddress(), CONNECT));
            try (TcpStream s = accepted.join(Duration.ofSeconds(5)); client) {
                MessageStream<String> m = rt.run(() -> s.messages(String.class, NetTesting::lines));
                assertInstanceOf(ReceiveResult.Empty.class, rt.run(() -> m.receive(Duration.ofMillis(20))));
                AtomicReference<Throwable> thrown = new AtomicReference<>();
                Task<Object> r = rt.spawn("receiver", () -> {
                    try {
                        return m.receive();
                    } catch (Throwable e) {
                        thrown.set(e);
                        throw e;
                    }
                });
                NetTesting.parkedIn(rt, "receiver", "Conduit.receive");
                r.cancel();
                assertThrows(CancellationException.class, () -> r.join(Duration.ofSeconds(5)));
                assertInstanceOf(InterruptedIOException.class, thrown.get());
                rt.run(() -> {
                    client.writeAll("kept\n".getBytes(StandardCharsets.UTF_8));
                    assertEquals(new ReceiveResult.Value<>("kept"), m.receive(Duration.ofSeconds(10)));
                    return null;
                });
                m.close();
            }
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
