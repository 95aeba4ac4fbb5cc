package dev.weft.net;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.net.internal.AcceptQueue;
import dev.weft.net.internal.Conduit;
import dev.weft.net.internal.Sockets;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.RejectedExecutionException;

/**
 * A listening TCP socket whose {@link #accept()} parks the calling task until a connection
 * arrives. Tokio's {@code TcpListener}.
 *
 * {@snippet :
 * try (var rt = WeftRuntime.builder().build();
 *      var listener = TcpListener.bind(rt, new InetSocketAddress("127.0.0.1", 0))) {
 *     System.out.println("listening on " + listener.localAddress());
 *     rt.run(() -> {
 *         // one task per connection, on the carrier that drives the connection's channel
 *         listener.serve(stream -> {
 *             byte[] buf = new byte[8192];
 *             int n;
 *             while ((n = stream.read(buf)) >= 0) {
 *                 stream.write(buf, 0, n);
 *             }
 *         });
 *         return null;
 *     });
 * }
 * }
 *
 * <h2>Placement</h2>
 * Accepted connections are spread over the carriers round-robin; {@link #serve} runs each
 * connection's task on the carrier that drives its channel, so its reads wake it with a local
 * enqueue (no cross-thread hand-off). A task that calls {@link #accept()} itself can do the same
 * with {@link #spawnOnCarrier}.
 *
 * <h2>Cancellation</h2>
 * A task interrupted (cancelled) in {@code accept} wakes at once with
 * {@link InterruptedIOException}, interrupt status left set; no connection is lost (one accepted
 * meanwhile is returned by the next {@code accept}). Connections are taken from the kernel's
 * backlog only while a task waits in {@code accept}.
 *
 * <p>Thread-safe; one task accepts at a time ({@link IllegalStateException} for a second).
 */
