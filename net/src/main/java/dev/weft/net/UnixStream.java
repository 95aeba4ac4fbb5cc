package dev.weft.net;

import dev.weft.core.WeftRuntime;
import dev.weft.net.internal.Conduit;
import dev.weft.net.internal.Sockets;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A Unix domain stream socket connection, read and written in blocking style by tasks: the same
 * API as {@link TcpStream} (all of it is {@link NetStream}'s), with file-system addresses.
 * Tokio's {@code UnixStream}. Obtained from {@link #connect} or {@link UnixListener#accept()}.
 * Available on the epoll, io_uring and kqueue transports, not on NIO (Netty 4.2's NIO domain
 * channels close on the peer's half-close, losing queued writes); see {@link #isSupported}.
 *
 * <p><b>Known issue (half-close on io_uring).</b> With Netty 4.2.18's io_uring transport, the
 * peer's end of stream (its half-close) closes the whole channel: Netty's io_uring channels
 * honour half-closure only for {@code SocketChannelConfig}, which the domain socket config is
 * not, and the channel class is final, so Weft cannot work around it. Writes still queued when
 * the peer's FIN is read are dropped, and writes after it fail ({@code SocketException}): a server
 * that is still echoing, or that replies after reading a request to end of stream, loses the
 * tail of its reply (reproducer: {@code UnixHalfCloseTest}, skipped on io_uring). Where a runtime
 * runs io_uring (the default transport where it loads), frame replies (e.g. {@link FrameReader},
 * or an expected length) rather than relying on half-close over Unix sockets, or build the
 * runtime on epoll. Half-close over Unix sockets loses nothing on epoll (Netty 4.2.18's epoll
 * failed to arm {@code EPOLLOUT} after the peer's FIN and dropped the queued writes, TCP too;
 * Weft works around it; kqueue is not covered by Weft's Linux test runs). TCP half-close loses
 * nothing on NIO, epoll and io_uring.
 *
 * {@snippet :
 * Path path = dir.resolve("echo.sock");
 * try (var rt = WeftRuntime.builder().build();
 *      var listener = UnixListener.bind(rt, path)) {
 *     rt.spawn(() -> { listener.serve(s -> NetIo.copy(s, s)); return null; });   // echo
 *     String reply = rt.run(() -> {
 *         try (UnixStream s = UnixStream.connect(rt, path, Duration.ofSeconds(5))) {
 *             new LineWriter(s).writeLine("hello");
 *             return new LineReader(s, 1024).readLine();
 *         }
 *     });
 * }
 * }
 */
public final class UnixStream extends NetStream {
    UnixStream(Conduit conduit) {
        super(conduit);
    }

    /** Whether {@code rt}'s transport has Unix domain sockets: epoll, io_uring and kqueue do, NIO does not. */
    public static boolean isSupported(WeftRuntime rt) {
        return Sockets.supportsUnix(Objects.requireNonNull(rt, "rt"));
    }

    /**
     * Connects to the socket at {@code path}, parking the calling task until connected.
     *
     * @param timeout the longest the connect may take
     * @throws ConnectException       if nobody listens there (no file, or a stale one) or the connect failed; the message names the path
     * @throws SocketTimeoutException if it took longer than {@code timeout}
     * @throws InterruptedIOException if interrupted while parked (the attempt is abandoned)
     * @throws UnsupportedOperationException if the transport has no Unix domain sockets
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public static UnixStream connect(WeftRuntime rt, Path path, Duration timeout) throws IOException {
        Objects.requireNonNull(rt, "rt");
        Objects.requireNonNull(path, "path");
        return new UnixStream(Sockets.connectUnix(rt, path, positiveNanos("timeout", timeout)));
    }

    /**
     * Connects from inside a task of the current runtime; see {@link #connect(WeftRuntime, Path, Duration)}.
     *
     * @throws IllegalStateException if the caller is not inside a Weft runtime
     */
    public static UnixStream connect(Path path, Duration timeout) throws IOException {
        return connect(WeftRuntime.current(), path, timeout);
    }

    /** The local address (unnamed, an empty path, for a connecting socket). */
    @Override
    public UnixDomainSocketAddress localAddress() {
        return Sockets.jdkUnixAddress(channel().localAddress());
    }

    /** The peer's address (unnamed, an empty path, for a connection accepted by a listener). */
    @Override
    public UnixDomainSocketAddress peerAddress() {
        return Sockets.jdkUnixAddress(channel().remoteAddress());
    }
}
