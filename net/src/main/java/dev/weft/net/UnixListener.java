package dev.weft.net;

import dev.weft.core.WeftRuntime;
import dev.weft.net.internal.AcceptQueue;
import dev.weft.net.internal.Conduit;
import dev.weft.net.internal.Sockets;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * A listening Unix domain stream socket whose {@link #accept()} parks the calling task until a
 * connection arrives: {@link TcpListener}'s API with a file-system path. Tokio's
 * {@code UnixListener}. Placement, cancellation and accept backpressure are those of
 * {@link TcpListener}.
 *
 * {@snippet :
 * try (var listener = UnixListener.bind(rt, Path.of("/run/myapp/api.sock"))) {
 *     listener.serve(stream -> new LineWriter(stream).writeLine("hello"));
 * }
 * }
 *
 * <h2>The socket file</h2>
 * {@link #bind} creates the file and fails with {@link BindException} if it exists (a stale file
 * left by a crashed process included: delete it first if you know it is stale). {@link #close()}
 * deletes it.
 *
 * <p>Thread-safe; one task accepts at a time ({@link IllegalStateException} for a second).
 */
public final class UnixListener implements AutoCloseable {
    private final AcceptQueue queue;
    private final Path path;

    private UnixListener(AcceptQueue queue, Path path) {
        this.queue = queue;
        this.path = path;
    }

    /**
     * Binds a listener at {@code path} with a backlog of 1024. Parks until bound.
     *
     * @throws BindException          if the path cannot be bound (the file exists, no such directory, path too long); the message names it
     * @throws InterruptedIOException if interrupted while parked (the socket is closed)
     * @throws UnsupportedOperationException if the transport has no Unix domain sockets ({@link UnixStream#isSupported})
     * @throws NullPointerException   if an argument is null
     */
    public static UnixListener bind(WeftRuntime rt, Path path) throws IOException {
        Objects.requireNonNull(rt, "rt");
        Objects.requireNonNull(path, "path");
        return new UnixListener(Sockets.bindUnix(rt, path, 1024), path);
    }

    /**
     * Binds from inside a task of the current runtime; see {@link #bind(WeftRuntime, Path)}.
     *
     * @throws IllegalStateException if the caller is not inside a Weft runtime
     */
    public static UnixListener bind(Path path) throws IOException {
        return bind(WeftRuntime.current(), path);
    }

    /**
     * Waits for the next connection and returns it. Parks until one arrives.
     *
     * @throws InterruptedIOException if interrupted while parked; no connection is lost
     * @throws SocketException        if the listener is (or gets) closed
     * @throws IOException            if accepting failed; the listener stays usable
     * @throws IllegalStateException  if another task is accepting on this listener
     */
    public UnixStream accept() throws IOException {
        return new UnixStream(queue.accept(Conduit.NO_DEADLINE));
    }

    /**
     * Like {@link #accept()}, parking at most {@code timeout}.
     *
     * @throws SocketTimeoutException if no connection arrived in time (the listener stays usable)
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public UnixStream accept(Duration timeout) throws IOException {
        return new UnixStream(queue.accept(Conduit.deadline(NetStream.positiveNanos("timeout", timeout))));
    }

    /** A connection handler for {@link #serve}. */
    @FunctionalInterface
    public interface Handler {
        /**
         * Handles one connection; the stream is closed when this returns or throws.
         *
         * @throws Exception anything: it ends (and closes) only this connection
         */
        void handle(UnixStream stream) throws Exception;
    }

    /**
     * Accepts connections until this listener is closed, each handled in a new task on the
     * connection's carrier; see {@link TcpListener#serve}.
     *
     * @throws InterruptedIOException if the serving task is interrupted (cancelled); running connections go on
     * @throws IOException            if accepting failed in a way that is not a closed listener
     */
    public void serve(Handler handler) throws IOException {
        Objects.requireNonNull(handler, "handler");
        TcpListener.serveLoop(queue, UnixStream::new, handler::handle);
    }

    /** The bound address. */
    public UnixDomainSocketAddress localAddress() {
        return UnixDomainSocketAddress.of(path);
    }

    /** The socket file's path. */
    public Path path() {
        return path;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return queue.isClosed();
    }

    /**
     * Stops listening as {@link TcpListener#close()} does, then deletes the socket file. Parks (at
     * most 5 s) until the socket is closed. Idempotent.
     */
    @Override
    public void close() {
        boolean was = queue.isClosed();
        queue.close();
        if (!was) {
            try {
                Files.deleteIfExists(path);
            } catch (IOException e) {
                // Left behind (e.g. the directory went away): a later bind reports it clearly.
            }
        }
    }

    @Override
    public String toString() {
        return "UnixListener[" + path + (isClosed() ? ", closed" : "") + "]";
    }
}