public final class TcpListener implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(TcpListener.class.getName());

    private final AcceptQueue queue;

    private TcpListener(AcceptQueue queue) {
        this.queue = queue;
    }

    /**
     * Binds a listener to {@code address} (port 0: a free port, see {@link #localAddress()}) with
     * a backlog of 1024 and {@code SO_REUSEADDR} on. Parks until bound.
     *
     * @throws BindException          if the address cannot be bound (in use, not local); the message names it
     * @throws InterruptedIOException if interrupted while parked (the socket is closed)
     * @throws NullPointerException   if an argument is null
     */
    public static TcpListener bind(WeftRuntime rt, InetSocketAddress address) throws IOException {
        return builder(rt).bind(address);
    }

    /**
     * Binds from inside a task of the current runtime; see {@link #bind(WeftRuntime, InetSocketAddress)}.
     *
     * @throws IllegalStateException if the caller is not inside a Weft runtime
     * @throws IOException           as {@link #bind(WeftRuntime, InetSocketAddress)}
     */
    public static TcpListener bind(InetSocketAddress address) throws IOException {
        return bind(WeftRuntime.current(), address);
    }

    /** A builder for a listener with options (backlog, reuse-address). */
    public static Builder builder(WeftRuntime rt) {
        return new Builder(Objects.requireNonNull(rt, "rt"));
    }

    /**
     * Waits for the next connection and returns it. Parks until one arrives.
     *
     * @return the connection, registered on one of the runtime's carriers
     * @throws InterruptedIOException if interrupted while parked; no connection is lost
     * @throws SocketException        if the listener is (or gets) closed
     * @throws IOException            if accepting failed (e.g. too many open files); the listener stays usable
     * @throws IllegalStateException  if another task is accepting on this listener
     */
    public TcpStream accept() throws IOException {
        return new TcpStream(queue.accept(Conduit.NO_DEADLINE));
    }

    /**
     * Like {@link #accept()}, parking at most {@code timeout}.
     *
     * @throws SocketTimeoutException if no connection arrived in time (the listener stays usable)
     * @throws IOException            as {@link #accept()}
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public TcpStream accept(Duration timeout) throws IOException {
        return new TcpStream(queue.accept(Conduit.deadline(TcpStream.positiveNanos("timeout", timeout))));
    }

    /** A connection handler for {@link #serve}. */
    @FunctionalInterface
    public interface Handler {
        /**
         * Handles one connection; the stream is closed when this returns or throws.
         *
         * @throws Exception anything: it ends (and closes) only this connection
         */
        void handle(TcpStream stream) throws Exception;
    }

    /**
     * Accepts connections until this listener is closed, running {@code handler} for each in a
     * new task on the carrier that drives the connection; the stream is closed when the handler
     * returns or throws (also a {@link MessageStream} the handler turned it into and left open).
     * An {@link IOException} thrown by a handler (a peer that went away) ends
     * its connection quietly; other exceptions are logged at {@code WARNING}. Parks in accept.
     *
     * @throws InterruptedIOException if the serving task is interrupted (cancelled); running connections go on
     * @throws IOException            if accepting failed in a way that is not a closed listener
     * @throws NullPointerException   if {@code handler} is null
     */
    public void serve(Handler handler) throws IOException {
        Objects.requireNonNull(handler, "handler");
        serveLoop(queue, TcpStream::new, handler::handle);
    }

    /** A handler of either stream type, for {@link #serveLoop}. */
    interface Body<S extends NetStream> {
        void handle(S stream) throws Exception;
    }

    /** The accept loop of {@code serve}, shared by TCP and Unix listeners. */
    static <S extends NetStream> void serveLoop(AcceptQueue queue, java.util.function.Function<Conduit, S> wrap,
                                                Body<S> handler) throws IOException {
        for (;;) {
            S s;
            try {
                s = wrap.apply(queue.accept(Conduit.NO_DEADLINE));
            } catch (SocketException e) {
                if (queue.isClosed() || !queue.channel().isOpen()) {
                    return;
                }
                throw e;
            }
            try {
                spawnOnCarrier(s, "conn " + s.peerAddress(), () -> {
                    try {
                        handler.handle(s);
                    } catch (IOException e) {
                        // The peer went away or the task was cancelled: this connection ends.
                    } catch (Exception | Error e) {
                        LOG.log(System.Logger.Level.WARNING, "connection handler failed for " + s, e);
                        throw e;
                    } finally {
                        s.closeConnection();   // also a message stream the handler made and left open
                    }
                    return null;
                });
            } catch (RejectedExecutionException e) {
                s.close();
                return;
            }
        }
    }

    /**
     * Spawns a task on the carrier that drives {@code stream}'s channel, so its wake-ups are local.
     *
     * @throws RejectedExecutionException if the runtime is closed
     */
    public static <T> Task<T> spawnOnCarrier(NetStream stream, String name, java.util.concurrent.Callable<T> body) {
        return RuntimeAccess.spawnOn(stream.runtime(), stream.channel().eventLoop(), name, body);
    }

    /** The bound address (with the real port when bound to port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) queue.localAddress();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return queue.isClosed();
    }

    /**
     * Stops listening: a task parked in {@link #accept()} wakes with {@link SocketException}
     * ("listener closed"), connections accepted but not yet taken are closed, and the port is
     * released. Streams already accepted are not affected. Parks (at most 5 s) until the socket
     * is closed. Idempotent.
     */
    @Override
    public void close() {
        queue.close();
    }

    @Override
    public String toString() {
        return "TcpListener[" + localAddress() + (isClosed() ? ", closed" : "") + "]";
    }

    /** Options of a {@link TcpListener}. Not thread-safe; reusable. */
    public static final class Builder {
        private final WeftRuntime rt;
        private int backlog = 1024;
        private boolean reuseAddress = true;

        private Builder(WeftRuntime rt) {
            this.rt = rt;
        }

        /**
         * The kernel's queue of connections not yet accepted (default 1024; the kernel may cap it).
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder backlog(int backlog) {
            if (backlog <= 0) {
                throw new IllegalArgumentException("backlog must be > 0, was " + backlog);
            }
            this.backlog = backlog;
            return this;
        }

        /** {@code SO_REUSEADDR} (default on: a restarted server can bind while old connections linger in TIME_WAIT). */
        public Builder reuseAddress(boolean on) {
            this.reuseAddress = on;
            return this;
        }

        /**
         * Binds the listener; see {@link TcpListener#bind(WeftRuntime, InetSocketAddress)}.
         *
         * @throws BindException          if the address cannot be bound; the message names it
         * @throws InterruptedIOException if interrupted while parked
         */
        public TcpListener bind(InetSocketAddress address) throws IOException {
            Objects.requireNonNull(address, "address");
            return new TcpListener(Sockets.bind(rt, address, backlog, reuseAddress));
        }
    }
}
