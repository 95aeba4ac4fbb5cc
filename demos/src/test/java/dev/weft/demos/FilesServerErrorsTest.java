package dev.weft.demos;

import dev.weft.core.WeftRuntime;
import dev.weft.demos.DemoTesting.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The {@code files} demo against paths the file system refuses (not a directory, a link loop, a
 * name too long) and names that need escaping in the listing's links, over plain sockets.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FilesServerErrorsTest {
    @TempDir
    static Path tmp;
    static WeftRuntime rt;
    static DemoServer server;

    @BeforeAll
    static void start() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        Files.writeString(root.resolve("hello.txt"), "Hello, files!\n");
        Files.createSymbolicLink(root.resolve("loop-a"), root.resolve("loop-b"));
        Files.createSymbolicLink(root.resolve("loop-b"), root.resolve("loop-a"));
        Files.writeString(root.resolve("100% #1?.txt"), "odd name\n");
        Files.createDirectories(root.resolve("a#b"));
        Files.writeString(root.resolve("a#b/in.txt"), "inside a#b\n");
        rt = WeftRuntime.builder().name("files-errors-test").carriers(1).closeTimeout(Duration.ofSeconds(5)).build();
        server = FilesServer.start(rt, new InetSocketAddress("127.0.0.1", 0), root);
    }

    @AfterAll
    static void stop() {
        DemoTesting.stop(rt, server);
    }

    /** Sends GET {@code rawPath} on {@code s} (keep-alive) and reads the answer. */
    static Response get(Socket s, String rawPath) throws IOException {
        s.getOutputStream().write(("GET " + rawPath + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        return DemoTesting.read(s.getInputStream(), "GET " + (rawPath.length() > 60 ? rawPath.substring(0, 60) + "..." : rawPath));
    }

    /**
     * A path the file system refuses to resolve (a file used as a directory: ENOTDIR; a symbolic
     * link loop: ELOOP; a name over NAME_MAX: ENAMETOOLONG) is answered with 404, and the
     * connection stays usable; it used to be closed with no answer at all.
     */
    @Test
    void pathsTheFileSystemRefusesAreAnswered() throws Exception {
        try (Socket s = DemoTesting.connect(server)) {
            for (String p : new String[] {"/hello.txt/more", "/loop-a", "/" + "n".repeat(300)}) {
                Response r = get(s, p);
                assertEquals(404, r.status(), r.headers() + r.body());
                Response after = get(s, "/hello.txt");
                assertEquals(200, after.status(), "the connection still serves after " + p);
                assertEquals("Hello, files!\n", after.body());
            }
        }
    }

    /** A request line or headers over the codec's limits get 414 and 431 (as from the http demo), not a plain 400. */
    @Test
    void overLongRequestLineAndHeadersAre414And431() throws Exception {
        Response line = DemoTesting.ask(server, "GET /" + "a".repeat(HttpServer.MAX_INITIAL_LINE + 100) + " HTTP/1.1\r\nHost: x\r\n\r\n",
                "a request line over " + HttpServer.MAX_INITIAL_LINE + " bytes");
        assertEquals(414, line.status(), line.headers() + line.body());
        Response headers = DemoTesting.ask(server, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(HttpServer.MAX_HEADERS + 100) + "\r\n\r\n",
                "headers over " + HttpServer.MAX_HEADERS + " bytes");
        assertEquals(431, headers.status(), headers.headers() + headers.body());
    }

    /**
     * A file found by the path but refused when opened is answered 403 and the connection stays
     * usable; it used to be closed with no answer. Not root: a file of mode 000. Root reads those,
     * so a write-only sysfs attribute ({@code /sys/bus/NAME/uevent}, which refuses readers even to root).
     */
    @Test
    void fileThatCannotBeOpenedIsAnswered() throws Exception {
        Path own = Files.createDirectories(tmp.resolve("unopenable"));
        Path file = Files.writeString(own.resolve("secret.txt"), "secret\n");
        Files.setPosixFilePermissions(file, java.util.Set.of());
        Path found = refusesReading(file) ? file : null;
        if (found == null) {
            try (var buses = Files.newDirectoryStream(Path.of("/sys/bus"))) {
                for (Path bus : buses) {
                    Path uevent = bus.resolve("uevent");
                    if (Files.isRegularFile(uevent) && refusesReading(uevent)) {
                        found = uevent;
                        break;
                    }
                }
            } catch (IOException e) {
                // no sysfs
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(found != null,
                "needs a regular file this process may not open: a file of mode 000 (not root) or a write-only sysfs attribute");
        DemoServer own1 = FilesServer.start(rt, new InetSocketAddress("127.0.0.1", 0), found.getParent());
        try (Socket s = DemoTesting.connect(own1)) {
            String name = "/" + found.getFileName();
            Response r = get(s, name);
            assertEquals(403, r.status(), r.headers() + r.body());
            Response after = get(s, "/");
            assertEquals(200, after.status(), "the connection still serves after " + name + " was refused");
        } finally {
            own1.close();
        }
    }

    /** A directory found by the path but refused when listed is answered 403, the connection kept (skipped as root). */
    @Test
    void directoryThatCannotBeListedIsAnswered() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("root/locked"));
        Files.setPosixFilePermissions(dir, java.util.Set.of());
        try {
            boolean refused;
            try (var d = Files.newDirectoryStream(dir)) {
                refused = false;
            } catch (java.nio.file.AccessDeniedException e) {
                refused = true;
            }
            org.junit.jupiter.api.Assumptions.assumeTrue(refused, "this process lists a directory of mode 000 (root)");
            try (Socket s = DemoTesting.connect(server)) {
                Response r = get(s, "/locked/");
                assertEquals(403, r.status(), r.headers() + r.body());
                Response after = get(s, "/hello.txt");
                assertEquals(200, after.status(), "the connection still serves after /locked/ was refused");
            }
        } finally {
            Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
    }

    private static boolean refusesReading(Path p) {
        try (var in = Files.newInputStream(p)) {
            return false;
        } catch (java.nio.file.AccessDeniedException e) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The directory listing's links are valid URI references that lead to the files, whatever their names. */
    @Test
    void listingLinksLeadToTheFiles() throws Exception {
        URI base = URI.create("http://127.0.0.1:" + server.address().getPort() + "/");
        try (Socket s = DemoTesting.connect(server)) {
            checkLink(s, base, "/", "100% #1?.txt", "odd name\n");
            checkLink(s, base, "/", "a#b", null);
            checkLink(s, base, "/a%23b/", "in.txt", "inside a#b\n");
        }
    }

    private static void checkLink(Socket s, URI base, String dir, String name, String content) throws IOException {
        Response listing = get(s, dir);
        assertEquals(200, listing.status(), listing.body());
        String text = ">" + name.replace("&", "&amp;") + "</a>";
        Matcher m = Pattern.compile("<a href=\"([^\"]*)\"" + Pattern.quote(text)).matcher(listing.body());
        assertTrue(m.find(), "no link for '" + name + "' in " + listing.body());
        String href = m.group(1).replace("&amp;", "&").replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">");
        URI target;
        try {
            target = base.resolve(new URI(href));
        } catch (java.net.URISyntaxException e) {
            throw new AssertionError("the link for '" + name + "' is not a valid URI reference: " + href, e);
        }
        assertEquals(null, target.getRawFragment(), "the link for '" + name + "' has a fragment: " + href);
        assertEquals(null, target.getRawQuery(), "the link for '" + name + "' has a query: " + href);
        if (content != null) {
            Response r = get(s, target.getRawPath());
            assertEquals(200, r.status(), "following " + href + ": " + r.body());
            assertEquals(content, r.body());
        }
    }

    /**
     * {@code files} with its metrics side port taken exits with status 1 and a line naming the side
     * port (as the echo and http demos do), not the files port.
     */
    @Test
    void takenSidePortIsNamed() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            String javaBin = ProcessHandle.current().info().command().orElseThrow();
            Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), "dev.weft.demos.Main",
                    "files", "--root", tmp.resolve("root").toString(), "--port", "0", "--metrics-port", String.valueOf(port),
                    "--carriers", "1").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("files did not exit within 30 s with its side port taken: " + out);
            }
            assertEquals(1, p.exitValue(), out);
            assertTrue(out.contains("weft-demos: cannot listen on 127.0.0.1:" + port + " (metrics side port"), out);
        }
    }
}
