package dev.weft.net;

import dev.weft.core.WeftRuntime;
import dev.weft.net.internal.Conduit;
import dev.weft.net.internal.Sockets;
import io.netty.channel.ChannelOption;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;

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
 * <p>Everything but connecting, TCP options and addresses is {@link NetStream}'s: reading,
 * writing, half-close, timeouts, backpressure, cancellation, {@linkplain #split() splitting}
 * into halves for two tasks, stream views and {@linkplain #messages message streams}.
 */
public final class TcpStream extends NetStream {

    TcpStream(Conduit conduit) {
        super(conduit);
    }

    /**
     * Connects to {@code address}, parking the calling task until the connection is established.
     * A host name is resolved on the runtime's blocking pool (a lookup must not block a carrier),
     * and its addresses are tried in turn, in the resolver's order, until one accepts (as Tokio's
     * {@code TcpStream::connect}); the timeout covers them all.
     *
     * @param rt      the runtime whose carriers drive the connection
     * @param address where to connect
     * @param timeout the longest the connect may take, resolution included (any length: it also
     *                sets the channel's connect timer, whose 30 s default would cut it short)
     * @return the connected stream (no-delay on)
     * @throws ConnectException        if the connection was refused or failed (for a host name, at
     *                                 every address: the last failure, the earlier ones suppressed)
     * @throws SocketTimeoutException  if it took longer than {@code timeout} (connecting or resolving;
     *                                 a lookup given up on finishes in the background, its result dropped)
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

    /**
     * Sets {@code SO_SNDBUF}, the kernel's send buffer size in bytes (a hint: the kernel may
     * round or, like Linux, double it; {@link #sendBufferSize()} shows what it chose).
     *
     * @throws IllegalArgumentException if not positive
     */
    public void setSendBufferSize(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("bytes must be > 0, was " + bytes);
        }
        channel().config().setOption(ChannelOption.SO_SNDBUF, bytes);
    }

    /** {@code SO_SNDBUF} as the kernel reports it, in bytes. */
    public int sendBufferSize() {
        return channel().config().getOption(ChannelOption.SO_SNDBUF);
    }

    /**
     * Sets {@code SO_RCVBUF}, the kernel's receive buffer size in bytes (a hint, as for
     * {@link #setSendBufferSize}; {@link #receiveBufferSize()} shows what the kernel chose).
     *
     * @throws IllegalArgumentException if not positive
     */
    public void setReceiveBufferSize(int bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("bytes must be > 0, was " + bytes);
        }
        channel().config().setOption(ChannelOption.SO_RCVBUF, bytes);
    }

    /** {@code SO_RCVBUF} as the kernel reports it, in bytes. */
    public int receiveBufferSize() {
        return channel().config().getOption(ChannelOption.SO_RCVBUF);
    }

    /**
     * Sets {@code SO_LINGER}: {@code null} (default) for the normal close, which returns at once
     * and lets the kernel send unsent data in the background; {@link Duration#ZERO} to reset the
     * connection at close, dropping unsent data; a positive duration for how long the kernel's
     * close may wait for unsent data to be sent. The option counts whole seconds, so a positive
     * duration is rounded <em>up</em> ({@code 500 ms} lingers 1 s: rounding down would turn a
     * short linger into a reset). The calling task never waits for the linger ({@link #close()}
     * does not park); {@link #setCloseLinger} bounds how long the close first lets Weft's own
     * queued bytes drain before the socket is closed.
     *
     * @throws IllegalArgumentException if {@code linger} is negative
     */
    public void setSoLinger(Duration linger) {
        int secs;
        if (linger == null) {
            secs = -1;
        } else {
            if (linger.isNegative()) {
                throw new IllegalArgumentException("linger must not be negative, was " + linger);
            }
            long whole = linger.getSeconds() + (linger.getNano() > 0 ? 1 : 0);
            secs = (int) Math.min(Integer.MAX_VALUE, whole);
        }
        channel().config().setOption(ChannelOption.SO_LINGER, secs);
    }

    /** {@code SO_LINGER} in whole seconds as the kernel reports it, or {@code null} when off (the normal close). */
    public Duration soLinger() {
        int secs = channel().config().getOption(ChannelOption.SO_LINGER);
        return secs < 0 ? null : Duration.ofSeconds(secs);
    }

    /** The local address (null if the connection was never established). */
    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) channel().localAddress();
    }

    /** The peer's address (null if the connection was never established). */
    @Override
    public InetSocketAddress peerAddress() {
        return (InetSocketAddress) channel().remoteAddress();
    }

}
