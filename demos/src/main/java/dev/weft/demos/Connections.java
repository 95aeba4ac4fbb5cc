package dev.weft.demos;

import dev.weft.core.Task;
import dev.weft.net.TcpListener;
import dev.weft.net.TcpStream;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The accept loop the demos share: one task per connection on the carrier that drives it, a
 * registry of live connections with an "idle" flag, and a drain on close (stop accepting,
 * cancel idle connections, let busy ones finish their request).
 */
final class Connections implements DemoServer {
    /** What a demo does with one connection; it calls {@link Conn#idle} around its waits for a new request. */
    interface Handler {
        void handle(TcpStream stream, Conn conn) throws Exception;
    }

    /** One live connection. */
    static final class Conn {
        volatile boolean idle = true;
        volatile Task<?> task;
        /** How to stop this connection gracefully on drain, instead of cancelling it when idle; see {@link #onDrain}. */
        private volatile Runnable stop;
        private final Connections owner;

        Conn(Connections owner) {
            this.owner = owner;
        }

        /** Whether the server is shutting down (finish the current request, then close). */
        boolean draining() {
            return owner.draining.get();
        }

        void idle(boolean idle) {
            this.idle = idle;
        }

        /**
         * For a handler that cannot mark its idle waits (one {@code NetIo.copy} call): on drain the
         * server runs {@code stop} (which must not park, and may run twice) instead of cancelling
         * the connection when idle, and the handler finishes what it is doing. Runs it now if the
         * server is already draining. (The handler sets this, then reads {@code draining}; the
         * server sets {@code draining}, then reads this: one of them sees the other, both volatile.)
         */
        void onDrain(Runnable stop) {
            this.stop = stop;
            if (draining()) {
                stop.run();
            }
        }
    }

    private final TcpListener listener;
    private final Map<Conn, Boolean> live = new ConcurrentHashMap<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicLong ids = new AtomicLong();
    private final String name;
    private final AcceptErrors errors = new AcceptErrors();
    /** Whether this server answers {@code GET /metrics} (set by the http machinery). */
    volatile boolean servesMetrics;

    Connections(dev.weft.core.WeftRuntime rt, TcpListener listener, String name, Handler handler) {
        this.listener = listener;
        this.name = name;
        // The accept loop is itself a task of the runtime.
        rt.spawn(name + "-accept", () -> {
            try {
                acceptLoop(handler);
            } finally {
                stopped.countDown();
            }
            return null;
        });
    }

    /**
     * Accepts until the server drains or the listener closes. A failed accept that leaves the
     * listener usable (see {@link TcpListener#accept()}: too many open files, say) must not stop
     * the server for good: it is logged once per kind, and the loop pauses briefly
     * ({@link AcceptErrors}) and goes on. Cancellation (runtime shutdown) still ends it.
     */
    private void acceptLoop(Handler handler) throws IOException {
        while (!draining.get()) {
            TcpStream s;
            try {
                s = listener.accept();
                errors.succeeded();
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                if (draining.get() || listener.isClosed()) {
                    return;
                }
                if (errors.failed(e)) {
                    // Straight to stderr, not through a logging framework: formatting a record can
                    // need a file (JUL's SimpleFormatter loads the time-zone data), the very thing
                    // EMFILE refuses, and the Error it then throws ended this loop
                    // (AcceptLoopEmfileTest). Nothing here may load a class from a file either.
                    System.err.println("weft-demos: " + name + ": " + e.getMessage()
                            + "; accepting again after a short pause (further failures like this are not reported)");
                }
                try {
                    Thread.sleep(errors.pause());
                } catch (InterruptedException cancelled) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("accept loop cancelled while pausing after an accept failure");
                }
                continue;
            }
            Conn conn = new Conn(this);
            live.put(conn, Boolean.TRUE);
            try {
                conn.task = TcpListener.spawnOnCarrier(s, name + "-conn-" + ids.incrementAndGet(), () -> {
                    try (s) {
                        handler.handle(s, conn);
                    } catch (IOException e) {
                        // peer went away, or the connection was cancelled while idle
                    } finally {
                        live.remove(conn);
                    }
                    return null;
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                live.remove(conn);
                s.close();
                return;
            }
            if (draining.get()) {
                drain(conn);
            }
        }
    }

    @Override
    public InetSocketAddress address() {
        return listener.localAddress();
    }

    @Override
    public void close() {
        if (!draining.compareAndSet(false, true)) {
            return;
        }
        listener.close();
        for (Conn c : live.keySet()) {
            drain(c);
        }
    }

    /** Ends {@code c} gracefully: its drain action if it set one, else cancels it if idle. */
    private static void drain(Conn c) {
        Task<?> t = c.task;
        Runnable stop = c.stop;
        if (stop != null) {
            stop.run();
        } else if (c.idle && t != null) {
            t.cancel();
        }
    }

    @Override
    public InetSocketAddress metricsAddress() {
        return servesMetrics ? address() : null;
    }

    /** Live connections now (for tests). */
    int liveConnections() {
        return live.size();
    }

    @Override
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }
}
