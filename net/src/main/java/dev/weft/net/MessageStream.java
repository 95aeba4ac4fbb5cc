package dev.weft.net;

import dev.weft.core.sync.ReceiveResult;
import dev.weft.net.internal.Conduit;
import dev.weft.net.internal.Sockets;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * A connection whose pipeline holds a Netty codec, read and written as messages in blocking
 * style: {@link #receive()} parks until the codec has decoded the next message, {@link #send}
 * parks while the peer does not keep up. Any Netty codec works (HTTP, RESP, WebSocket frames,
 * line or length framing, TLS with {@code SslHandler}). Made with {@link TcpStream#messages}.
 *
 * {@snippet :
 * // An HTTP/1.1 server loop with Netty's codec: one task per connection, blocking style.
 * MessageStream<HttpObject> http = stream.messages(HttpObject.class, p -> p.addLast(new HttpServerCodec()));
 * while (http.receive() instanceof ReceiveResult.Value<HttpObject>(var msg)) {
 *     try {
 *         if (msg instanceof LastHttpContent) {
 *             var res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
 *                     Unpooled.copiedBuffer("hi", StandardCharsets.UTF_8));
 *             res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 2);
 *             http.send(res);
 *         }
 *     } finally {
 *         ReferenceCountUtil.release(msg);
 *     }
 * }
 * }
 *
 * <h2>Ownership of messages</h2>
 * Messages are Netty objects; some are reference-counted ({@code ByteBuf}, {@code HttpContent}).
 * A message returned by {@code receive} belongs to the caller, who releases it
 * ({@link ReferenceCountUtil#release(Object)}) or passes it on to {@code send}. A message given to
 * {@code send}/{@code write} belongs to the stream from then on, even when the call throws: it is
 * released for you if it could not be written. Messages buffered when the stream is closed are
 * released by {@link #close()}.
 *
 * <h2>Backpressure, cancellation, timeouts</h2>
 * As for {@link TcpStream}: the codec sees bytes only when a task receives and nothing is
 * decoded yet; {@code send} parks while the channel is over its high water mark. A task
 * interrupted while parked wakes with {@link InterruptedIOException} (interrupt status left set)
 * and loses nothing: decoded messages stay queued. A message whose {@code send} was interrupted
 * was not written (and was released).
 *
 * <h2>Where the codec runs</h2>
 * The codec's handlers run on the connection's carrier thread: in the carrier's event loop, or in
 * place inside the task that calls {@code send}, like Netty's own event loop would run them. Like
 * any Netty handler, they must not block. A handler must also not lock an object that a task may
 * hold while it waits (a {@code synchronized} block around a {@code receive}, a sleep or a
 * {@code join}): the task's virtual thread gives its carrier back while it waits, still holding
 * the lock, and then the carrier itself would block on that lock, and nothing on it could run again.
 *
 * <p>Thread safety: one task may receive while another sends. Memory consistency as for
 * {@link TcpStream}.
 *
 * @param <I> the type of the decoded messages
 */
public final class MessageStream<I> implements AutoCloseable {
    private final Conduit conduit;
    private final Class<I> type;

    MessageStream(Conduit conduit, Class<I> type) {
        this.conduit = conduit;
        this.type = type;
    }

    /**
     * Returns the next decoded message, parking until there is one (the read timeout of the
     * {@link TcpStream} this came from, if any, still applies).
     *
     * @return {@link ReceiveResult.Value} with the message (the caller owns it), or
     *         {@link ReceiveResult.Closed} once the peer has shut its output down (or closed)
     *         and every decoded message was received; never {@code Empty}
     * @throws InterruptedIOException if interrupted while parked; nothing is lost
     * @throws SocketTimeoutException if the read timeout passed first
     * @throws SocketException        if this stream is closed, or the connection failed (an I/O error, e.g. a
     *                                reset) and nothing is queued; then sends fail too
     * @throws IOException            if the codec could not decode the input: a {@code DecoderException} (e.g.
     *                                {@code TooLongFrameException}) is the cause. Thrown once, after the
     *                                messages decoded before the bad input. The connection is not failed
     *                                by it: sends work (say, an error reply) and receiving goes on with
     *                                what the codec decodes next (Netty's line and length decoders skip the
     *                                bad frame), unless the codec closes the channel itself ({@code SslHandler}
     *                                does after a failed handshake: then sends fail and receiving ends).
     *                                Also thrown if a message is not an instance of the stream's type (it
     *                                is released)
     */
    public ReceiveResult<I> receive() throws IOException {
        return wrap(conduit.receive(Conduit.deadline(conduit.readTimeoutNanos())));
    }

    /**
     * Like {@link #receive()}, parking at most {@code timeout}.
     *
     * @return as {@link #receive()}, or {@link ReceiveResult.Empty} if nothing was decoded in time
     * @throws IOException as {@link #receive()}
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public ReceiveResult<I> receive(Duration timeout) throws IOException {
        try {
            return wrap(conduit.receive(Conduit.deadline(TcpStream.positiveNanos("timeout", timeout))));
        } catch (SocketTimeoutException e) {
            return ReceiveResult.empty();
        }
    }

    private ReceiveResult<I> wrap(Object m) throws IOException {
        if (m == null) {
            return ReceiveResult.closed();
        }
        if (!type.isInstance(m)) {
            String name = m.getClass().getName();
            ReferenceCountUtil.release(m);
            throw new IOException("the codec produced a " + name + ", not a " + type.getName());
        }
        return new ReceiveResult.Value<>(type.cast(m));
    }

    /** Messages decoded and queued that {@link #receive()} returns without parking. Never parks. */
    public int available() {
        return conduit.available(false);
    }

    /**
     * Writes {@code msg} through the codec and flushes. Parks while the channel is not writable;
     * returns once the message is handed to the channel (see {@link #flush()}).
     *
     * @param msg a message the pipeline's encoders accept; owned by the stream from now on
     * @throws InterruptedIOException if interrupted while parked; the message was not written (it was released)
     * @throws SocketTimeoutException if the write timeout passed first (same)
     * @throws SocketException        if the stream is closed, its output shut down, or the connection failed (same)
     * @throws NullPointerException   if {@code msg} is null
     */
    public void send(Object msg) throws IOException {
        conduit.writeMessage(Objects.requireNonNull(msg, "msg"), true);
    }

    /**
     * Like {@link #send} but does not flush: for several messages in a row (pipelined HTTP
     * responses), then one {@link #send} or {@link #flush()}. Parks while not writable.
     *
     * @throws IOException as {@link #send}
     */
    public void write(Object msg) throws IOException {
        conduit.writeMessage(Objects.requireNonNull(msg, "msg"), false);
    }

    /**
     * Flushes, then parks until every message written so far has been encoded and handed to the
     * operating system.
     *
     * @throws InterruptedIOException if interrupted while parked (the messages are still sent)
     * @throws SocketTimeoutException if the write timeout passed first
     * @throws SocketException        if the stream is closed (also by another task while this one waits)
     *                                or the connection failed before they were written
     */
    public void flush() throws IOException {
        conduit.drain();
    }

    /**
     * Half-close: flushes, then shuts the output down; receiving goes on. Parks until done.
     *
     * @throws IOException as {@link TcpStream#shutdownOutput()}
     */
    public void shutdownOutput() throws IOException {
        conduit.shutdownOutput();
    }

    /** Sets the longest {@link #receive()} may park; {@code null} for none. @throws IllegalArgumentException if not positive */
    public void setReadTimeout(Duration timeout) {
        conduit.readTimeoutNanos(timeout == null ? 0 : TcpStream.positiveNanos("readTimeout", timeout));
    }

    /** Sets the longest a send may park; {@code null} for none. @throws IllegalArgumentException if not positive */
    public void setWriteTimeout(Duration timeout) {
        conduit.writeTimeoutNanos(timeout == null ? 0 : TcpStream.positiveNanos("writeTimeout", timeout));
    }

    /**
     * The local address, of the kind of the stream this came from: an {@link InetSocketAddress}
     * from a {@link TcpStream}, a {@link UnixDomainSocketAddress} from a {@link UnixStream}
     * (as their own {@code localAddress()}). Null if the connection was never established.
     */
    public SocketAddress localAddress() {
        return Sockets.jdkAddress(conduit.channel().localAddress());
    }

    /** The peer's address, of the kind {@link #localAddress()} describes. */
    public SocketAddress peerAddress() {
        return Sockets.jdkAddress(conduit.channel().remoteAddress());
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return conduit.isClosed();
    }

    /**
     * Closes: releases queued messages, wakes parked tasks ({@link SocketException}), flushes
     * what was written and closes the socket (forcibly after 30 s if the peer does not read).
     * Never parks. Idempotent.
     */
    @Override
    public void close() {
        conduit.close();
    }

    @Override
    public String toString() {
        return "MessageStream[" + localAddress() + " -> " + peerAddress() + (isClosed() ? ", closed" : "") + "]";
    }
}
