package dev.weft.demos;

import java.net.InetSocketAddress;

/**
 * A running demo server: where it listens, and {@link #close()} to stop it.
 *
 * <p>Example (as the demo tests use it):
 * {@snippet :
 * DemoServer http = HttpServer.start(rt, new InetSocketAddress("127.0.0.1", 0));
 * int port = http.address().getPort();                      // the port the kernel picked
 * http.close();                                              // stop accepting, end the connections
 * }
 */
public interface DemoServer extends AutoCloseable {
    /** Where it listens (the real port when started on port 0). */
    InetSocketAddress address();

    /** Where {@code GET /metrics} and {@code GET /debug/tasks} are served, or null if nowhere. */
    default InetSocketAddress metricsAddress() {
        return null;
    }

    /**
     * Stops accepting, lets in-flight work finish (idle connections are closed at once), and
     * returns once the listener is closed. Idempotent.
     */
    @Override
    void close();

    /** Blocks the caller until {@link #close()} has been called and the accept loop ended. */
    void awaitStopped() throws InterruptedException;
}
