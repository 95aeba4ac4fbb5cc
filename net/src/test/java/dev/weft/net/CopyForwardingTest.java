package dev.weft.net;

import dev.weft.core.Task;
import dev.weft.core.Transport;
import dev.weft.core.WeftRuntime;
import dev.weft.core.testsupport.Eventually;
import dev.weft.net.internal.NetCounters;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static dev.weft.net.NetTesting.ANY_LOCAL;
import static dev.weft.net.NetTesting.CONNECT;
import static dev.weft.net.TcpTransportConformanceTest.runtime;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link NetIo#copy} between Weft streams forwards the received buffers without copying: on every
 * transport, over real loopback sockets. Each test checks that the forwarding path was taken
 * ({@link NetCounters#bytesForwarded}), so a copy that fell back to the byte-array loop fails.
 * Buffers leaked on any path fail the class (NettyLeakCheck, paranoid detection).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CopyForwardingTest {

    /**
     * What a copier parked on a slow reader may leave queued for it: the high water mark (64 KiB)
     * plus the one received buffer handed over last (at most 64 KiB, the receive allocator's
     * largest), instead of plus one 16 KiB write chunk for the byte-array loop.
     */
    static final long FORWARD_BOUND = 64 * 1024 + 64 * 1024;

    static long forwarded(WeftRuntime rt) {
        return NetCounters.of(rt).bytesForwarded.sum();
    }

    /** Connects {@code peer} (a plain socket) to {@code l} and returns the stream {@code l} accepted for it. */
    static TcpStream accept(WeftRuntime rt, TcpListener l, Socket peer) throws Exception {
        peer.connect(l.localAddress());
        TcpStream s = rt.run(() -> l.accept(Duration.ofSeconds(5)));
        assertEquals(peer.getLocalPort(), s.peerAddress().getPort());
        return s;
    }

    /**
     * Serves {@code proxy} in a task named {@code name}: each client is copied both ways
     * ({@code copyBidirectional}) to a new connection to {@code upstream}; the copy's result, or
     * its failure, goes to {@code results}.
     */
    static void startProxy(WeftRuntime rt, String name, TcpListener proxy, InetSocketAddress upstream,
                           BlockingQueue<Object> results) {
        rt.spawn(name, () -> {
            proxy.serve(client -> {
                try (TcpStream up = TcpStream.connect(upstream, CONNECT)) {
                    results.add(NetIo.copyBidirectional(client, up));
                } catch (IOException | RuntimeException e) {
                    results.add(e);
                    throw e;
                }
            });
            return null;
        });
    }

    /** Test clean-up: closes the source socket, waits for its writer thread (if started), closes the streams. */
    static void stopSource(Socket src, Thread writer, NetStream... streams) throws Exception {
        src.close();
        if (writer != null) {
            writer.join(10_000);
        }
        for (NetStream s : streams) {
            s.close();
        }
    }

    /** A platform thread writing {@code total} bytes of the pattern {@code (byte) offset} to {@code peer}. */
    static Thread source(Socket peer, long total, AtomicLong written, AtomicReference<Throwable> failure) {
        return Thread.ofPlatform().name("copy-source").start(() -> {
            byte[] chunk = new byte[64 * 1024];
            try {
                OutputStream out = peer.getOutputStream();
                for (long off = 0; off < total; ) {
                    int n = (int) Math.min(chunk.length, total - off);
                    for (int i = 0; i < n; i++) {
                        chunk[i] = (byte) (off + i);
                    }
                    out.write(chunk, 0, n);
                    off += n;
                    written.set(off);
                }
                out.flush();
            } catch (IOException e) {
                failure.set(e);
            }
        });
    }

    /** Reads {@code in} until end of stream (or {@code max} bytes), checking the pattern from {@code start}; returns the count. */
    static long readPattern(InputStream in, long start, long max) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long got = 0;
        while (got < max) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, max - got));
            if (n < 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                if (buf[i] != (byte) (start + got + i)) {
                    throw new AssertionError("byte " + (start + got + i) + " corrupted");
                }
            }
            got += n;
        }
        return got;
    }

    /** {@code n} bytes of the pattern {@link #source} writes and {@link #readPattern} checks: {@code (byte) offset}. */
    static byte[] offsets(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    /**
     * Two streams accepted from plain sockets: {@code in}, whose peer {@code src} a platform thread
     * can feed with the pattern ({@link #startSource}), and {@code out}, whose peer is {@code sink}.
     * Closing stops the source, then closes both streams and both sockets.
     */
    static final class Piped implements AutoCloseable {
        final Socket src = new Socket();
        final Socket sink = new Socket();
        final TcpStream in;
        final TcpStream out;
        final AtomicLong written = new AtomicLong();
        final AtomicReference<Throwable> writeFailure = new AtomicReference<>();
        Thread writer;

        /** @param sinkReceiveBuffer the sink's receive buffer in bytes (a slow reader), or 0 for the default */
        Piped(WeftRuntime rt, TcpListener l, int sinkReceiveBuffer) throws Exception {
            try {
                if (sinkReceiveBuffer > 0) {
                    sink.setReceiveBufferSize(sinkReceiveBuffer);
                }
                in = accept(rt, l, src);
                out = accept(rt, l, sink);
            } catch (Exception | Error e) {
                src.close();
                sink.close();
                throw e;
            }
        }

        /** Starts the thread that writes {@code total} bytes of the pattern into {@code in}'s peer. */
        void startSource(long total) {
            writer = source(src, total, written, writeFailure);
        }

        @Override
        public void close() throws Exception {
            try {
                stopSource(src, writer, in, out);
            } finally {
                sink.close();
            }
        }
    }

    /** Spawns {@code copy} as a task named {@code name}; what it throws is also put in {@code thrown}. */
    static Task<Long> spawnCopy(WeftRuntime rt, String name, AtomicReference<Throwable> thrown,
                                java.util.concurrent.Callable<Long> copy) {
        return rt.spawn(name, () -> {
            try {
                return copy.call();
            } catch (Throwable e) {
                thrown.set(e);
                throw e;
            }
        });
    }

    /** Waits until the source cannot progress and {@code out} is not writable, over 100 consecutive 1 ms polls. */
    static void awaitStall(AtomicLong written, TcpStream out) {
        long[] last = {-1};
        int[] still = {0};
        Eventually.eventually(Duration.ofSeconds(30), "the copy stalls on the slow reader", () -> {
            long w = written.get();
            still[0] = w == last[0] && !out.channel().isWritable() ? still[0] + 1 : 0;
            last[0] = w;
            return still[0] >= 100;
        });
    }

    /**
     * 32 MiB through a proxy ({@code copyBidirectional}) to an echo server that copies its stream
     * to itself, and back: every byte arrives intact, the half-close travels both ways, each copy
     * reports the size, all three copies forwarded every byte, and the byte counters saw each
     * byte once per read and per write.
     */
    @AllTransports
    void proxyToSelfCopyingEchoForwardsEveryByte(Transport t) throws Exception {
        int size = 32 << 20;
        try (WeftRuntime rt = runtime(t);
             TcpListener echo = TcpListener.bind(rt, ANY_LOCAL);
             TcpListener proxy = TcpListener.bind(rt, ANY_LOCAL)) {
            BlockingQueue<Object> echoed = new ArrayBlockingQueue<>(4);
            rt.spawn("self-copy-echo", () -> {
                echo.serve(s -> {
                    try {
                        echoed.add(NetIo.copy(s, s));
                    } catch (IOException | RuntimeException e) {
                        echoed.add(e);
                        throw e;
                    }
                });
                return null;
            });
            BlockingQueue<Object> proxied = new ArrayBlockingQueue<>(4);
            startProxy(rt, "forwarding-proxy", proxy, echo.localAddress(), proxied);
            long forwardedBefore = forwarded(rt);
            NetStats before = NetStats.of(rt);
            byte[] sent = NetTesting.pattern(size, 17);
            byte[] got = rt.run(() -> {
                try (TcpStream s = TcpStream.connect(rt, proxy.localAddress(), CONNECT)) {
                    Task<byte[]> reader = rt.spawn(() -> s.inputStream().readAllBytes());
                    s.writeAll(sent);
                    s.shutdownOutput();
                    return reader.join(Duration.ofSeconds(90));
                }
            });
            assertEquals(sent.length, got.length);
            assertArrayEquals(sent, got);
            assertEquals((long) size, echoed.poll(10, TimeUnit.SECONDS));
            assertEquals(new NetIo.Transferred(size, size), proxied.poll(10, TimeUnit.SECONDS));
            assertEquals(3L * size, forwarded(rt) - forwardedBefore, "the three copies forwarded every byte");
            NetStats after = NetStats.of(rt);
            // The client wrote and read each byte once; each of the three copies read and wrote it once.
            assertEquals(4L * size, after.bytesRead() - before.bytesRead(), "bytes read");
            assertEquals(4L * size, after.bytesWritten() - before.bytesWritten(), "bytes written");
        }
    }

    /**
     * Outbound backpressure: the output's peer does not read. The copier parks waiting for the
     * output to become writable, the bytes queued for it stay under {@link #FORWARD_BOUND},
     * nothing more is read from the input (its queue holds at most one read, and the source
     * stalls), and once the peer reads, every byte arrives in order and copy returns the total.
     */
    @AllTransports
    void slowReaderParksTheCopierAndBoundsMemory(Transport t) throws Exception {
        long total = 32 << 20;
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL);
             Piped p = new Piped(rt, l, 16 * 1024)) {
            TcpStream in = p.in;
            TcpStream out = p.out;
            AtomicLong written = p.written;
            long forwardedBefore = forwarded(rt);
            p.startSource(total);
            Task<Long> copier = rt.spawn("copier", () -> NetIo.copy(in, out));
            awaitStall(written, out);
            NetTesting.parkedIn(rt, "copier", "Conduit.awaitWritable");
            long stalledAt = written.get();
            assertTrue(stalledAt < total, "the source must stall, wrote " + stalledAt);
            var alloc = in.channel().config().getRecvByteBufAllocator();
            int perRead = alloc instanceof io.netty.channel.MaxMessagesRecvByteBufAllocator m ? m.maxMessagesPerRead() : 16;
            long readAheadBound = (long) perRead * 64 * 1024;
            long maxPending = 0;
            for (int i = 0; i < 200; i++) {
                maxPending = Math.max(maxPending, out.pendingWriteBytes());
                assertTrue(in.available() <= readAheadBound, "input queued " + in.available());
                Thread.onSpinWait();
            }
            assertTrue(maxPending <= FORWARD_BOUND, "pending outbound bytes " + maxPending + " > " + FORWARD_BOUND);
            assertTrue(out.pendingWriteBytes() > 0, "the copier parked with bytes queued");
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            assertEquals(stalledAt, written.get(), "the source progressed while the copier was parked");
            assertFalse(copier.isDone());
            long forwardedWhileStalled = forwarded(rt) - forwardedBefore;
            assertTrue(forwardedWhileStalled > 0, "nothing was forwarded");

            // The peer reads: everything arrives; the source's end ends the copy.
            Thread closer = Thread.ofPlatform().start(() -> {
                try {
                    p.writer.join();
                    p.src.shutdownOutput();
                } catch (InterruptedException | IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertEquals(total, readPattern(p.sink.getInputStream(), 0, total));
            assertEquals(total, copier.join(Duration.ofSeconds(30)));
            closer.join();
            assertEquals(null, p.writeFailure.get());
            assertEquals(total, forwarded(rt) - forwardedBefore, "every byte was forwarded");
        }
    }

    /**
     * Cancelled while parked on a slow reader of the output (holding the buffer it took): the
     * copy throws InterruptedIOException whose bytesTransferred is exactly what the output's
     * peer then receives, and the bytes not handed over are still readable from the input, in
     * order, from that offset: nothing lost, nothing duplicated.
     */
    @AllTransports
    void cancelWhileParkedOnTheOutput(Transport t) throws Exception {
        long total = 8 << 20;
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL);
             Piped p = new Piped(rt, l, 16 * 1024)) {
            TcpStream in = p.in;
            TcpStream out = p.out;
            long forwardedBefore = forwarded(rt);
            p.startSource(total);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Task<Long> copier = spawnCopy(rt, "copier", thrown, () -> NetIo.copy(in, out));
            awaitStall(p.written, out);
            NetTesting.parkedIn(rt, "copier", "Conduit.awaitWritable");
            copier.cancel();
            assertThrows(CancellationException.class, () -> copier.join(Duration.ofSeconds(5)));
            InterruptedIOException e = assertInstanceOf(InterruptedIOException.class, thrown.get());
            long handed = e.bytesTransferred;
            assertTrue(handed > 0, "handed over " + handed);
            assertEquals(handed, forwarded(rt) - forwardedBefore, "bytesTransferred is what was forwarded");
            out.close();   // flushes what was handed over, then closes: the peer reads it, then EOF
            assertEquals(handed, readPattern(p.sink.getInputStream(), 0, Long.MAX_VALUE), "the peer got bytesTransferred bytes");
            long rest = rt.run(() -> {
                in.setReadTimeout(Duration.ofSeconds(20));
                return readPattern(in.inputStream(), handed, total - handed);
            });
            assertEquals(total - handed, rest, "the rest is still readable from the input");
            p.writer.join(10_000);
            assertEquals(null, p.writeFailure.get());
        }
    }

    /**
     * Cancelled while parked for input, between halves of two split streams: bytesTransferred is
     * everything the source sent; a second copy afterwards goes on where the first stopped.
     */
    @AllTransports
    void cancelWhileParkedOnTheInputThenCopyAgain(Transport t) throws Exception {
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL);
             Socket src = new Socket(); Socket sink = new Socket()) {
            TcpStream in = accept(rt, l, src);
            TcpStream out = accept(rt, l, sink);
            NetStream.Split ins = in.split();
            NetStream.Split outs = out.split();
            long forwardedBefore = forwarded(rt);
            try {
                OutputStream source = src.getOutputStream();
                source.write(NetTesting.pattern(100_000, 0));
                AtomicReference<Throwable> thrown = new AtomicReference<>();
                Task<Long> copier = rt.spawn("half-copier", () -> {
                    try {
                        return NetIo.copy(ins.read(), outs.write());
                    } catch (Throwable e) {
                        thrown.set(e);
                        throw e;
                    }
                });
                byte[] first = sink.getInputStream().readNBytes(100_000);
                assertArrayEquals(NetTesting.pattern(100_000, 0), first);
                NetTesting.parkedIn(rt, "half-copier", "Conduit.takeBuffer");
                copier.cancel();
                assertThrows(CancellationException.class, () -> copier.join(Duration.ofSeconds(5)));
                InterruptedIOException e = assertInstanceOf(InterruptedIOException.class, thrown.get());
                assertEquals(100_000, e.bytesTransferred);
                assertEquals(100_000, forwarded(rt) - forwardedBefore);

                Task<Long> again = rt.spawn(() -> NetIo.copy(ins.read(), outs.write()));
                source.write("the end".getBytes(StandardCharsets.US_ASCII));
                src.shutdownOutput();
                assertEquals(7L, again.join(Duration.ofSeconds(10)));
                outs.write().close();   // half-close: the sink reads end of stream
                assertEquals("the end", new String(sink.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
                assertEquals(100_007, forwarded(rt) - forwardedBefore);
            } finally {
                in.close();
                out.close();
            }
        }
    }

    /**
     * Cancelling a copy at a random moment while 16 MiB flow, 10 rounds: the output's peer receives
     * exactly bytesTransferred bytes, and the input yields the rest from there on.
     */
    @AllTransports
    void cancelRacingTheFlowLosesNothing(Transport t) throws Exception {
        long total = 16 << 20;
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            for (int round = 0; round < 10; round++) {
                try (Piped p = new Piped(rt, l, 0)) {
                    TcpStream in = p.in;
                    TcpStream out = p.out;
                    AtomicLong received = new AtomicLong(-1);
                    AtomicReference<Throwable> readFailure = new AtomicReference<>();
                    Thread reader = Thread.ofPlatform().start(() -> {
                        try {
                            received.set(readPattern(p.sink.getInputStream(), 0, Long.MAX_VALUE));
                        } catch (IOException | AssertionError e) {
                            readFailure.set(e);
                        }
                    });
                    p.startSource(total);
                    try {
                        AtomicReference<Throwable> thrown = new AtomicReference<>();
                        Task<Long> copier = spawnCopy(rt, "racing-copier-" + round, thrown, () -> NetIo.copy(in, out));
                        LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(5_000_000));
                        copier.cancel();
                        assertThrows(CancellationException.class, () -> copier.join(Duration.ofSeconds(10)));
                        // A copy cancelled before it started copied nothing.
                        long handed = thrown.get() == null ? 0
                                : assertInstanceOf(InterruptedIOException.class, thrown.get(), "round " + round).bytesTransferred;
                        out.close();
                        reader.join(20_000);
                        assertEquals(null, readFailure.get(), "round " + round);
                        assertEquals(handed, received.get(), "round " + round + ": the peer got bytesTransferred bytes");
                        long rest = rt.run(() -> {
                            in.setReadTimeout(Duration.ofSeconds(20));
                            return readPattern(in.inputStream(), handed, total - handed);
                        });
                        assertEquals(total - handed, rest, "round " + round + ": the rest is readable from the input");
                        if (Boolean.getBoolean("copy.debug")) {
                            System.err.println(t + " round " + round + ": cancelled after " + handed + " of " + total);
                        }
                        p.writer.join(10_000);
                        assertEquals(null, p.writeFailure.get());
                    } finally {
                        p.close();   // before the reader's join: ends its input on every path
                        reader.join(10_000);
                    }
                }
            }
        }
    }

    /** How a copy from a stream whose peer resets, or to one, ends: with forwarding and with the byte-array loop. */
    private static Throwable copyThroughReset(WeftRuntime rt, TcpListener l, boolean forward, boolean resetInput) throws Exception {
        try (Piped p = new Piped(rt, l, 0)) {
            TcpStream in = p.in;
            TcpStream out = p.out;
            Socket src = p.src;
            Socket sink = p.sink;
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            String name = "reset-copier-" + forward + "-" + resetInput;
            Task<Long> copier = spawnCopy(rt, name, thrown,
                    () -> forward ? NetIo.copy(in, out) : NetIo.copyBytes(in, out));
            if (resetInput) {
                src.getOutputStream().write(offsets(50_000));
                assertEquals(50_000, readPattern(sink.getInputStream(), 0, 50_000));
                NetTesting.parkedIn(rt, name, forward ? "Conduit.takeBuffer" : "Conduit.read");
                src.setSoLinger(true, 0);
                src.close();   // RST
            } else {
                p.startSource(1L << 40);   // until the copy stops reading
                assertEquals(100_000, readPattern(sink.getInputStream(), 0, 100_000));
                sink.setSoLinger(true, 0);
                sink.close();  // RST
            }
            assertThrows(Exception.class, () -> copier.join(Duration.ofSeconds(20)));
            return thrown.get();
        }
    }

    /**
     * A peer resetting either side stops the copy with the same exception as the byte-array
     * loop (a SocketException), and leaks no buffer (one taken and not handed over goes back to
     * the input, released when it is closed).
     */
    @AllTransports
    void resetOfEitherSideThrowsAsTheByteLoop(Transport t) throws Exception {
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            for (boolean resetInput : new boolean[] {true, false}) {
                long forwardedBefore = forwarded(rt);
                Throwable forwarded = copyThroughReset(rt, l, true, resetInput);
                assertTrue(forwarded(rt) - forwardedBefore >= 50_000, "the forwarding path was taken");
                Throwable copied = copyThroughReset(rt, l, false, resetInput);
                String side = resetInput ? "input" : "output";
                assertInstanceOf(SocketException.class, forwarded, () -> "reset of the " + side + ": " + forwarded);
                assertEquals(copied.getClass(), forwarded.getClass(), () -> "reset of the " + side + ": forwarding threw "
                        + forwarded + ", the byte loop " + copied);
            }
        }
    }

    /**
     * Closed, shut down and split sides: forwarding throws what the byte-array loop throws, and
     * when the output is the side that cannot take the bytes, they stay readable from the input.
     */
    @AllTransports
    void closedSidesThrowAsTheByteLoop(Transport t) throws Exception {
        try (WeftRuntime rt = runtime(t); TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            for (boolean forward : new boolean[] {true, false}) {
                String path = forward ? "forwarding" : "byte loop";
                // The input closed.
                try (Socket a = new Socket(); Socket b = new Socket()) {
                    TcpStream in = accept(rt, l, a);
                    TcpStream out = accept(rt, l, b);
                    in.close();
                    SocketException e = assertThrows(SocketException.class, () -> copy(rt, forward, in, out), path);
                    assertEquals("socket closed", e.getMessage(), path);
                    out.close();
                }
                // The output closed, or its output shut down, with bytes waiting in the input.
                for (boolean close : new boolean[] {true, false}) {
                    try (Socket a = new Socket(); Socket b = new Socket()) {
                        TcpStream in = accept(rt, l, a);
                        TcpStream out = accept(rt, l, b);
                        if (close) {
                            out.close();
                        } else {
                            rt.run(() -> {
                                out.shutdownOutput();
                                return null;
                            });
                        }
                        a.getOutputStream().write("pending".getBytes(StandardCharsets.US_ASCII));
                        SocketException e = assertThrows(SocketException.class, () -> copy(rt, forward, in, out), path);
                        assertEquals(close ? "socket closed" : "output shut down", e.getMessage(), path);
                        if (forward) {
                            in.setReadTimeout(Duration.ofSeconds(10));
                            assertEquals("pending", new String(rt.run(() -> in.readExact(7)), StandardCharsets.US_ASCII),
                                    "the bytes not handed over are still readable");
                        }
                        // The input at its end and the output closed: nothing to write, so copy returns 0.
                        a.shutdownOutput();
                        if (!forward) {
                            in.setReadTimeout(Duration.ofSeconds(10));
                        }
                        assertEquals(0L, copy(rt, forward, in, out), path);
                        in.close();
                        out.close();
                    }
                }
                // Closed halves; whole streams that were split.
                try (Piped p = new Piped(rt, l, 0)) {
                    TcpStream in = p.in;
                    TcpStream out = p.out;
                    NetStream.Split ins = in.split();
                    NetStream.Split outs = out.split();
                    assertThrows(IllegalStateException.class, () -> copy(rt, forward, in, outs.write()), path);
                    if (forward) {   // the byte loop reads before it writes; forwarding refuses at once
                        assertThrows(IllegalStateException.class, () -> copy(rt, forward, ins.read(), out), path);
                    }
                    outs.write().close();   // the read half stays open
                    p.src.getOutputStream().write(1);
                    SocketException e = assertThrows(SocketException.class, () -> copy(rt, forward, ins.read(), outs.write()), path);
                    assertEquals("output shut down", e.getMessage(), path);
                }
                try (Piped p = new Piped(rt, l, 0)) {
                    TcpStream in = p.in;
                    TcpStream out = p.out;
                    NetStream.Split ins = in.split();
                    NetStream.Split outs = out.split();
                    ins.read().close();     // the write half stays open
                    SocketException e = assertThrows(SocketException.class, () -> copy(rt, forward, ins.read(), outs.write()), path);
                    assertEquals("read half closed", e.getMessage(), path);
                }
            }
        }
    }

    private static long copy(WeftRuntime rt, boolean forward, ByteInput in, ByteOutput out) throws Exception {
        return rt.run(() -> forward ? NetIo.copy(in, out) : NetIo.copyBytes(in, out));
    }

    /**
     * Half-close through a forwarding proxy, both ways: the server reads the request to end of
     * stream (the client's shutdownOutput propagated), answers and shuts its output down; the
     * client reads the answer, then end of stream.
     */
    @AllTransports
    void halfClosePropagatesThroughForwardingProxy(Transport t) throws Exception {
        try (WeftRuntime rt = runtime(t); TcpListener server = TcpListener.bind(rt, ANY_LOCAL);
             TcpListener proxy = TcpListener.bind(rt, ANY_LOCAL)) {
            rt.spawn("eof-server", () -> {
                server.serve(s -> {
                    byte[] req = s.inputStream().readAllBytes();        // needs the propagated FIN
                    s.writeAll(("got " + new String(req, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII));
                    s.shutdownOutput();
                });
                return null;
            });
            BlockingQueue<Object> results = new ArrayBlockingQueue<>(4);
            startProxy(rt, "half-close-proxy", proxy, server.localAddress(), results);
            long forwardedBefore = forwarded(rt);
            String reply = rt.run(() -> {
                try (TcpStream s = TcpStream.connect(rt, proxy.localAddress(), CONNECT)) {
                    s.writeAll("hello".getBytes(StandardCharsets.US_ASCII));
                    s.shutdownOutput();
                    return new String(s.inputStream().readAllBytes(), StandardCharsets.US_ASCII);
                }
            });
            assertEquals("got hello", reply);
            assertEquals(new NetIo.Transferred(5, 9), results.poll(10, TimeUnit.SECONDS));
            assertEquals(14, forwarded(rt) - forwardedBefore);
        }
    }
}
