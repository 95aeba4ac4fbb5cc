package dev.weft.demos;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The HTTP demos do not hold a connection forever for a client that sends nothing, stops halfway
 * through a request, or does not take its response: each wait is bounded (here 500 ms).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionTimeoutsTest {
    static final Duration IO_TIMEOUT = Duration.ofMillis(500);
    /** How long a test waits for the server to give up: far above IO_TIMEOUT. */
    static final int WAIT_MS = DemoTesting.READ_TIMEOUT_MS;

    @TempDir
    static Path tmp;
    static WeftRuntime rt;
    static DemoServer http;
    static DemoServer files;
    static final long HUGE = 256L << 20;

    @BeforeAll
    static void start() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        try (RandomAccessFile f = new RandomAccessFile(root.resolve("huge.bin").toFile(), "rw")) {
            f.setLength(HUGE);   // sparse: costs no disk
        }
        rt = WeftRuntime.builder().name("timeouts-test").carriers(1).closeTimeout(Duration.ofSeconds(5)).build();
        http = HttpServer.start(rt, new InetSocketAddress("127.0.0.1", 0), Observability.of(rt), true, IO_TIMEOUT);
        files = FilesServer.start(rt, new InetSocketAddress("127.0.0.1", 0), root, IO_TIMEOUT);
    }

    @AfterAll
    static void stop() {
        DemoTesting.stop(rt, http, files);
    }

    /** Everything the server sends until it closes; fails if it is still open after WAIT_MS. */
    static String untilClosed(Socket s, String what) throws IOException {
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        try {
            byte[] buf = new byte[4096];
            int n;
            while ((n = in.read(buf)) >= 0) {
                got.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            fail("the server still holds the connection " + WAIT_MS + " ms after " + what
                    + " (read timeout " + IO_TIMEOUT.toMillis() + " ms); got: '" + got + "'");
        } catch (SocketException reset) {
            // closed with unread input: a reset also ends it
        }
        return got.toString(StandardCharsets.ISO_8859_1);
    }

    /** A client that connects and sends nothing is closed. */
    @Test
    void silentClientIsClosed() throws Exception {
        for (DemoServer server : new DemoServer[] {http, files}) {
            try (Socket s = DemoTesting.connect(server)) {
                assertEquals("", untilClosed(s, "connecting and sending nothing"));
            }
        }
    }

    /** A keep-alive connection left idle after a request is closed. */
    @Test
    void idleKeepAliveIsClosed() throws Exception {
        try (Socket s = DemoTesting.connect(http)) {
            DemoTesting.send(s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            String all = untilClosed(s, "one request, then silence");
            assertTrue(all.startsWith("HTTP/1.1 200 OK") && all.endsWith("Hello, World!"), all);
        }
    }

    /**
     * A request whose head stops halfway is answered 408 and the connection closed, as a body cut
     * short is (it used to be closed with no answer), also after an earlier request on the
     * connection, and with the head stopping right after the request line.
     */
    @Test
    void requestHeadCutShortGets408() throws Exception {
        for (DemoServer server : new DemoServer[] {http, files}) {
            for (String cut : new String[] {"GET / HTTP/1.1\r\nHo", "GET / HTTP/1.1\r\n", "GE"}) {
                try (Socket s = DemoTesting.connect(server)) {
                    DemoTesting.send(s, cut);
                    String all = untilClosed(s, "a request head cut short: '" + cut + "'");
                    assertTrue(all.startsWith("HTTP/1.1 408 Request Timeout"), cut + " -> " + all);
                    assertTrue(all.toLowerCase().contains("connection: close"), all);
                }
            }
            try (Socket s = DemoTesting.connect(server)) {
                DemoTesting.send(s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
                assertEquals(200, DemoTesting.read(s.getInputStream(), "GET /").status());
                DemoTesting.send(s, "GET / HTTP/1.1\r\nHo");
                String all = untilClosed(s, "a second request's head cut short");
                assertTrue(all.startsWith("HTTP/1.1 408 Request Timeout"), all);
            }
        }
    }

    /**
     * A whole request and the start of the next one in one write: the first is answered, the
     * second, cut short, gets 408 (the bytes after the first request's end were taken as part of
     * it, and the connection was closed with no answer).
     */
    @Test
    void headCutShortInTheSameReadAsARequestGets408() throws Exception {
        for (DemoServer server : new DemoServer[] {http, files}) {
            for (String cut : new String[] {"GET / HTTP/1.1\r\nHo", "G"}) {
                try (Socket s = DemoTesting.connect(server)) {
                    DemoTesting.send(s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n" + cut);
                    String all = untilClosed(s, "a whole request and a head cut short in one write: '" + cut + "'");
                    int second = all.indexOf("HTTP/1.1 408 Request Timeout");
                    assertTrue(all.startsWith("HTTP/1.1 ") && second > 0, cut + " -> " + all);
                }
            }
        }
    }

    /** A keep-alive connection left idle after a request with a body (a pipelined pair) is closed with no answer. */
    @Test
    void idleAfterBodiesIsClosedSilently() throws Exception {
        try (Socket s = DemoTesting.connect(http)) {
            DemoTesting.send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                    + "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertEquals("hello", DemoTesting.read(s.getInputStream(), "POST /echo").body());
            assertEquals("", untilClosed(s, "two requests, then silence").replaceFirst("(?s)^HTTP/1.1 200 OK.*Hello, World!$", ""));
        }
        try (Socket s = DemoTesting.connect(files)) {
            DemoTesting.send(s, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n");
            String all = untilClosed(s, "one request, then silence");
            assertTrue(all.startsWith("HTTP/1.1 404") && all.endsWith("not found: /nope\n"), all);
        }
    }

    /** A body that stops short of its Content-Length is answered 408 and the connection closed. */
    @Test
    void bodyCutShortGets408() throws Exception {
        try (Socket s = DemoTesting.connect(http)) {
            DemoTesting.send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello");
            String all = untilClosed(s, "5 of 10 body bytes");
            assertTrue(all.startsWith("HTTP/1.1 408 Request Timeout"), all);
            assertTrue(all.toLowerCase().contains("connection: close"), all);
        }
    }

    /** A client that asks for a large file and never reads it does not hold its connection forever. */
    @Test
    void clientThatDoesNotReadIsClosed() throws Exception {
        Connections server = (Connections) files;
        try (Socket s = new Socket()) {
            s.setReceiveBufferSize(4096);
            s.connect(files.address());
            s.setSoTimeout(WAIT_MS);
            DemoTesting.send(s, "GET /huge.bin HTTP/1.1\r\nHost: x\r\n\r\n");
            // the response has begun (so the server is sending): then read nothing more
            assertEquals("HTTP/1.1 200", new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII));
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MS);
            while (server.liveConnections() > 0) {
                if (System.nanoTime() - deadline > 0) {
                    fail("the files server still holds a connection whose client has read nothing for "
                            + WAIT_MS + " ms (write timeout " + IO_TIMEOUT.toMillis() + " ms)");
                }
                Thread.sleep(20);   // polling the server's state, bounded by the deadline
            }
        }
    }
}
