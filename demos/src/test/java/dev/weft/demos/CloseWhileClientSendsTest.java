package dev.weft.demos;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A connection the server closes after answering a request whose body it did not read (413 for a
 * body over the limit, an answer with {@code Connection: close} to a POST with a big body) ends
 * with a clean close: the server stops writing, then reads and drops what the client still sends
 * for a while (RFC 9112 §9.6). It used to close the socket with the body unread, which makes the
 * kernel send a reset: a client still sending (the JDK's HttpClient, a script that writes the
 * whole request before it reads) saw "connection reset" after, or instead of, the answer.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CloseWhileClientSendsTest {
    @TempDir
    static Path tmp;
    static DemoTesting.BothDemos demos;
    static WeftRuntime rt;
    static DemoServer http;
    static DemoServer files;

    @BeforeAll
    static void start() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(root.resolve("a.txt"), "a\n");
        demos = DemoTesting.BothDemos.start("close-while-sending-test", root);
        rt = demos.rt();
        http = demos.http();
        files = demos.files();
    }

    @AfterAll
    static void stop() {
        demos.close();
    }

    /**
     * Sends {@code head} and then {@code bodyBytes} bytes from another thread (as a client that
     * writes the whole request first), reads the answer, and checks that the connection then ends
     * with the server's close, not a reset.
     */
    private static DemoTesting.Response answeredThenClosedCleanly(DemoServer server, String head, int bodyBytes, String what)
            throws Exception {
        try (Socket s = DemoTesting.connect(server)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
                try {
                    out.write(head.getBytes(StandardCharsets.US_ASCII));
                    byte[] chunk = new byte[64 * 1024];
                    for (int left = bodyBytes; left > 0; left -= chunk.length) {
                        out.write(chunk, 0, Math.min(left, chunk.length));
                    }
                    out.flush();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            DemoTesting.Response r = DemoTesting.read(in, what);
            try {
                assertEquals(-1, in.read(), "nothing after the answer to " + what + ", then the server's close");
            } catch (SocketException e) {
                fail("the connection was reset after the answer to " + what + " (" + e + "): the server closed it with the body unread", e);
            }
            try {
                sent.get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                fail("the body of " + what + " could not be sent: the server stopped reading it (" + e.getCause() + ")", e);
            }
            return r;
        }
    }

    @RepeatedTest(3)
    void bodyOverTheLimitGets413AndACleanClose() throws Exception {
        int size = 2 * HttpServer.MAX_BODY;
        DemoTesting.Response r = answeredThenClosedCleanly(http,
                "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + size + "\r\n\r\n", size, "a POST of 2 MiB to /echo");
        assertEquals(413, r.status(), r.headers());
        assertTrue(r.headers().toLowerCase().contains("connection: close"), r.headers());
    }

    @RepeatedTest(3)
    void closingAnswerToABigPostOnFilesIsACleanClose() throws Exception {
        int size = 2 << 20;
        DemoTesting.Response r = answeredThenClosedCleanly(files,
                "POST /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " + size + "\r\n\r\n", size,
                "a POST of 2 MiB to the files demo");
        assertEquals(405, r.status(), r.headers());
        assertTrue(r.headers().toLowerCase().contains("connection: close"), r.headers());
    }
}
