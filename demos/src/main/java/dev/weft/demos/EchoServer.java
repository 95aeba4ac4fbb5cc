package dev.weft.demos;

import dev.weft.core.WeftRuntime;
import dev.weft.net.TcpListener;

import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * {@code echo}: writes back every byte it reads, one task per connection, until the peer closes
 * (or half-closes: the reply to what it sent is still written, then the connection closes).
 */
public final class EchoServer {
    private EchoServer() {}

    /**
     * Binds and starts serving.
     *
     * @throws java.net.BindException if the address is taken
     */
    public static DemoServer start(WeftRuntime rt, InetSocketAddress address) throws IOException {
        TcpListener listener = TcpListener.bind(rt, address);
        return new Connections(rt, listener, "echo", (s, conn) -> {
            byte[] buf = new byte[16 * 1024];
            int n;
            while ((n = s.read(buf)) >= 0) {
                conn.idle(false);
                s.write(buf, 0, n);
                conn.idle(true);
                if (conn.draining()) {
                    return;
                }
            }
        });
    }
}
