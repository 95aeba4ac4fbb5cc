package dev.weft.demos;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** End-to-end: the demo servers in-process on free ports, driven by curl, wrk and plain sockets. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DemoServersTest {
    static WeftRuntime rt;
    static DemoServer http;
    static DemoServer echo;
    static String base;

    @BeforeAll
    static void start() throws IOException {
        rt = WeftRuntime.builder().name("demo-test").carriers(2).closeTimeout(Duration.ofSeconds(5)).build();
        http = HttpServer.start(rt, new InetSocketAddress("127.0.0.1", 0));
        echo = EchoServer.start(rt, new InetSocketAddress("127.0.0.1", 0));
        base = "http://127.0.0.1:" + http.address().getPort();
    }

    @AfterAll
    static void stop() {
        if (http != null) {
            http.close();
        }
        if (echo != null) {
            echo.close();
        }
        if (rt != null) {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    record Run(int exit, String out) {}

    static Run run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + cmd);
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static boolean installed(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** curl: status code (and body) of one request. */
    static String curl(String... args) throws Exception {
        assumeTrue(installed("curl"), "curl is not installed: apt-get install -y curl");
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "-S", "--max-time", "20", "-o", "-", "-w", "\n%{http_code}"));
        cmd.addAll(List.of(args));
        Run r = run(cmd);
        assertEquals(0, r.exit(), "curl failed: " + r.out());
        return r.out();
    }

    static String status(String curlOut) {
        return curlOut.substring(curlOut.lastIndexOf('\n') + 1);
    }

    /** GET / and GET /json answer 200 with the documented bodies; HEAD works. */
    @Test
    void routes() throws Exception {
        assertEquals("Hello, World!\n200", curl(base + "/"));
        assertEquals("{\"message\":\"Hello, World!\"}\n200", curl(base + "/json"));
        assertEquals("200", status(curl("-I", base + "/")));
        String headers = curl("-s", "-D", "-", "-o", "/dev/null", base + "/");
        assertTrue(headers.toLowerCase().contains("content-type: text/plain"), headers);
    }

    /** Unknown paths 404, other methods 405. */
    @Test
    void notFoundAndNotAllowed() throws Exception {
        assertEquals("404", status(curl(base + "/nope")));
        assertEquals("405", status(curl("-X", "PUT", base + "/")));
        assertEquals("405", status(curl("-X", "DELETE", base + "/json")));
        assertEquals("405", status(curl(base + "/echo")));
    }

    /** Bodies with Content-Length and chunked encoding are read (POST /echo returns them). */
    @Test
    void bodies() throws Exception {
        assertEquals("hello body\n200", curl("--data-binary", "hello body", base + "/echo"));
        assertEquals("chunked body\n200", curl("-H", "Transfer-Encoding: chunked", "--data-binary", "chunked body", base + "/echo"));
        // 100-continue (curl sends Expect for bodies over 1 KiB)
        Path f = Files.createTempFile("weft-body", ".bin");
        Files.write(f, new byte[200_000]);
        assertEquals("200", status(curl("-o", "/dev/null", "--data-binary", "@" + f, base + "/echo")));
        Files.delete(f);
    }

    /** Over-limit headers 431, over-limit bodies 413 (declared or chunked), malformed 400. */
    @Test
    void limitsAndMalformed() throws Exception {
        assertEquals("431", status(curl("-o", "/dev/null", "-H", "X-Big: " + "a".repeat(10_000), base + "/")));
        Path big = Files.createTempFile("weft-big", ".bin");
        Files.write(big, new byte[2 << 20]);
        assertEquals("413", status(curl("-o", "/dev/null", "--data-binary", "@" + big, base + "/echo")));
        assertEquals("413", status(curl("-o", "/dev/null", "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + big, base + "/echo")));
        Files.delete(big);
        assertTrue(rawHttp("GARBAGE\r\n\r\n").startsWith("HTTP/1.1 400 "), "malformed request line");
        assertTrue(rawHttp("GET / HTTP/1.1\r\nno colon here\r\n\r\n").startsWith("HTTP/1.1 400 "), "malformed header");
    }

    /** Keep-alive: curl reuses one connection for several URLs. */
    @Test
    void keepAlive() throws Exception {
        String out = curl("-v", base + "/", base + "/json");
        assertTrue(out.contains("Re-using existing connection") || out.contains("Reusing existing"), out);
    }

    /** Pipelining: three requests in one write get three responses, in order. */
    @Test
    void pipelining() throws Exception {
        String res = rawHttp("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /json HTTP/1.1\r\nHost: x\r\n\r\n"
                + "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        int a = res.indexOf("HTTP/1.1 200");
        int b = res.indexOf("HTTP/1.1 200", a + 1);
        int c = res.indexOf("HTTP/1.1 404", b + 1);
        assertTrue(a == 0 && b > a && c > b, res);
        assertTrue(res.indexOf("Hello, World!") < res.indexOf("{\"message\""), res);
    }

    /** wrk for 2 s: many requests, no errors (skipped when wrk is not installed). */
    @Test
    void wrk() throws Exception {
        assumeTrue(installed("wrk"), "wrk is not installed: apt-get install -y wrk");
        Run r = run(List.of("wrk", "-d2s", "-c50", "-t2", base + "/"));
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("Requests/sec"), r.out());
        assertTrue(!r.out().contains("Non-2xx") && !r.out().contains("Socket errors"), r.out());
    }

    /** The echo demo echoes every byte, and answers a half-closed client before closing. */
    @Test
    void echoWithPlainSockets() throws Exception {
        byte[] sent = new byte[300_000];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) (i * 7);
        }
        try (Socket s = new Socket("127.0.0.1", echo.address().getPort())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write("ping\n".getBytes());
            assertArrayEquals("ping\n".getBytes(), in.readNBytes(5));
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(sent);
                    s.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            assertArrayEquals(sent, in.readAllBytes());
            writer.join();
        }
    }

    /** Starting a second server on a taken port fails with BindException naming the port. */
    @Test
    void portTaken() {
        BindException e = assertThrows(BindException.class,
                () -> HttpServer.start(rt, new InetSocketAddress("127.0.0.1", http.address().getPort())));
        assertTrue(e.getMessage().contains(String.valueOf(http.address().getPort())), e.getMessage());
    }

    /**
     * When the metrics side port is taken, the one line Main prints names the side port, not the
     * demo's port; a taken demo port is named the same way, and the side port is then not bound.
     */
    @Test
    void takenPortIsNamedInTheErrorLine() throws Exception {
        int taken = http.address().getPort();
        Main.Options sideTaken = new Main.Options("echo", "127.0.0.1", 0, 1, taken, dev.weft.core.Transport.AUTO);
        BindException e = assertThrows(BindException.class, () -> Main.start(rt, sideTaken));
        assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + taken + " (metrics side port"), e.getMessage());
        assertTrue(e.getMessage().endsWith(": Address already in use"), e.getMessage());

        int free;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            free = probe.getLocalPort();
        }
        Main.Options mainTaken = new Main.Options("echo", "127.0.0.1", taken, 1, free, dev.weft.core.Transport.AUTO);
        e = assertThrows(BindException.class, () -> Main.start(rt, mainTaken));
        assertTrue(e.getMessage().startsWith("cannot listen on 127.0.0.1:" + taken + ": "), e.getMessage());
        // The side port was never bound (the demo's port failed first): it is still free.
        try (java.net.ServerSocket again = new java.net.ServerSocket(free, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            assertEquals(free, again.getLocalPort());
        }
    }

    /** Command-line parsing: defaults and errors. */
    @Test
    void options() {
        Main.Options o = Main.Options.parse(new String[] {"echo"});
        assertEquals(new Main.Options("echo", "127.0.0.1", 7000, o.carriers(), Main.Options.DEFAULT_METRICS_PORT,
                dev.weft.core.Transport.AUTO), o);
        assertEquals(7001, o.sidePort());
        assertEquals(0, Main.Options.parse(new String[] {"echo", "--metrics-port", "0"}).sidePort());
        assertEquals(9100, Main.Options.parse(new String[] {"echo", "--metrics-port", "9100"}).sidePort());
        assertEquals(0, Main.Options.parse(new String[] {"echo", "--port", "0"}).sidePort());
        assertEquals(9000, Main.Options.parse(new String[] {"http", "--port", "9000"}).port());
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(new String[] {"ftp"}));
        assertThrows(IllegalArgumentException.class, () -> Main.Options.parse(new String[] {"http", "--port", "x"}));
        assertEquals(dev.weft.core.Transport.AUTO, Main.Options.parse(new String[] {"echo"}).transport());
        assertEquals(dev.weft.core.Transport.EPOLL, Main.Options.parse(new String[] {"echo", "--transport", "epoll"}).transport());
        assertEquals(dev.weft.core.Transport.IO_URING, Main.Options.parse(new String[] {"echo", "--transport", "io_uring"}).transport());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> Main.Options.parse(new String[] {"echo", "--transport", "rdma"}));
        assertTrue(bad.getMessage().contains("rdma"), bad.getMessage());
    }

    /** Sends raw bytes, returns everything the server sends until it closes. */
    static String rawHttp(String request) throws IOException {
        try (Socket s = new Socket("127.0.0.1", http.address().getPort())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            s.getInputStream().transferTo(b);
            return b.toString(StandardCharsets.ISO_8859_1);
        }
    }
}
