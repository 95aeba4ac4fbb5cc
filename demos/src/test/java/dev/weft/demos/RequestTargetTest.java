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

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Request targets: the absolute form ({@code GET http://host/path}, RFC 9112 §3.2.2, which a
 * server must accept) is routed by its path, and a file name followed by a slash is not the file.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RequestTargetTest {
    @TempDir
    static Path tmp;
    static DemoTesting.BothDemos demos;
    static WeftRuntime rt;
    static DemoServer http;
    static DemoServer files;

    @BeforeAll
    static void start() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(root.resolve("a.txt"), "A\n");
        Files.createDirectories(root.resolve("sub"));
        demos = DemoTesting.BothDemos.start("request-target-test", root);
        rt = demos.rt();
        http = demos.http();
        files = demos.files();
    }

    @AfterAll
    static void stop() {
        demos.close();
    }

    static DemoTesting.Response get(DemoServer server, String target) throws Exception {
        return DemoTesting.ask(server, "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", "GET " + target);
    }

    @Test
    void absoluteFormIsRoutedByItsPath() throws Exception {
        DemoTesting.Response r = get(http, "http://x/json");
        assertEquals(200, r.status(), r.headers() + r.body());
        assertEquals("{\"message\":\"Hello, World!\"}", r.body());
        r = get(http, "HTTP://127.0.0.1:8080/json?x=1");
        assertEquals(200, r.status(), r.headers() + r.body());
        r = get(http, "http://x");
        assertEquals(200, r.status(), r.headers() + r.body());
        assertEquals("Hello, World!", r.body());
        assertEquals(404, get(http, "http://x/nope").status());

        r = get(files, "http://x/a.txt");
        assertEquals(200, r.status(), r.headers() + r.body());
        assertEquals("A\n", r.body());
        r = get(files, "http://x:80/sub/?q");
        assertEquals(200, r.status(), r.headers() + r.body());
    }

    @Test
    void fileNameWithATrailingSlashIsNotFound() throws Exception {
        assertEquals(404, get(files, "/a.txt/").status());
        assertEquals(404, get(files, "/a.txt/.").status());
        assertEquals(200, get(files, "/a.txt").status());
        assertEquals(200, get(files, "/sub/").status());
        assertEquals(200, get(files, "/sub").status());
    }
}
