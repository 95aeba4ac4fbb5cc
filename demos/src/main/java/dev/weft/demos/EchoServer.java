package dev.weft.demos;

import dev.weft.core.WeftRuntime;
import dev.weft.net.NetIo;
import dev.weft.net.NetStream;
import dev.weft.net.TcpListener;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;

/**
 * {@code echo}: writes back every byte it reads, one task per connection, until the peer closes
 * (or half-closes: the reply to what it sent is still written, then the connection closes).
 *
 * <p>Example (the demo tests start it this way, on port 0, and talk to it with sockets and {@code nc}):
 * {@snippet :
 * try (WeftRuntime rt = WeftRuntime.builder().build();
 *      DemoServer server = EchoServer.start(rt, new InetSocketAddress("127.0.0.1", 0))) {
 *     System.out.println("echo on " + server.address());
 *     // ... serve until done; closing stops accepting and ends the connections
 * }
 * }
 */
public final class EchoServer {
    private EchoServer() {}

    /**
     * Binds and starts serving, without a metrics side port.
     *
     * @throws java.net.BindException if the address is taken
     */
    public static DemoServer start(WeftRuntime rt, InetSocketAddress address) throws IOException {
        return start(rt, address, null);
    }

    /**
     * Binds and starts serving, plus (unless {@code metricsAddress} is null) a small HTTP side
     * port on {@code metricsAddress} that serves {@code GET /metrics} and {@code GET /debug/tasks}
     * with the http demo's machinery; closing the returned server closes both.
     *
     * @throws java.net.BindException if either address is taken (nothing is left listening)
     */
    public static DemoServer start(WeftRuntime rt, InetSocketAddress address, InetSocketAddress metricsAddress)
            throws IOException {
        DemoServer echo = startEcho(rt, address);
        return metricsAddress == null ? echo : withSidePort(rt, echo, metricsAddress);
    }

    /**
     * {@code main} plus a side port on {@code metricsAddress} serving {@code GET /metrics} and
     * {@code GET /debug/tasks}; closing the result closes both. If the side port cannot be bound,
     * {@code main} is closed and the exception thrown.
     */
    static DemoServer withSidePort(WeftRuntime rt, DemoServer main, InetSocketAddress metricsAddress) throws IOException {
        DemoServer side;
        try {
            side = HttpServer.start(rt, metricsAddress, Observability.of(rt), false);
        } catch (IOException | RuntimeException e) {
            main.close();
            throw e;
        }
        return new WithSidePort(main, side);
    }

    /** A demo server with its metrics side port. */
    private record WithSidePort(DemoServer main, DemoServer side) implements DemoServer {
        @Override
        public InetSocketAddress address() {
            return main.address();
        }

        @Override
        public InetSocketAddress metricsAddress() {
            return side.address();
        }

        @Override
        public void close() {
            side.close();
            main.close();
        }

        @Override
        public void awaitStopped() throws InterruptedException {
            main.awaitStopped();
            side.awaitStopped();
        }
    }

    /**
     * The echo loop is one {@link NetIo#copy} of the stream to itself, which hands every received
     * buffer back to the socket as it is (no copy). Graceful shutdown without a hook in the copy:
     * the stream is split, and draining closes the read half. An idle copy (parked waiting for
     * input) then wakes at once and the connection closes; a busy one first writes the buffer it
     * took (parking until the client reads, as any write does), then stops: what it took is
     * echoed, what it had not taken yet is not, as with a read-and-write loop that checks for
     * draining after each write.
     */
    private static DemoServer startEcho(WeftRuntime rt, InetSocketAddress address) throws IOException {
        TcpListener listener = TcpListener.bind(rt, address);
        return new Connections(rt, listener, "echo", (s, conn) -> {
            NetStream.Split halves = s.split();
            conn.onDrain(halves.read()::close);
            try {
                NetIo.copy(halves.read(), halves.write());
            } catch (SocketException e) {
                if (!conn.draining()) {
                    throw e;   // the peer went away; "read half closed" is the drain
                }
            }
        });
    }
}
