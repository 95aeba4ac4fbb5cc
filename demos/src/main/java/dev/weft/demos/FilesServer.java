package dev.weft.demos;

import dev.weft.core.WeftRuntime;
import dev.weft.fs.DirStream;
import dev.weft.fs.FileHandle;
import dev.weft.fs.Fs;
import dev.weft.net.MessageStream;
import dev.weft.net.TcpListener;
import dev.weft.net.TcpStream;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code files --root DIR [--port N] [--host H] [--carriers N]}: serves a directory over HTTP/1.1
 * with the {@code fs} module, so no file system call runs on a carrier.
 *
 * <table>
 *   <caption>Behaviour</caption>
 *   <tr><td>{@code GET} / {@code HEAD} of a file</td><td>200 with Content-Length and a type by extension</td></tr>
 *   <tr><td>{@code Range: bytes=a-b}, {@code a-}, {@code -n}</td><td>206 with Content-Range (one range; a list of ranges is ignored: 200)</td></tr>
 *   <tr><td>range starting past the end</td><td>416 with {@code Content-Range: bytes *&#47;size}</td></tr>
 *   <tr><td>a directory</td><td>200 with an HTML listing (streamed from {@link Fs#list})</td></tr>
 *   <tr><td>nothing there; a file named with a trailing slash ({@code /a.txt/})</td><td>404</td></tr>
 *   <tr><td>{@code ..} in the path, or a symbolic link that leads outside the root</td><td>403</td></tr>
 *   <tr><td>a file or directory that cannot be opened or listed once found</td><td>404 if it has gone, 403 if access is denied, else 500 (the connection stays open)</td></tr>
 *   <tr><td>other methods</td><td>405 with {@code Allow: GET, HEAD}</td></tr>
 *   <tr><td>malformed request; an HTTP/1.1 request without a Host header, or any with two (RFC 9112 §3.2)</td><td>400, then close</td></tr>
 *   <tr><td>request line over 4 KiB</td><td>414, then close</td></tr>
 *   <tr><td>headers over 8 KiB</td><td>431, then close</td></tr>
 *   <tr><td>an absolute-form target ({@code GET http://host/a.txt}, RFC 9112 §3.2.2)</td><td>served by its path, as {@code GET /a.txt}</td></tr>
 *   <tr><td>a client that sends nothing, or takes nothing, for {@link HttpServer#IO_TIMEOUT}</td><td>close; 408 with {@code Connection: close} first if a request's head was cut short</td></tr>
 *   <tr><td>a response begun after the server began closing (draining)</td><td>{@code Connection: close}, then close</td></tr>
 * </table>
 * A close after an answer is a lingering one, as in the {@code http} demo ({@link HttpServer}).
 * The body is read in chunks with {@link FileHandle#readAt} and written through the connection's
 * {@link MessageStream}, which parks while the client is slow (a copy loop; no zero-copy).
 *
 * <p>Example (the demo tests start it this way, on port 0, and talk to it with {@code curl}):
 * {@snippet :
 * try (WeftRuntime rt = WeftRuntime.builder().build();
 *      DemoServer server = FilesServer.start(rt, new InetSocketAddress("127.0.0.1", 0), Path.of("/srv/www"))) {
 *     System.out.println("files on " + server.address());
 *     // ... serve until done; closing stops accepting and ends the connections
 * }
 * }
 */
public final class FilesServer {
    static final int CHUNK = 64 * 1024;
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("txt", "text/plain; charset=utf-8"), Map.entry("html", "text/html; charset=utf-8"),
            Map.entry("htm", "text/html; charset=utf-8"), Map.entry("css", "text/css"),
            Map.entry("js", "text/javascript"), Map.entry("json", "application/json"),
            Map.entry("png", "image/png"), Map.entry("jpg", "image/jpeg"), Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"), Map.entry("svg", "image/svg+xml"), Map.entry("pdf", "application/pdf"),
            Map.entry("md", "text/markdown; charset=utf-8"));

    private FilesServer() {}

    /**
     * Binds and starts serving {@code root} (its real path: symbolic links in it are resolved once).
     *
     * @throws NoSuchFileException   if {@code root} does not exist
     * @throws NotDirectoryException if it is not a directory
     * @throws BindException         if the address is taken
     */
    public static DemoServer start(WeftRuntime rt, InetSocketAddress address, Path root) throws Exception {
        return start(rt, address, root, HttpServer.IO_TIMEOUT);
    }

    /** As above, closing a connection whose client sends nothing (or takes nothing) for {@code ioTimeout}. */
    static DemoServer start(WeftRuntime rt, InetSocketAddress address, Path root, Duration ioTimeout) throws Exception {
        Path real = rt.run(() -> {
            Path r = Fs.canonicalize(root);
            if (!Fs.metadata(r).isDirectory()) {
                throw new NotDirectoryException(r.toString());
            }
            return r;
        });
        TcpListener listener = TcpListener.bind(rt, address);
        return new Connections(rt, listener, "files", (stream, conn) -> serve(real, stream, conn, ioTimeout));
    }

    private static void serve(Path root, TcpStream stream, Connections.Conn conn, Duration ioTimeout) throws IOException {
        HttpResponses.HeadWatch[] watch = new HttpResponses.HeadWatch[1];
        try (MessageStream<HttpObject> http = stream.messages(HttpObject.class, p -> watch[0] = HttpResponses.watchHeads(p,
                HttpServer.MAX_INITIAL_LINE, HttpServer.MAX_HEADERS, 8192))) {
            http.setReadTimeout(ioTimeout);
            http.setWriteTimeout(ioTimeout);
            while (true) {
                HttpObject msg = HttpResponses.nextMessage(http, conn, watch[0]);
                if (msg == null) {
                    return;
                }
                if (!(msg instanceof HttpRequest req)) {
                    ReferenceCountUtil.release(msg);   // request bodies are ignored
                    continue;
                }
                boolean keep;
                try {
                    keep = exchange(root, http, req, conn);
                } finally {
                    ReferenceCountUtil.release(req);
                }
                if (!keep) {
                    HttpResponses.lingeringClose(http, conn);
                    return;
                }
            }
        }
    }

    /** Answers one request; returns whether the connection stays open. */
    private static boolean exchange(Path root, MessageStream<HttpObject> http, HttpRequest req, Connections.Conn conn)
            throws IOException {
        if (req.decoderResult().isFailure()) {
            HttpResponseStatus status = HttpResponses.decodeFailureStatus(req.decoderResult().cause());
            http.send(HttpResponses.plain(req, status, status.reasonPhrase(), false));
            return false;
        }
        String hostProblem = HttpResponses.hostProblem(req);
        if (hostProblem != null) {
            http.send(HttpResponses.plain(req, HttpResponseStatus.BAD_REQUEST, hostProblem, false));
            return false;
        }
        HttpMethod method = req.method();
        if (!method.equals(HttpMethod.GET) && !method.equals(HttpMethod.HEAD)) {
            boolean keepAlive = HttpResponses.keepAlive(req, conn);
            var r = HttpResponses.plain(req, HttpResponseStatus.METHOD_NOT_ALLOWED, "method " + method + " not allowed", keepAlive);
            r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            http.send(r);
            return keepAlive;
        }
        String uriPath;
        try {
            uriPath = new QueryStringDecoder(HttpResponses.originForm(req.uri())).path();
        } catch (IllegalArgumentException e) {
            boolean keepAlive = HttpResponses.keepAlive(req, conn);
            http.send(HttpResponses.plain(req, HttpResponseStatus.BAD_REQUEST, "bad path", keepAlive));
            return keepAlive;
        }
        Resolved target = resolve(root, uriPath);
        if (target instanceof Resolved.Found(Path file, BasicFileAttributes attrs) && attrs.isRegularFile()) {
            return sendFile(http, req, file, uriPath, conn);
        }
        byte[] page = null;
        IOException failed = null;
        if (target instanceof Resolved.Found(Path file, BasicFileAttributes attrs) && attrs.isDirectory()) {
            try {
                page = listing(root, file, uriPath);
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                failed = e;
            }
        }
        // Decided now, with the answer ready: the server may have begun draining since the request came.
        boolean keepAlive = HttpResponses.keepAlive(req, conn);
        http.send(switch (target) {
            case Resolved.Forbidden f -> HttpResponses.plain(req, HttpResponseStatus.FORBIDDEN, "forbidden: " + f.why(), keepAlive);
            case Resolved.Missing m -> HttpResponses.plain(req, HttpResponseStatus.NOT_FOUND, "not found: " + uriPath, keepAlive);
            case Resolved.Found found -> !found.attrs().isDirectory()
                    ? HttpResponses.plain(req, HttpResponseStatus.FORBIDDEN, "forbidden: not a regular file", keepAlive)
                    : failed != null ? fileError(req, failed, uriPath, keepAlive)
                    : HttpResponses.response(req, HttpResponseStatus.OK, page, "text/html; charset=utf-8", keepAlive);
        });
        return keepAlive;
    }

    /** Where a request path leads. */
    sealed interface Resolved {
        record Found(Path file, BasicFileAttributes attrs) implements Resolved {}

        record Missing() implements Resolved {}

        record Forbidden(String why) implements Resolved {}
    }

    /**
     * Maps a decoded URI path to a file under {@code root}: {@code ..} segments are refused before
     * touching the disk, then the real path (symbolic links resolved) must still be under the root.
     */
    static Resolved resolve(Path root, String uriPath) throws IOException {
        if (uriPath.indexOf('\0') >= 0 || uriPath.indexOf('\\') >= 0) {
            return new Resolved.Forbidden("bad character in path");
        }
        List<String> parts = new ArrayList<>();
        for (String seg : uriPath.split("/")) {
            if (seg.equals("..")) {
                return new Resolved.Forbidden("'..' in path");
            }
            if (!seg.isEmpty() && !seg.equals(".")) {
                parts.add(seg);
            }
        }
        Path p = root;
        for (String seg : parts) {
            p = p.resolve(seg);
        }
        if (!p.normalize().startsWith(root)) {
            return new Resolved.Forbidden("outside the root");
        }
        Path real;
        try {
            real = Fs.canonicalize(p);
        } catch (NoSuchFileException e) {
            return new Resolved.Missing();
        } catch (AccessDeniedException e) {
            return new Resolved.Forbidden("access denied");
        } catch (FileSystemException e) {   // ENOTDIR (a file used as a directory), ELOOP, ENAMETOOLONG: nothing to serve
            return new Resolved.Missing();
        }
        if (!real.startsWith(root)) {
            return new Resolved.Forbidden("symbolic link leads outside the root");
        }
        try {
            BasicFileAttributes attrs = Fs.metadata(real);
            if (!attrs.isDirectory() && (uriPath.endsWith("/") || uriPath.endsWith("/."))) {
                return new Resolved.Missing();   // a file named as a directory ("/a.txt/"): not the file, as open(2) says (ENOTDIR)
            }
            return new Resolved.Found(real, attrs);
        } catch (NoSuchFileException e) {
            return new Resolved.Missing();
        } catch (AccessDeniedException e) {
            return new Resolved.Forbidden("access denied");
        } catch (FileSystemException e) {   // ENOTDIR (a file used as a directory), ELOOP, ENAMETOOLONG: nothing to serve
            return new Resolved.Missing();
        }
    }

    /** A byte range {@code [first, last]} of a file, inclusive as in Content-Range. */
    record Range(long first, long last) {
        long length() {
            return last - first + 1;
        }
    }

    /** The outcome of a Range header: no range (send it all), one satisfiable range, or unsatisfiable. */
    sealed interface RangeRequest {
        record Whole() implements RangeRequest {}

        record Part(Range range) implements RangeRequest {}

        record Unsatisfiable() implements RangeRequest {}
    }

    /**
     * Parses one {@code bytes=} range against {@code size} (RFC 9110 §14). Malformed headers and
     * lists of ranges are ignored (the whole file is sent), as the RFC allows.
     */
    static RangeRequest parseRange(String header, long size) {
        if (header == null) {
            return new RangeRequest.Whole();
        }
        String h = header.trim();
        if (!h.regionMatches(true, 0, "bytes=", 0, 6) || h.indexOf(',') >= 0) {
            return new RangeRequest.Whole();
        }
        String spec = h.substring(6).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return new RangeRequest.Whole();
        }
        try {
            String a = spec.substring(0, dash).trim();
            String b = spec.substring(dash + 1).trim();
            if (a.isEmpty()) {                          // suffix: the last n bytes
                if (b.isEmpty()) {
                    return new RangeRequest.Whole();
                }
                long n = Long.parseLong(b);
                if (n < 0) {
                    return new RangeRequest.Whole();
                }
                if (n == 0 || size == 0) {
                    return new RangeRequest.Unsatisfiable();
                }
                return new RangeRequest.Part(new Range(Math.max(0, size - n), size - 1));
            }
            long first = Long.parseLong(a);
            long last = b.isEmpty() ? size - 1 : Long.parseLong(b);
            if (first < 0 || (!b.isEmpty() && last < first)) {
                return new RangeRequest.Whole();    // invalid: ignored
            }
            if (first >= size) {
                return new RangeRequest.Unsatisfiable();
            }
            return new RangeRequest.Part(new Range(first, Math.min(last, size - 1)));
        } catch (NumberFormatException e) {
            return new RangeRequest.Whole();
        }
    }

    /**
     * The answer to a file system failure after the path resolved (the file went away, or cannot be
     * opened or listed): 404 if it no longer exists, 403 if access is denied, else 500.
     */
    private static HttpResponse fileError(HttpRequest req, IOException e, String uriPath, boolean keepAlive) {
        if (e instanceof NoSuchFileException) {
            return HttpResponses.plain(req, HttpResponseStatus.NOT_FOUND, "not found: " + uriPath, keepAlive);
        }
        if (e instanceof AccessDeniedException) {
            return HttpResponses.plain(req, HttpResponseStatus.FORBIDDEN, "forbidden: access denied", keepAlive);
        }
        return HttpResponses.plain(req, HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot read " + uriPath, keepAlive);   // not e: it names the real path
    }

    /** Answers a file system failure ({@link #fileError}); returns whether the connection stays open. */
    private static boolean answerFileError(MessageStream<HttpObject> http, HttpRequest req, IOException e, String uriPath,
                                           Connections.Conn conn) throws IOException {
        boolean keepAlive = HttpResponses.keepAlive(req, conn);
        http.send(fileError(req, e, uriPath, keepAlive));
        return keepAlive;
    }

    private static boolean sendFile(MessageStream<HttpObject> http, HttpRequest req, Path file, String uriPath,
                                    Connections.Conn conn) throws IOException {
        FileHandle opened;
        long size;
        try {
            opened = FileHandle.open(file);
        } catch (InterruptedIOException e) {
            throw e;
        } catch (IOException e) {
            return answerFileError(http, req, e, uriPath, conn);
        }
        try (FileHandle f = opened) {
            try {
                size = f.size();
            } catch (InterruptedIOException e) {
                throw e;
            } catch (IOException e) {
                return answerFileError(http, req, e, uriPath, conn);
            }
            // Decided when the head is written (the body that follows cannot change it).
            boolean keepAlive = HttpResponses.keepAlive(req, conn);
            RangeRequest rr = parseRange(req.headers().get(HttpHeaderNames.RANGE), size);
            if (rr instanceof RangeRequest.Unsatisfiable) {
                var r = HttpResponses.plain(req, HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE,
                        "range not satisfiable (size " + size + ")", keepAlive);
                r.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes */" + size);
                http.send(r);
                return keepAlive;
            }
            long first = 0;
            long length = size;
            HttpResponse res;
            if (rr instanceof RangeRequest.Part(Range range)) {
                first = range.first();
                length = range.length();
                res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.PARTIAL_CONTENT);
                res.headers().set(HttpHeaderNames.CONTENT_RANGE, "bytes " + range.first() + "-" + range.last() + "/" + size);
            } else {
                res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            }
            res.headers().set(HttpHeaderNames.CONTENT_TYPE, type(file));
            res.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
            res.headers().set(HttpHeaderNames.ACCEPT_RANGES, "bytes");
            HttpResponses.connection(req, res.headers(), keepAlive);
            http.write(res);
            if (req.method().equals(HttpMethod.HEAD)) {
                http.send(LastHttpContent.EMPTY_LAST_CONTENT);
                return keepAlive;
            }
            long sent = 0;
            while (sent < length) {
                byte[] chunk = new byte[(int) Math.min(CHUNK, length - sent)];   // the channel owns it once written
                int n = f.readAt(first + sent, chunk, 0, chunk.length);
                if (n < 0) {
                    break;   // the file shrank: the client sees a short body and the connection closes
                }
                // send = write + flush: parks while the client is slow (an unflushed write would never drain)
                http.send(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk, 0, n)));
                sent += n;
            }
            http.send(LastHttpContent.EMPTY_LAST_CONTENT);
            return keepAlive && sent == length;
        }
    }

    private static String type(Path file) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(ext, "application/octet-stream");
    }

    private static byte[] listing(Path root, Path dir, String uriPath) throws IOException {
        List<String> names = new ArrayList<>();
        try (DirStream entries = Fs.list(dir)) {
            Path p;
            while ((p = entries.nextEntry()) != null) {   // not the iterator: its failures are unchecked
                names.add(p.getFileName().toString());
                if (names.size() >= 10_000) {
                    break;   // a demo: cap the page
                }
            }
        }
        Collections.sort(names);
        String base = uriPath.endsWith("/") ? uriPath : uriPath + "/";
        StringBuilder href = new StringBuilder();   // the base path, each segment percent-encoded again
        for (String seg : base.split("/")) {
            if (!seg.isEmpty()) {
                href.append('/').append(encodeSegment(seg));
            }
        }
        href.append('/');
        StringBuilder sb = new StringBuilder("<!doctype html><title>").append(escape(base)).append("</title><ul>\n");
        for (String n : names) {
            sb.append("<li><a href=\"").append(escape(href + encodeSegment(n))).append("\">").append(escape(n)).append("</a>\n");
        }
        return sb.append("</ul>\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A path segment percent-encoded (UTF-8), so that '%', '#', '?', spaces and the like in a name stay part of the path. */
    private static String encodeSegment(String segment) {
        return java.net.URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static int number(String option, String v, int min, int max) {
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " needs a number, was '" + v + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(option + " must be in " + min + ".." + max + ", was " + v);
        }
        return n;
    }

    /**
     * {@code java -jar weft-demos.jar files --root DIR [--port N] [--host H] [--carriers N] [--metrics-port N]}:
     * {@code GET /metrics} and {@code GET /debug/tasks} on a side port ({@code --port} + 1 by
     * default, 0 for none), as the echo demo.
     */
    public static void main(String[] args) throws InterruptedException {
        Path root = null;
        String host = "127.0.0.1";
        int port = 8000;
        int carriers = Runtime.getRuntime().availableProcessors();
        int metricsPort = -1;
        try {
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + a);
                }
                String v = args[++i];
                switch (a) {
                    case "--root" -> root = Path.of(v);
                    case "--port" -> port = number(a, v, 0, 65535);
                    case "--host" -> host = v;
                    case "--carriers" -> carriers = number(a, v, 1, 1024);
                    case "--metrics-port" -> metricsPort = number(a, v, 0, 65535);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            if (root == null) {
                throw new IllegalArgumentException("files needs --root DIR");
            }
        } catch (IllegalArgumentException e) {
            System.err.println("weft-demos: " + e.getMessage());
            System.err.println("usage: java -jar weft-demos.jar files --root DIR [--port N] [--host H] [--carriers N] [--metrics-port N]");
            System.exit(2);
            return;
        }
        WeftRuntime rt = WeftRuntime.builder().name("weft-files").carriers(carriers)
                .closeTimeout(Duration.ofSeconds(5)).build();
        int sidePort = metricsPort >= 0 ? metricsPort : port == 0 || port == 65535 ? 0 : port + 1;
        DemoServer server;
        DemoServer files = null;
        try {
            InetSocketAddress at = new InetSocketAddress(host, port);
            Path dir = root;
            files = Main.bound(at, "", () -> start(rt, at, dir));
            DemoServer main = files;
            InetSocketAddress side = new InetSocketAddress(host, sidePort);
            server = sidePort == 0 ? files : Main.bound(side, " (metrics side port; --metrics-port N or 0 for none)",
                    () -> EchoServer.withSidePort(rt, main, side));
        } catch (BindException e) {
            System.err.println("weft-demos: " + e.getMessage());   // Main.bound's line, naming the files port or the side port
            rt.shutdown(Duration.ofSeconds(1));
            System.exit(1);
            return;
        } catch (Exception e) {
            System.err.println("weft-demos: cannot serve " + root + ": " + e);
            rt.shutdown(Duration.ofSeconds(1));
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            System.err.println("files server stopped: " + rt.shutdown(Duration.ofSeconds(5)));
        }, "weft-demos-shutdown"));
        InetSocketAddress a = server.address();
        System.out.println("files server listening on " + a.getHostString() + ":" + a.getPort() + " serving " + root
                + " (" + rt.transport() + ", " + rt.carriers() + " carriers, " + rt.schedulerMode() + " scheduler, fs "
                + Fs.backend() + ")");
        InetSocketAddress m = server.metricsAddress();
        if (m != null) {
            System.out.println("metrics: http://" + m.getHostString() + ":" + m.getPort() + "/metrics, tasks: /debug/tasks");
        }
        server.awaitStopped();
    }
}
