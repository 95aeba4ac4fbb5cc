package dev.weft.demos;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

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
    static DemoTesting.BothDemos demos;
    static WeftRuntime rt;
    static DemoServer http;
    static DemoServer files;

    @BeforeAll
    static void start() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        demos = DemoTesting.BothDemos.start("host-header-test", root);
        rt = demos.rt();
        http = demos.http();
        files = demos.files();
    }

    @AfterAll
    static void stop() {
        demos.close();
    }

    /** Sends {@code request} to each demo on a new connection; {@code check} gets the demo's name and its answer. */
    private static void askBoth(String request, String what, BiConsumer<String, DemoTesting.Response> check) throws Exception {
        for (DemoServer server : new DemoServer[] {http, files}) {
            check.accept(server == http ? "http" : "files", DemoTesting.ask(server, request, what));
        }
    }

    @Test
    void http11WithoutHostIs400() throws Exception {
        askBoth("GET / HTTP/1.1\r\n\r\n", "an HTTP/1.1 GET without Host", (name, r) -> {
            assertEquals(400, r.status(), "an HTTP/1.1 request without Host on " + name + ": " + r.headers() + r.body());
            assertTrue(r.headers().toLowerCase().contains("connection: close"), r.headers());
        });
    }

    @Test
    void twoHostHeadersAre400() throws Exception {
        askBoth("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", "a GET with two Host headers", (name, r) ->
                assertEquals(400, r.status(), "two Host headers on " + name + ": " + r.headers() + r.body()));
    }

    @Test
    void http10WithoutHostIsServed() throws Exception {
        askBoth("GET / HTTP/1.0\r\n\r\n", "an HTTP/1.0 GET without Host", (name, r) ->
                assertEquals(200, r.status(), "an HTTP/1.0 request without Host on " + name + ": " + r.headers() + r.body()));
    }
}
