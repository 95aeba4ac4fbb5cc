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
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
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
        if (server != null) {
            server.close();
        }
        if (rt != null) {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    record Response(int status, String headers, String body) {}

    /** Reads one response (Content-Length framed) from {@code in}, failing clearly if the server closes or stalls first. */
    static Response read(InputStream in, String what) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        try {
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    fail("the server closed the connection without answering " + what + " (got: '" + head + "')");
                }
                head.write(b);
            }
            String headers = head.toString(StandardCharsets.ISO_8859_1);
            Matcher m = Pattern.compile("(?i)content-length: (\\d+)").matcher(headers);
            assertTrue(m.find(), "no Content-Length in the answer to " + what + ": " + headers);
            byte[] body = in.readNBytes(Integer.parseInt(m.group(1)));
            return new Response(Integer.parseInt(headers.substring(9, 12)), headers, new String(body, StandardCharsets.UTF_8));
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no answer to " + what + " within 10 s (got: '" + head + "')", e);
        }
    }

    /** Sends GET {@code rawPath} on {@code s} (keep-alive) and reads the answer. */
    static Response get(Socket s, String rawPath) throws IOException {
        s.getOutputStream().write(("GET " + rawPath + " HTTP/1.1\r\nHost: x\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        return read(s.getInputStream(), "GET " + (rawPath.length() > 60 ? rawPath.substring(0, 60) + "..." : rawPath));
    }

    static Socket connect() throws IOException {
        Socket s = new Socket("127.0.0.1", server.address().getPort());
        s.setSoTimeout(10_000);
        return s;
    }

    /**
     * A path the file system refuses to resolve (a file used as a directory: ENOTDIR; a symbolic
     * link loop: ELOOP; a name over NAME_MAX: ENAMETOOLONG) is answered with 404, and the
     * connection stays usable; it used to be closed with no answer at all.
     */
    @Test
    void pathsTheFileSystemRefusesAreAnswered() throws Exception {
        try (Socket s = connect()) {
            for (String p : new String[] {"/hello.txt/more", "/loop-a", "/" + "n".repeat(300)}) {
                Response r = get(s, p);
                assertEquals(404, r.status(), r.headers() + r.body());
                Response after = get(s, "/hello.txt");
                assertEquals(200, after.status(), "the connection still serves after " + p);
                assertEquals("Hello, files!\n", after.body());
            }
        }
    }

    /** The directory listing's links are valid URI references that lead to the files, whatever their names. */
    @Test
    void listingLinksLeadToTheFiles() throws Exception {
        URI base = URI.create("http://127.0.0.1:" + server.address().getPort() + "/");
        try (Socket s = connect()) {
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
