package dev.weft.net;

import dev.weft.core.Task;
import dev.weft.core.Transport;
import dev.weft.core.WeftRuntime;
import dev.weft.core.sync.ReceiveResult;
import dev.weft.core.testsupport.Eventually;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.BindException;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.weft.net.NetTesting.CONNECT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Unix domain stream sockets in a temp dir, on every transport that loads. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnixSocketTest {
    @TempDir
    Path dir;

    static WeftRuntime runtime(Transport t) {
        WeftRuntime rt = TcpTransportConformanceTest.runtime(t);
        if (!UnixStream.isSupported(rt)) {
            rt.close();
            assumeTrue(false, "no Unix sockets on " + t);
        }
        return rt;
    }

    /**
     * 20 concurrent connections echo 256 KiB intact, written and read by two tasks through split
     * halves. (Each client reads exactly what it sent instead of half-closing: see the known issue
     * in {@link UnixStream}.)
     */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"NIO", "EPOLL", "IO_URING", "KQUEUE"})
    void echoWithSplitHalves(Transport t) throws Exception {
        Path path = dir.resolve("echo.sock");
        try (WeftRuntime rt = runtime(t); UnixListener l = UnixListener.bind(rt, path)) {
            assertTrue(Files.exists(path));
            assertEquals(path, l.localAddress().getPath());
            rt.spawn("unix-echo", () -> {
                l.serve(s -> NetIo.copy(s, s));
                return null;
            });
            List<Task<Void>> clients = new ArrayList<>();
            for (int c = 0; c < 20; c++) {
                int seed = c;
                clients.add(rt.spawn("unix-client-" + c, () -> {
                    byte[] sent = NetTesting.pattern(256 * 1024, seed);
                    try (UnixStream s = UnixStream.connect(rt, path, CONNECT)) {
                        NetStream.Split halves = s.split();
                        Task<byte[]> reader = rt.spawn(() -> halves.read().readExact(sent.length));
                        halves.write().writeAll(sent);
                        assertArrayEquals(sent, reader.join(Duration.ofSeconds(30)));
                        assertEquals(0, halves.read().available());
                    }
                    return null;
                }));
            }
            for (Task<Void> c : clients) {
                c.join(Duration.ofSeconds(30));
            }
            // The echo copies each stream to itself by forwarding the received buffers (counted
            // just after each is handed over, so possibly after the client read it).
            Eventually.eventually(Duration.ofSeconds(10), "the echo forwarded every byte",
                    () -> dev.weft.net.internal.NetCounters.of(rt).bytesForwarded.sum() == 20 * 256 * 1024);
        }
        assertFalse(Files.exists(path), "close deletes the socket file");
    }

    /** Bad input: an existing file, nobody listening, accept timeout; lines over a Unix socket. */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"NIO", "EPOLL", "IO_URING", "KQUEUE"})
    void errorsAndFraming(Transport t) throws Exception {
        Path path = dir.resolve("api.sock");
        try (WeftRuntime rt = runtime(t)) {
            ConnectException ce = assertThrows(ConnectException.class, () -> rt.run(() -> UnixStream.connect(rt, path, CONNECT)));
            assertTrue(ce.getMessage().contains(path.toString()), ce.getMessage());
            try (UnixListener l = UnixListener.bind(rt, path)) {
                BindException be = assertThrows(BindException.class, () -> UnixListener.bind(rt, path));
                assertTrue(be.getMessage().contains(path.toString()), be.getMessage());
                assertThrows(SocketTimeoutException.class, () -> rt.run(() -> l.accept(Duration.ofMillis(20))));
                rt.spawn(() -> {
                    try (UnixStream s = l.accept()) {
                        LineReader in = new LineReader(s, 100);
                        LineWriter out = new LineWriter(s);
                        String line;
                        while ((line = in.readLine()) != null) {
                            out.writeLine(line.toUpperCase());
                        }
                    }
                    return null;
                });
                String reply = rt.run(() -> {
                    try (UnixStream s = UnixStream.connect(rt, path, CONNECT)) {
                        new LineWriter(s).writeLine("hello unix");
                        return new LineReader(s, 100).readLine();
                    }
                });
                assertEquals("HELLO UNIX", reply);
            }
            Files.writeString(path, "not a socket");
            assertThrows(BindException.class, () -> UnixListener.bind(rt, path), "a plain file in the way");
            assertThrows(BindException.class, () -> UnixListener.bind(rt, dir.resolve("no-such-dir").resolve("x.sock")));
        }
    }

    /**
     * A message stream over a Unix stream: lines through Netty's codec both ways, and its
     * addresses (and toString) are the Unix paths, as the UnixStream's own are.
     */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"NIO", "EPOLL", "IO_URING", "KQUEUE"})
    void messageStreamOverUnixStream(Transport t) throws Exception {
        Path path = dir.resolve("msg.sock");
        try (WeftRuntime rt = runtime(t); UnixListener l = UnixListener.bind(rt, path)) {
            Task<SocketAddress> server = rt.spawn(() -> {
                try (UnixStream s = l.accept();
                     MessageStream<String> m = s.messages(String.class, NetTesting::lines)) {
                    if (m.receive() instanceof ReceiveResult.Value<String>(var line)) {
                        m.send(line.toUpperCase() + " from " + m + "\n");
                    }
                    return m.localAddress();
                }
            });
            String reply = rt.run(() -> {
                try (UnixStream s = UnixStream.connect(rt, path, CONNECT);
                     MessageStream<String> m = s.messages(String.class, NetTesting::lines)) {
                    assertEquals(UnixDomainSocketAddress.of(path), m.peerAddress(), "the client's peer is the listener's path");
                    assertInstanceOf(UnixDomainSocketAddress.class, m.localAddress(), "an unnamed client address, as UnixStream's");
                    m.send("hello\n");
                    return m.receive() instanceof ReceiveResult.Value<String>(var line) ? line : null;
                }
            });
            assertEquals(UnixDomainSocketAddress.of(path), server.join(Duration.ofSeconds(10)), "the server's local address is its path");
            assertNotNull(reply, "no reply line");
            assertTrue(reply.startsWith("HELLO from MessageStream[" + path), reply);
        }
    }
}
