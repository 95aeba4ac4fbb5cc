package dev.weft.net;

import dev.weft.core.WeftRuntime;
import dev.weft.net.internal.Conduit;
import dev.weft.net.internal.Sockets;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * A TCP connection read and written in blocking style by tasks: {@link #read} parks the calling
 * task until bytes arrive, {@link #write} parks it while the peer is not taking bytes. Tokio's
 * {@code TcpStream}. Obtained from {@link #connect} or {@link TcpListener#accept()}.
 *
 * {@snippet :
 * try (var rt = WeftRuntime.builder().build();
 *      var listener = TcpListener.bind(rt, new InetSocketAddress("127.0.0.1", 0))) {
 *     rt.spawn(() -> { listener.serve(s -> s.inputStream().transferTo(s.outputStream())); return null; });
 *     String reply = rt.run(() -> {
 *         try (TcpStream s = TcpStream.connect(rt, listener.localAddress(), Duration.ofSeconds(5))) {
 *             s.writeAll("hello".getBytes());
 *             s.shutdownOutput();                        // half-close: the echo server sees EOF
 *             return new String(s.inputStream().readAllBytes());
 *         }
 *     });
 *     assert reply.equals("hello");
 * }
 * }
 *
 * <h2>Backpressure</h2>
 * Bytes are read from the socket only when a task reads (Netty's {@code AUTO_READ} is off), and a
 * writer parks while more than the channel's high water mark (64 KiB) is waiting to be sent, so a
 * slow or stalled peer cannot make memory grow: at most the water mark plus one 16 KiB chunk is
 * queued per connection.
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
 * <h2>Thread safety</h2>
 * One task may read while another writes (the two halves are independent); two tasks reading (or
 * two writing) at once is an error ({@link IllegalStateException}). Options and addresses may be
 * used from any thread. Actions of a writer before a write happen-before the peer's read returns
 * the bytes.
 *
 * <h2>End of stream and closing</h2>
 * {@link #read} returns -1 once the peer has shut its output down (or closed) and everything it
 * sent has been read; the stream can still be written ({@code ALLOW_HALF_CLOSURE}).
 * {@link #close()} flushes what was written and closes; buffered input is dropped.
 */
public final class TcpStream implements AutoCloseable {
    private final Conduit conduit;
    private InputStream in;
    private OutputStream out;

    TcpStream(Conduit conduit) {
        this.conduit = conduit;
    }

    /**
     * Connects to {@code address}, parking the calling task until the connection is established.
     * A host name is resolved on the runtime's blocking pool (a lookup must not block a carrier).
     *
     * @param rt      the runtime whose carriers drive the connection
     * @param address where to connect
     * @param timeout the longest the connect may take (resolution included)
     * @return the connected stream (no-delay on)
     * @throws ConnectException        if the connection was refused or failed
     * @throws SocketTimeoutException  if it took longer than {@code timeout}
     * @throws InterruptedIOException  if the task was interrupted (cancelled); the attempt is abandoned and its socket closed
     * @throws java.net.UnknownHostException if the host name does not resolve
     * @throws IllegalArgumentException if {@code timeout} is not positive
     * @throws NullPointerException    if an argument is null
     */
    public static TcpStream connect(WeftRuntime rt, InetSocketAddress address, Duration timeout) throws IOException {
        Objects.requireNonNull(rt, "rt");
        Objects.requireNonNull(address, "address");
        return new TcpStream(Sockets.connect(rt, address, positiveNanos("timeout", timeout)));
    }

    /**
     * Connects from inside a task of the current runtime; see {@link #connect(WeftRuntime, InetSocketAddress, Duration)}.
     *
     * @throws IllegalStateException if the caller is not inside a Weft runtime
     * @throws IOException           as {@link #connect(WeftRuntime, InetSocketAddress, Duration)}
     */
    public static TcpStream connect(InetSocketAddress address, Duration timeout) throws IOException {
        return connect(WeftRuntime.current(), address, timeout);
    }

    static long positiveNanos(String what, Duration d) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be > 0, was " + d);
        }
        return d.toNanos() == 0 ? 1 : d.toNanos();
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads up to {@code len} bytes into {@code dst[off..]}. Returns at once with what is buffered;
     * parks only when nothing is, until some bytes arrive or the input ends.
     *
     * @return the number of bytes read, at least 1 when {@code len > 0}; 0 when {@code len == 0};
     *         -1 at end of stream (the peer shut its output down or closed, and everything was read)
     * @throws InterruptedIOException if interrupted while parked; nothing is lost
     * @throws SocketTimeoutException if the read timeout passed first; nothing is lost, the stream stays usable
     * @throws SocketException        if the stream is closed, or the connection failed (e.g. reset) and nothing is buffered
     * @throws IndexOutOfBoundsException if {@code off}/{@code len} do not fit {@code dst}
     */
    public int read(byte[] dst, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, dst.length);
        return conduit.read(dst, off, len);
    }

    /** Reads into all of {@code dst}; see {@link #read(byte[], int, int)}. */
    public int read(byte[] dst) throws IOException {
        return conduit.read(dst, 0, dst.length);
    }

    /**
     * Reads into the remaining space of {@code dst} (advancing its position); see
     * {@link #read(byte[], int, int)} for when it parks and what it throws.
     *
     * @return the number of bytes read, 0 if {@code dst} has no space left, -1 at end of stream
     * @throws IOException as {@link #read(byte[], int, int)}
     * @throws java.nio.ReadOnlyBufferException if {@code dst} is read-only
     */
    public int read(ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        return conduit.read(dst);
    }

    /**
     * Reads exactly {@code len} bytes into {@code dst[off..]}, parking as often as needed
     * (Java's {@code readFully}, Tokio's {@code read_exact}).
     *
     * @throws EOFException          if the input ends first; the bytes that did arrive are in {@code dst}
     * @throws InterruptedIOException if interrupted; {@code bytesTransferred} says how many bytes are already in {@code dst}
     * @throws IOException           as {@link #read(byte[], int, int)}
     */
    public void readExact(byte[] dst, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, dst.length);
        int done = 0;
        while (done < len) {
            int n;
            try {
                n = conduit.read(dst, off + done, len - done);
            } catch (InterruptedIOException e) {
                e.bytesTransferred = done;
                throw e;
            }
            if (n < 0) {
                throw new EOFException("end of stream after " + done + " of " + len + " bytes");
            }
            done += n;
        }
    }

    /** Reads exactly {@code n} bytes; see {@link #readExact(byte[], int, int)}. @return a new array of {@code n} bytes */
    public byte[] readExact(int n) throws IOException {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        byte[] b = new byte[n];
        readExact(b, 0, n);
        return b;
    }

    /** Bytes buffered that a read returns without parking (0 when closed). Never parks. */
    public int available() {
        return conduit.available(true);
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes all {@code len} bytes of {@code src[off..]} and flushes them. The bytes are copied:
     * {@code src} may be reused when this returns. Parks while the channel is not writable (more
     * than the high water mark queued, i.e. the peer does not keep up), and returns once every
     * byte has been handed to the channel (not necessarily sent yet: see {@link #flush()}).
     *
     * @throws InterruptedIOException if interrupted while parked; {@code bytesTransferred} bytes were handed over and will be sent, the rest were not
     * @throws SocketTimeoutException if the write timeout passed while parked (same accounting)
     * @throws SocketException        if the stream is closed, its output shut down, or the connection failed
     * @throws IndexOutOfBoundsException if {@code off}/{@code len} do not fit {@code src}
     */
    public void write(byte[] src, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, src.length);
        conduit.writeBytes(src, off, len);
    }

    /** Writes all of {@code src}; see {@link #write(byte[], int, int)}. */
    public void writeAll(byte[] src) throws IOException {
        conduit.writeBytes(src, 0, src.length);
    }

    /** Same as {@link #write(byte[], int, int)}, which always writes everything (Tokio's {@code write_all}). */
    public void writeAll(byte[] src, int off, int len) throws IOException {
        write(src, off, len);
    }

    /**
     * Writes the remaining bytes of {@code src} (advancing its position to its limit); see
     * {@link #write(byte[], int, int)}.
     *
     * @throws IOException as {@link #write(byte[], int, int)}; after an interruption the position says what was handed over
     */
    public void write(ByteBuffer src) throws IOException {
        conduit.writeBytes(src);
    }

    /**
     * Parks until every byte written so far has been handed to the operating system (Netty's
     * outbound buffer is empty up to this point). Writes flush on their own; call this to know
     * the bytes left the process, e.g. before measuring.
     *
     * @throws InterruptedIOException if interrupted while parked; the bytes are still sent
     * @throws SocketTimeoutException if the write timeout passed first
     * @throws SocketException        if the stream is closed or the connection failed before they were written
     */
    public void flush() throws IOException {
        conduit.drain();
    }

    /**
     * Bytes written and not yet handed to the operating system, the quantity backpressure keeps
     * bounded (at most about the high water mark plus one chunk while a writer is parked). Never parks.
     */
    public long pendingWriteBytes() {
        return conduit.pendingWriteBytes();
    }

    /**
     * Half-close: flushes what was written, then shuts the output down (the peer reads end of
     * stream). The stream can still be read. Parks until done. Idempotent.
     *
     * @throws InterruptedIOException if interrupted while parked (the shutdown goes on)
     * @throws SocketTimeoutException if the write timeout passed while flushing
     * @throws SocketException        if the stream is closed or the connection failed
     */
    public void shutdownOutput() throws IOException {
        conduit.shutdownOutput();
    }

    // ------------------------------------------------------------------ views and codecs

    /**
     * An {@link InputStream} over this stream, for existing blocking code ({@code BufferedReader},
     * {@code DataInputStream}); its reads behave as {@link #read(byte[], int, int)} and closing it
     * closes this stream. The same instance is returned on every call.
     */
    public synchronized InputStream inputStream() {
        if (in == null) {
            in = new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    int n = TcpStream.this.read(one, 0, 1);
                    return n < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return TcpStream.this.read(b, off, len);
                }

                @Override
                public int available() {
                    return TcpStream.this.available();
                }

                @Override
                public void close() {
                    TcpStream.this.close();
                }
            };
        }
        return in;
    }

    /**
     * An {@link OutputStream} over this stream; its writes behave as {@link #write(byte[], int, int)}
     * (each flushes: wrap it in a {@link java.io.BufferedOutputStream} to batch small writes), its
     * {@code flush} as {@link #flush()}, and closing it closes this stream. The same instance is
     * returned on every call.
     */
    public synchronized OutputStream outputStream() {
        if (out == null) {
            out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    TcpStream.this.write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    TcpStream.this.write(b, off, len);
                }

                @Override
                public void flush() throws IOException {
                    TcpStream.this.flush();
                }

                @Override
                public void close() {
                    TcpStream.this.close();
                }
            };
        }
        return out;
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
     * @throws IllegalStateException  if a task is reading or writing this stream now
     * @throws InterruptedIOException if interrupted while waiting for the change (it still happens)
     * @throws SocketException        if this stream is closed
     */
    public <I> MessageStream<I> messages(Class<I> type, Consumer<ChannelPipeline> codec) throws IOException {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(codec, "codec");
        return new MessageStream<>(conduit.moveTo(codec), type);
    }

    // ------------------------------------------------------------------ options

    /**
     * Sets the longest a {@link #read} may park; {@code null} for no limit (the default).
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
     * Sets the longest one {@link #write} (or {@link #flush()}) may park waiting for the peer;
     * {@code null} for no limit (the default).
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
     * Sets how long {@link #close()} lets unsent bytes drain before closing anyway (default 30 s).
     *
     * @throws IllegalArgumentException if negative
     */
    public void setCloseLinger(Duration linger) {
        Objects.requireNonNull(linger, "linger");
        if (linger.isNegative()) {
            throw new IllegalArgumentException("linger must be >= 0, was " + linger);
        }
        conduit.lingerNanos(linger.toNanos());
    }

    /** Sets {@code TCP_NODELAY} (on by default: small writes are sent at once). */
    public void setNoDelay(boolean on) {
        channel().config().setOption(ChannelOption.TCP_NODELAY, on);
    }

    /** Whether {@code TCP_NODELAY} is on. */
    public boolean noDelay() {
        return Boolean.TRUE.equals(channel().config().getOption(ChannelOption.TCP_NODELAY));
    }

    /** Sets {@code SO_KEEPALIVE} (off by default). */
    public void setKeepAlive(boolean on) {
        channel().config().setOption(ChannelOption.SO_KEEPALIVE, on);
    }

    /** Whether {@code SO_KEEPALIVE} is on. */
    public boolean keepAlive() {
        return Boolean.TRUE.equals(channel().config().getOption(ChannelOption.SO_KEEPALIVE));
    }

    /** Sets {@code SO_SNDBUF}, the kernel's send buffer size in bytes (a hint). @throws IllegalArgumentException if not positive */
    public void setSendBufferSize(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("bytes must be > 0, was " + bytes);
        }
        channel().config().setOption(ChannelOption.SO_SNDBUF, bytes);
    }

    /** Sets {@code SO_RCVBUF}, the kernel's receive buffer size in bytes (a hint). @throws IllegalArgumentException if not positive */
    public void setReceiveBufferSize(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("bytes must be > 0, was " + bytes);
        }
        channel().config().setOption(ChannelOption.SO_RCVBUF, bytes);
    }

    /**
     * Sets {@code SO_LINGER}: {@code null} (default) for the normal close; a duration for how long
     * the kernel's close may wait for unsent data ({@code Duration.ZERO}: reset at once).
     */
    public void setSoLinger(Duration linger) {
        int secs = linger == null ? -1 : (int) Math.min(Integer.MAX_VALUE, linger.toSeconds());
        channel().config().setOption(ChannelOption.SO_LINGER, secs);
    }

    /** The local address (null if the connection was never established). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel().localAddress();
    }

    /** The peer's address (null if the connection was never established). */
    public InetSocketAddress peerAddress() {
        return (InetSocketAddress) channel().remoteAddress();
    }

    /** Whether {@link #close()} was called. */
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
     * Closes the stream: drops buffered input, wakes tasks parked on it (they throw
     * {@link SocketException} "socket closed"), flushes what was written and then closes the
     * socket; if the peer does not take the unsent bytes within the close linger
     * ({@link #setCloseLinger}, 30 s), the socket is closed anyway. Never parks. Idempotent.
     */
    @Override
    public void close() {
        conduit.close();
    }

    @Override
    public String toString() {
        return "TcpStream[" + localAddress() + " -> " + peerAddress() + (isClosed() ? ", closed" : "") + "]";
    }
}
