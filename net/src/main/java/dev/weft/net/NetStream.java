package dev.weft.net;

import dev.weft.core.WeftRuntime;
import dev.weft.net.internal.Conduit;
import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A byte-stream connection read and written in blocking style by tasks, over TCP
 * ({@link TcpStream}) or a Unix domain socket ({@link UnixStream}); both have exactly this API
 * plus their own addresses and options. {@link #read} parks the calling task until bytes
 * arrive, {@link #write} parks it while the peer is not taking bytes. Tokio's
 * {@code AsyncRead + AsyncWrite} streams.
 *
 * {@snippet :
 * try (NetStream s = TcpStream.connect(rt, address, Duration.ofSeconds(5))) {
 *     s.writeAll("hello".getBytes());
 *     s.shutdownOutput();                        // half-close: the peer sees EOF
 *     byte[] reply = s.inputStream().readAllBytes();
 * }
 * }
 *
 * <h2>Backpressure</h2>
 * Bytes are read from the socket only when a task reads (Netty's {@code AUTO_READ} is off), and a
 * writer parks while more than the channel's high water mark (64 KiB) is waiting to be sent, so a
 * slow or stalled peer cannot make memory grow: at most the water mark plus one 16 KiB chunk is
 * queued per connection ({@link NetIo#copy}, which forwards received buffers as they are: plus
 * one received buffer).
 *
 * <h2>Cancellation and timeouts</h2>
 * A task interrupted (cancelled) while parked in {@code read}, {@code write} or {@code connect}
 * wakes at once with {@link InterruptedIOException}; the thread's interrupt status stays set, so
 * the cancellation goes on propagating. Nothing received is lost: bytes already buffered stay
 * readable, and the stream stays usable by another task. An interrupted write reports in
 * {@link InterruptedIOException#bytesTransferred} how many bytes were handed to the channel (they
 * will be sent); the rest were not. Read and write timeouts ({@link #setReadTimeout},
 * {@link #setWriteTimeout}) throw {@link SocketTimeoutException} (a subclass of
 * {@code InterruptedIOException}) with the same guarantees.
 *
 * <h2>Thread safety and splitting</h2>
 * One task may read while another writes (the two directions are independent); two tasks reading
 * (or two writing) at once is an error ({@link IllegalStateException}; a write refused so has sent
 * nothing, and the other task's write arrives whole). {@link #split()} makes
 * that ownership explicit: a {@link ReadHalf} for the reading task and a {@link WriteHalf} for the
 * writing one, each closed on its own. Options and addresses may be used from any thread.
 * Actions of a writer before a write happen-before the peer's read returns the bytes.
 *
 * <h2>End of stream and closing</h2>
 * {@link #read} returns -1 once the peer has shut its output down (or closed) and everything it
 * sent has been read; the stream can still be written (half-closure is allowed).
 * {@link #close()} flushes what was written and closes; buffered input is dropped.
 */
public abstract sealed class NetStream implements ByteInput, ByteOutput, AutoCloseable permits TcpStream, UnixStream {
    final Conduit conduit;
    private volatile Split split;
    private InputStream in;
    private OutputStream out;

    NetStream(Conduit conduit) {
        this.conduit = conduit;
    }

    static long positiveNanos(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be > 0, was " + d);
        }
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;   // beyond ~292 years (e.g. ChronoUnit.FOREVER): no practical limit
        }
    }

    private void notSplit() {
        if (split != null) {
            throw new IllegalStateException("this stream was split: read and write through its halves");
        }
    }

    /**
     * The conduit {@link NetIo#copy} forwards through, for this whole stream (not a half).
     *
     * @throws IllegalStateException if this stream was {@linkplain #split() split}, as its reads and writes
     */
    final Conduit wholeConduit() {
        notSplit();
        return conduit;
    }

    // ------------------------------------------------------------------ reading

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if this stream was {@linkplain #split() split}
     */
    @Override
    public int read(byte[] dst, int off, int len) throws IOException {
        return read(false, dst, off, len);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if this stream was {@linkplain #split() split}
     */
    @Override
    public int read(ByteBuffer dst) throws IOException {
        return read(false, dst);
    }

    /** A read by this stream ({@code byHalf} false: refused once split) or by its read half. */
    final int read(boolean byHalf, byte[] dst, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, dst.length);
        if (!byHalf) {
            notSplit();
        }
        return conduit.read(dst, off, len);
    }

    final int read(boolean byHalf, ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        if (!byHalf) {
            notSplit();
        }
        return conduit.read(dst);
    }

    @Override
    public int available() {
        return split != null ? 0 : conduit.available(true);
    }

    // ------------------------------------------------------------------ writing

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if this stream was {@linkplain #split() split}
     */
    @Override
    public void write(byte[] src, int off, int len) throws IOException {
        write(false, src, off, len);
    }

    /** A write by this stream ({@code byHalf} false: refused once split) or by its write half. */
    final void write(boolean byHalf, byte[] src, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, src.length);
        if (!byHalf) {
            notSplit();
        }
        conduit.writeBytes(src, off, len);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if this stream was {@linkplain #split() split}
     */
    @Override
    public void write(ByteBuffer src) throws IOException {
        notSplit();
        conduit.writeBytes(src);
    }

    @Override
    public void flush() throws IOException {
        conduit.drain();
    }

    /**
     * Writes a file range with the transport's zero-copy path ({@code sendfile} on epoll,
     * {@code splice} on io_uring, {@code FileChannel.transferTo} on NIO) and parks until the
     * transport has handed all of it to the OS. Ownership of {@code region} passes to the stream
     * (it is released once written or failed). For the fs module's {@code FileHandle.transferTo}.
     *
     * @throws InterruptedIOException if interrupted while waiting; the region is still being sent
     * @throws IOException            if the connection failed or was closed (the region is released)
     * @throws IllegalStateException  if this stream was {@linkplain #split() split}
     */
    public void writeFileRegion(io.netty.channel.FileRegion region) throws IOException {
        Objects.requireNonNull(region, "region");
        notSplit();
        conduit.writeMessage(region, true);
        conduit.drain();
    }

    @Override
    public long pendingWriteBytes() {
        return conduit.pendingWriteBytes();
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException if this stream was {@linkplain #split() split}
     */
    @Override
    public void shutdownOutput() throws IOException {
        notSplit();
        conduit.shutdownOutput();
    }

    // ------------------------------------------------------------------ views, halves, codecs

    @Override
    public synchronized InputStream inputStream() {
        if (in == null) {
            in = inputView(this, this::close);
        }
        return in;
    }

    @Override
    public synchronized OutputStream outputStream() {
        if (out == null) {
            out = outputView(this, this::close);
        }
        return out;
    }

    /**
     * Splits this stream into a read half and a write half, to hand to two tasks (Tokio's
     * {@code into_split}). From then on the halves own the two directions: this stream's own
     * reads and writes throw {@link IllegalStateException}, while its options, addresses and
     * {@link #close()} still work.
     *
     * <p>Closing: {@link ReadHalf#close()} stops reading (buffered input is dropped, a parked
     * reader wakes with {@link SocketException}); {@link WriteHalf#close()} flushes and shuts the
     * output down (the peer reads end of stream). Once both halves are closed the socket is
     * closed, as by {@link #close()}. Closing this stream closes the socket at once, whatever the
     * halves.
     *
     * {@snippet :
     * NetStream.Split halves = stream.split();
     * Task<Long> up = Weft.spawn(() -> {
     *     try (var w = halves.write()) { return NetIo.copy(source, w); }   // closes: the peer sees EOF
     * });
     * try (var r = halves.read()) { r.inputStream().transferTo(System.out); }
     * up.join();                                                            // both closed: the socket is closed
     * }
     *
     * @return the two halves; call once
     * @throws IllegalStateException if already split
     * @throws SocketException        if this stream is closed
     */
    public Split split() throws SocketException {
        synchronized (this) {
            if (split != null) {
                throw new IllegalStateException("already split");
            }
            if (isClosed()) {
                throw new SocketException("socket closed");
            }
            AtomicInteger open = new AtomicInteger(2);
            split = new Split(new ReadHalf(this, open), new WriteHalf(this, open));
            return split;
        }
    }

    /** Whether {@link #split()} was called: then this stream's own reads and writes are refused. */
    public boolean isSplit() {
        return split != null;
    }

    /**
     * Turns this stream into a {@link MessageStream}: {@code codec} adds Netty handlers (an HTTP
     * codec, a frame decoder, an {@code SslHandler}, ...) to the connection's pipeline, and the
     * message stream's {@code receive()} returns what they decode. Bytes this stream had buffered
     * and not yet read are fed through the codec, so nothing is lost. Parks until the pipeline is
     * changed on the connection's carrier. This stream is unusable afterwards (its reads and
     * writes throw {@link SocketException}); close the message stream instead.
     *
     * {@snippet :
     * MessageStream<HttpObject> http = stream.messages(HttpObject.class, p -> p.addLast(new HttpServerCodec()));
     * }
     *
     * @param type  the type every decoded message has ({@code Object.class} for any)
     * @param codec adds handlers with {@code pipeline.addLast}; runs on the connection's loop
     * @throws IllegalStateException  if a task is reading or writing this stream now, or it was split
     * @throws InterruptedIOException if interrupted while waiting for the change (it still happens)
     * @throws SocketException        if this stream is closed, or {@code codec} threw (the cause): the
     *                                connection is then closed, since the pipeline is half changed
     */
    public <I> MessageStream<I> messages(Class<I> type, Consumer<ChannelPipeline> codec) throws IOException {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(codec, "codec");
        notSplit();
        return new MessageStream<>(conduit.moveTo(codec), type);
    }

    // ------------------------------------------------------------------ options

    /**
     * Sets the longest a {@link #read} may park (also through the read half); {@code null} for no
     * limit (the default).
     *
     * @throws IllegalArgumentException if not positive
     */
    public void setReadTimeout(Duration timeout) {
        conduit.readTimeoutNanos(timeout == null ? 0 : positiveNanos("readTimeout", timeout));
    }

    /** The read timeout, or {@code null} when none. */
    public Duration readTimeout() {
        long n = conduit.readTimeoutNanos();
        return n == 0 ? null : Duration.ofNanos(n);
    }

    /**
     * Sets the longest one {@link #write} (or {@link #flush()}) may park waiting for the peer
     * (also through the write half); {@code null} for no limit (the default).
     *
     * @throws IllegalArgumentException if not positive
     */
    public void setWriteTimeout(Duration timeout) {
        conduit.writeTimeoutNanos(timeout == null ? 0 : positiveNanos("writeTimeout", timeout));
    }

    /** The write timeout, or {@code null} when none. */
    public Duration writeTimeout() {
        long n = conduit.writeTimeoutNanos();
        return n == 0 ? null : Duration.ofNanos(n);
    }

    /**
     * Sets how long {@link #close()} lets unsent bytes drain before closing anyway (default 30 s;
     * beyond ~292 years, e.g. {@code ChronoUnit.FOREVER}, means until they are sent).
     *
     * @throws IllegalArgumentException if negative
     */
    public void setCloseLinger(Duration linger) {
        Objects.requireNonNull(linger, "linger");
        if (linger.isNegative()) {
            throw new IllegalArgumentException("linger must be >= 0, was " + linger);
        }
        conduit.lingerNanos(linger.isZero() ? 0 : positiveNanos("linger", linger));
    }

    /** The local address (null if the connection was never established). */
    public abstract SocketAddress localAddress();

    /** The peer's address (null if the connection was never established). */
    public abstract SocketAddress peerAddress();

    /** Whether {@link #close()} was called (or both halves were closed). */
    public boolean isClosed() {
        return conduit.isClosed();
    }

    /** The runtime whose carrier drives this connection. */
    public WeftRuntime runtime() {
        return conduit.runtime();
    }

    Channel channel() {
        return conduit.channel();
    }

    /**
     * Closes the stream: drops buffered input, wakes tasks parked on it (in a read, write,
     * {@link #flush()} or {@link #shutdownOutput()}: they throw {@link SocketException} "socket
     * closed"), flushes what was written and then closes the
     * socket; if the peer does not take the unsent bytes within the close linger
     * ({@link #setCloseLinger}, 30 s), the socket is closed anyway. Never parks. Idempotent.
     * After a {@link #split()} this closes both halves too.
     */
    @Override
    public void close() {
        conduit.close();
    }

    /**
     * Closes the connection also when this stream was turned into a {@link MessageStream} (which
     * {@link #close()} leaves alone): what a server does once the handler it gave the stream to
     * has returned.
     */
    void closeConnection() {
        conduit.closeConnection();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + localAddress() + " -> " + peerAddress() + (isClosed() ? ", closed" : "") + "]";
    }

    // ------------------------------------------------------------------ halves

    /**
     * The two halves of a {@linkplain #split() split} stream.
     *
     * @param read  the reading direction, for one task
     * @param write the writing direction, for one task (possibly another)
     */
    public record Split(ReadHalf read, WriteHalf write) {}

    /**
     * What both halves share: the stream they came from, and closing the socket once both are
     * closed. Each half closes its own direction first ({@link #closeHalf}).
     */
    abstract static sealed class Half implements AutoCloseable permits ReadHalf, WriteHalf {
        final NetStream stream;
        private final AtomicInteger open;
        private boolean closed;

        Half(NetStream stream, AtomicInteger open) {
            this.stream = stream;
            this.open = open;
        }

        /** The stream this half came from, for its options and addresses. */
        public NetStream stream() {
            return stream;
        }

        /** Closes this half's direction once, then the socket if the other half is closed too. */
        final void closeHalf(Runnable direction) {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            direction.run();
            if (open.decrementAndGet() == 0) {
                stream.close();
            }
        }

        @Override
        public String toString() {
            return getClass().getSimpleName() + "[" + stream + "]";
        }
    }

    /**
     * The reading direction of a {@linkplain NetStream#split() split} stream, owned by one task
     * (Tokio's {@code OwnedReadHalf}). Reads behave as the stream's: same parking, timeouts
     * ({@link NetStream#setReadTimeout}), cancellation and end of stream.
     */
    public static final class ReadHalf extends Half implements ByteInput {
        private InputStream view;

        ReadHalf(NetStream stream, AtomicInteger open) {
            super(stream, open);
        }

        @Override
        public int read(byte[] dst, int off, int len) throws IOException {
            return stream.read(true, dst, off, len);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return stream.read(true, dst);
        }

        @Override
        public int available() {
            return stream.conduit.available(true);
        }

        @Override
        public synchronized InputStream inputStream() {
            if (view == null) {
                view = inputView(this, this::close);
            }
            return view;
        }

        /**
         * Stops reading: buffered input is dropped, a task parked in a read wakes with
         * {@link SocketException} ("read half closed"), and nothing more is read from the socket
         * (the peer's further writes eventually park). Closes the socket if the write half is
         * closed too. Never parks. Idempotent.
         */
        @Override
        public void close() {
            closeHalf(stream.conduit::closeInput);
        }
    }

    /**
     * The writing direction of a {@linkplain NetStream#split() split} stream, owned by one task
     * (Tokio's {@code OwnedWriteHalf}). Writes behave as the stream's: same backpressure,
     * timeouts ({@link NetStream#setWriteTimeout}) and cancellation.
     */
    public static final class WriteHalf extends Half implements ByteOutput {
        private OutputStream view;

        WriteHalf(NetStream stream, AtomicInteger open) {
            super(stream, open);
        }

        @Override
        public void write(byte[] src, int off, int len) throws IOException {
            stream.write(true, src, off, len);
        }

        @Override
        public void write(ByteBuffer src) throws IOException {
            stream.conduit.writeBytes(src);
        }

        @Override
        public void flush() throws IOException {
            stream.conduit.drain();
        }

        @Override
        public void shutdownOutput() throws IOException {
            stream.conduit.shutdownOutput();
        }

        @Override
        public long pendingWriteBytes() {
            return stream.conduit.pendingWriteBytes();
        }

        @Override
        public synchronized OutputStream outputStream() {
            if (view == null) {
                view = outputView(this, this::close);
            }
            return view;
        }

        /**
         * Half-closes: what was written is flushed, then the output is shut down (the peer reads
         * end of stream); a task parked in a write wakes with {@link SocketException}. Closes the
         * socket if the read half is closed too. Never parks (the flush goes on in the
         * background; call {@link #shutdownOutput()} first to wait for it). Idempotent.
         */
        @Override
        public void close() {
            closeHalf(stream.conduit::shutdownOutputAsync);
        }
    }

    // ------------------------------------------------------------------ stream views

    static InputStream inputView(ByteInput src, Runnable close) {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = src.read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return src.read(b, off, len);
            }

            @Override
            public int available() {
                return src.available();
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }

    static OutputStream outputView(ByteOutput dst, Runnable close) {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                dst.write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                dst.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                dst.flush();
            }

            @Override
            public void close() {
                close.run();
            }
        };
    }
}
