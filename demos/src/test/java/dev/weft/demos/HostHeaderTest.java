package dev.weft.demos;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * RFC 9112 §3.2: an HTTP/1.1 request without a Host header, or any request with two, is answered
 * 400 by both HTTP demos (and the connection closed, as for other malformed requests); HTTP/1.0
 * needs none.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostHeaderTest {
    @TempDir
    static Path tmp;
    static WeftRuntime rt;
    static DemoServer http;
    static DemoServer files;

    @BeforeAll
    static void start() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        rt = WeftRuntime.builder().name("host-header-test").carriers(1).closeTimeout(Duration.ofSeconds(5)).build();
        http = HttpServer.start(rt, new InetSocketAddress("127.0.0.1", 0));
        files = FilesServer.start(rt, new InetSocketAddress("127.0.0.1", 0), root);
    }

    @AfterAll
    static void stop() {
        if (http != null) {
            http.close();
        }
        if (files != null) {
            files.close();
        }
        if (rt != null) {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    static FilesServerErrorsTest.Response ask(DemoServer server, String request, String what) throws Exception {
        try (Socket s = new Socket("127.0.0.1", server.address().getPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            return FilesServerErrorsTest.read(s.getInputStream(), what);
        }
    }

    @Test
    void http11WithoutHostIs400() throws Exception {
        for (DemoServer server : new DemoServer[] {http, files}) {
            String name = server == http ? "http" : "files";
            FilesServerErrorsTest.Response r = ask(server, "GET / HTTP/1.1\r\n\r\n", "an HTTP/1.1 GET without Host");
            assertEquals(400, r.status(), "an HTTP/1.1 request without Host on " + name + ": " + r.headers() + r.body());
            assertTrue(r.headers().toLowerCase().contains("connection: close"), r.headers());
        }
    }

    @Test
    void twoHostHeadersAre400() throws Exception {
        for (DemoServer server : new DemoServer[] {http, files}) {
            String name = server == http ? "http" : "files";
            FilesServerErrorsTest.Response r = ask(server, "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "a GET with two Host headers");
            assertEquals(400, r.status(), "two Host headers on " + name + ": " + r.headers() + r.body());
        }
    }

    @Test
    void http10WithoutHostIsServed() throws Exception {
        for (DemoServer server : new DemoServer[] {http, files}) {
            String name = server == http ? "http" : "files";
            FilesServerErrorsTest.Response r = ask(server, "GET / HTTP/1.0\r\n\r\n", "an HTTP/1.0 GET without Host");
            assertEquals(200, r.status(), "an HTTP/1.0 request without Host on " + name + ": " + r.headers() + r.body());
        }
    }
}
