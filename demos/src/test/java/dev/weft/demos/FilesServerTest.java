package dev.weft.demos;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The {@code files} demo end to end: a real directory served in-process, fetched with curl. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FilesServerTest {
    @TempDir
    static Path tmp;
    static Path root;
    static Path outside;
    static WeftRuntime rt;
    static DemoServer server;
    static String base;
    static byte[] big;

    @BeforeAll
    static void start() throws Exception {
        root = Files.createDirectories(tmp.resolve("root"));
        outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(root.resolve("hello.txt"), "Hello, files!\n");
        Files.writeString(outside.resolve("secret.txt"), "secret\n");
        Files.createDirectories(root.resolve("sub"));
        Files.writeString(root.resolve("sub/inner.json"), "{\"a\":1}");
        big = new byte[3_000_000 + 17];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 13 + (i >>> 10));
        }
        Files.write(root.resolve("big.bin"), big);
        Files.createSymbolicLink(root.resolve("escape.txt"), outside.resolve("secret.txt"));
        Files.createSymbolicLink(root.resolve("escape-dir"), outside);
        Files.createSymbolicLink(root.resolve("inside.txt"), root.resolve("hello.txt"));
        rt = WeftRuntime.builder().name("files-test").carriers(2).closeTimeout(Duration.ofSeconds(5)).build();
        server = FilesServer.start(rt, new InetSocketAddress("127.0.0.1", 0), root);
        base = "http://127.0.0.1:" + server.address().getPort();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (rt != null) {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    record Reply(int status, String headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Runs curl with {@code args}; returns the status, the response headers and the body. */
    static Reply curl(String... args) throws Exception {
        assumeTrue(DemoServersTest.installed("curl"), "curl is not installed: apt-get install -y curl");
        Path body = Files.createTempFile(tmp, "body", "");
        Path headers = Files.createTempFile(tmp, "headers", "");
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-S", "--max-time", "20", "-o", body.toString(),
                "-D", headers.toString(), "-w", "%{http_code}"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + cmd);
        assertEquals(0, p.exitValue(), "curl failed: " + out);
        String code = out.trim();   // one code per URL: the last one counts
        return new Reply(Integer.parseInt(code.substring(code.length() - 3)), Files.readString(headers), Files.readAllBytes(body));
    }

    /** GET a file: 200, its bytes, Content-Length and a type by extension. */
    @Test
    void getFile() throws Exception {
        Reply r = curl(base + "/hello.txt");
        assertEquals(200, r.status());
        assertEquals("Hello, files!\n", r.text());
        assertTrue(r.headers().toLowerCase().contains("content-length: 14"), r.headers());
        assertTrue(r.headers().toLowerCase().contains("content-type: text/plain"), r.headers());
        Reply j = curl(base + "/sub/inner.json");
        assertEquals(200, j.status());
        assertEquals("{\"a\":1}", j.text());
    }

    /** A multi-megabyte file arrives intact. */
    @Test
    void getLargeFile() throws Exception {
        Reply r = curl(base + "/big.bin");
        assertEquals(200, r.status());
        assertArrayEquals(big, r.body());
    }

    /** HEAD: the GET headers with Content-Length, no body (a GET pipelined after it is answered right after its headers). */
    @Test
    void head() throws Exception {
        Reply r = curl("-I", base + "/big.bin");
        assertEquals(200, r.status());
        assertTrue(r.headers().toLowerCase().contains("content-length: " + big.length), r.headers());
        assertTrue(r.headers().toLowerCase().contains("accept-ranges: bytes"), r.headers());
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.address().getPort())) {
            s.getOutputStream().write(("HEAD /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertEquals(2, all.split("HTTP/1.1 200 OK", -1).length - 1, all);
            assertEquals(1, all.split("Hello, files!", -1).length - 1, "one body, the GET's: " + all);
            assertTrue(all.endsWith("Hello, files!\n"), all);
        }
    }

    /** Range requests: a-b, a-, -n give 206 with Content-Range; past the end gives 416. */
    @Test
    void ranges() throws Exception {
        Reply r = curl("-r", "0-4", base + "/hello.txt");
        assertEquals(206, r.status());
        assertEquals("Hello", r.text());
        assertTrue(r.headers().toLowerCase().contains("content-range: bytes 0-4/14"), r.headers());
        Reply tail = curl("-H", "Range: bytes=-7", base + "/hello.txt");
        assertEquals(206, tail.status());
        assertEquals("files!\n", tail.text());
        Reply open = curl("-H", "Range: bytes=1000000-", base + "/big.bin");
        assertEquals(206, open.status());
        assertArrayEquals(java.util.Arrays.copyOfRange(big, 1_000_000, big.length), open.body());
        Reply past = curl("-H", "Range: bytes=100-200", base + "/hello.txt");
        assertEquals(416, past.status());
        assertTrue(past.headers().toLowerCase().contains("content-range: bytes */14"), past.headers());
        Reply clipped = curl("-H", "Range: bytes=7-9999", base + "/hello.txt");
        assertEquals(206, clipped.status());
        assertEquals("files!\n", clipped.text());
    }

    /** Missing files are 404; other methods 405. */
    @Test
    void notFoundAndMethod() throws Exception {
        assertEquals(404, curl(base + "/nope.txt").status());
        assertEquals(404, curl(base + "/sub/nope/deeper").status());
        Reply post = curl("-X", "POST", "--data", "x", base + "/hello.txt");
        assertEquals(405, post.status());
        assertTrue(post.headers().toLowerCase().contains("allow: get, head"), post.headers());
    }

    /** '..' (plain or percent-encoded) and symbolic links that leave the root are 403; a link inside it is served. */
    @Test
    void noAccessOutsideTheRoot() throws Exception {
        assertEquals(403, curl("--path-as-is", base + "/../outside/secret.txt").status());
        assertEquals(403, curl("--path-as-is", base + "/sub/../../outside/secret.txt").status());
        assertEquals(403, curl(base + "/%2e%2e/outside/secret.txt").status());
        assertEquals(403, curl(base + "/escape.txt").status());
        assertEquals(403, curl(base + "/escape-dir/secret.txt").status());
        Reply in = curl(base + "/inside.txt");
        assertEquals(200, in.status());
        assertEquals("Hello, files!\n", in.text());
    }

    /** A directory is listed (streamed from Fs.list). */
    @Test
    void directoryListing() throws Exception {
        Reply r = curl(base + "/");
        assertEquals(200, r.status());
        assertTrue(r.text().contains("hello.txt") && r.text().contains("sub"), r.text());
        assertTrue(curl(base + "/sub").text().contains("inner.json"));
    }

    /** Keep-alive: curl fetches two files over one connection. */
    @Test
    void keepAlive() throws Exception {
        assumeTrue(DemoServersTest.installed("curl"), "curl is not installed");
        Process p = new ProcessBuilder("curl", "-s", "-S", "--max-time", "20", "-o", "/dev/null", "-o", "/dev/null",
                "-w", "%{http_code}:%{num_connects} ", base + "/hello.txt", base + "/big.bin").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals("200:1 200:0", out, "the second request reused the connection");
    }

    /** Range header parsing, unit level: malformed and multi-range headers fall back to the whole file. */
    @Test
    void rangeParsing() {
        assertInstanceOf(FilesServer.RangeRequest.Whole.class, FilesServer.parseRange(null, 10));
        assertInstanceOf(FilesServer.RangeRequest.Whole.class, FilesServer.parseRange("bytes=0-1,3-4", 10));
        assertInstanceOf(FilesServer.RangeRequest.Whole.class, FilesServer.parseRange("items=0-1", 10));
        assertInstanceOf(FilesServer.RangeRequest.Whole.class, FilesServer.parseRange("bytes=5-2", 10));
        assertInstanceOf(FilesServer.RangeRequest.Unsatisfiable.class, FilesServer.parseRange("bytes=10-", 10));
        assertInstanceOf(FilesServer.RangeRequest.Unsatisfiable.class, FilesServer.parseRange("bytes=-0", 10));
        assertEquals(new FilesServer.RangeRequest.Part(new FilesServer.Range(0, 9)), FilesServer.parseRange("bytes=-100", 10));
        assertEquals(new FilesServer.RangeRequest.Part(new FilesServer.Range(2, 9)), FilesServer.parseRange("bytes=2-", 10));
    }
}
