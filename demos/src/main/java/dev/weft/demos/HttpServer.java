package dev.weft.demos;

import dev.weft.core.WeftRuntime;
import dev.weft.core.sync.ReceiveResult;
import dev.weft.net.MessageStream;
import dev.weft.net.TcpListener;
import dev.weft.net.TcpStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code http}: HTTP/1.1 with keep-alive and pipelining, on Netty's HTTP codec read and written
 * in blocking style through a {@link MessageStream} (one task per connection, no hand-written
 * parser).
 *
 * <table>
 *   <caption>Routes and errors</caption>
 *   <tr><td>{@code GET /}</td><td>200 {@code text/plain} "Hello, World!"</td></tr>
 *   <tr><td>{@code GET /json}</td><td>200 {@code application/json} {@code {"message":"Hello, World!"}}</td></tr>
 *   <tr><td>{@code POST /echo}</td><td>200 with the request body (Content-Length or chunked)</td></tr>
 *   <tr><td>{@code GET /metrics}</td><td>200, the runtime's meters in the Prometheus text format</td></tr>
 *   <tr><td>{@code GET /debug/tasks}</td><td>200 {@code application/json}, the live tasks as a tree of their structured scopes (id, name, thread state, age, time since last run, top frame; see {@code Observability.tasksJson})</td></tr>
 *   <tr><td>other path</td><td>404</td></tr>
 *   <tr><td>other method on a known path</td><td>405 with {@code Allow}</td></tr>
 *   <tr><td>malformed request; an HTTP/1.1 request without a Host header, or any with two (RFC 9112 §3.2)</td><td>400, then close</td></tr>
 *   <tr><td>request line over 4 KiB</td><td>414, then close</td></tr>
 *   <tr><td>headers over 8 KiB</td><td>431, then close</td></tr>
 *   <tr><td>body over 1 MiB</td><td>413, then close</td></tr>
 *   <tr><td>an absolute-form target ({@code GET http://host/json}, RFC 9112 §3.2.2)</td><td>routed by its path, as {@code GET /json}</td></tr>
 *   <tr><td>nothing received for {@link #IO_TIMEOUT} (idle between requests, or a request cut short)</td><td>close; 408 with {@code Connection: close} first if part of a request (its head or its body) was received</td></tr>
 *   <tr><td>a response finished after the server began closing (draining)</td><td>{@code Connection: close}, then close</td></tr>
 *   <tr><td>a response not taken by the client for {@link #IO_TIMEOUT}</td><td>close</td></tr>
 * </table>
 * {@code HEAD} is served wherever {@code GET} is. Responses to pipelined requests are written
 * without a flush while more requests are already decoded, and flushed with the last one, or
 * before the server waits for a request body that has not arrived yet (a client may hold it back
 * until it has its earlier answers). A pipelined request already decoded when the server is closed
 * is still answered (with {@code Connection: close}). Wherever an answer is followed by a close,
 * the server shuts its output down and reads and drops what the client still sends (the rest of
 * a body over the limit) until the client closes, for a few seconds at most: closing with input
 * unread would reset the connection, and a client still sending could lose the answer.
 *
 * <p>Example (the demo tests start it this way, on port 0, and talk to it with {@code curl} and {@code wrk}):
 * {@snippet :
 * try (WeftRuntime rt = WeftRuntime.builder().build();
 *      DemoServer server = HttpServer.start(rt, new InetSocketAddress("127.0.0.1", 0))) {
 *     System.out.println("http on " + server.address());
 *     // ... serve until done; closing stops accepting and ends the connections
 * }
 * }
 */
public final class HttpServer {
    static final int MAX_INITIAL_LINE = 4096;
    static final int MAX_HEADERS = 8192;
    static final int MAX_BODY = 1 << 20;
    /** The longest a connection waits for the client to send (or to take what is sent) before it is closed. */
    static final Duration IO_TIMEOUT = Duration.ofSeconds(30);

    private static final byte[] HELLO = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] JSON = "{\"message\":\"Hello, World!\"}".getBytes(StandardCharsets.US_ASCII);

    private HttpServer() {}

    /**
     * Binds and starts serving.
     *
     * @throws java.net.BindException if the address is taken
     */
    public static DemoServer start(WeftRuntime rt, InetSocketAddress address) throws IOException {
        return start(rt, address, Observability.of(rt), true);
    }

    /**
     * Binds and serves the demo routes ({@code demoRoutes}) or only {@code /metrics} and
     * {@code /debug/tasks} (the metrics side port of another demo), from {@code obs}.
     *
     * @throws java.net.BindException if the address is taken
     */
    static DemoServer start(WeftRuntime rt, InetSocketAddress address, Observability obs, boolean demoRoutes) throws IOException {
        return start(rt, address, obs, demoRoutes, IO_TIMEOUT);
    }

    /** As above, closing a connection whose client sends nothing (or takes nothing) for {@code ioTimeout}. */
    static DemoServer start(WeftRuntime rt, InetSocketAddress address, Observability obs, boolean demoRoutes,
                            Duration ioTimeout) throws IOException {
        TcpListener listener = TcpListener.bind(rt, address);
        Connections c = new Connections(rt, listener, demoRoutes ? "http" : "metrics",
                (stream, conn) -> serve(stream, conn, obs, demoRoutes, ioTimeout));
        c.servesMetrics = true;
        return c;
    }

    private static void serve(TcpStream stream, Connections.Conn conn, Observability obs, boolean demoRoutes,
                              Duration ioTimeout) throws IOException {
        HttpResponses.HeadWatch[] watch = new HttpResponses.HeadWatch[1];
        try (MessageStream<HttpObject> http = stream.messages(HttpObject.class,
                p -> watch[0] = HttpResponses.watchHeads(p, MAX_INITIAL_LINE, MAX_HEADERS, 8192))) {
            http.setReadTimeout(ioTimeout);
            http.setWriteTimeout(ioTimeout);
            while (true) {
                HttpObject msg = HttpResponses.nextMessage(http, conn, watch[0]);
                if (msg == null) {
                    return;
                }
                if (!(msg instanceof HttpRequest req)) {
                    ReferenceCountUtil.release(msg);   // content after a request we answered with an error
                    continue;
                }
                if (!exchange(http, req, conn, obs, demoRoutes)) {
                    HttpResponses.lingeringClose(http, conn);
                    return;
                }
            }
        }
    }

    /** Handles one request (its body included); returns whether the connection stays open. */
    private static boolean exchange(MessageStream<HttpObject> http, HttpRequest req, Connections.Conn conn,
                                    Observability obs, boolean demoRoutes) throws IOException {
        try {
            DecoderResult dr = req.decoderResult();
            if (dr.isFailure()) {
                HttpResponseStatus status = HttpResponses.decodeFailureStatus(dr.cause());
                http.send(plain(req, status, status.reasonPhrase(), false));
                return false;
            }
            String hostProblem = HttpResponses.hostProblem(req);
            if (hostProblem != null) {
                http.send(plain(req, HttpResponseStatus.BAD_REQUEST, hostProblem, false));
                return false;
            }
            long declared = HttpUtil.getContentLength(req, -1L);
            if (declared > MAX_BODY) {
                http.send(plain(req, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body over " + MAX_BODY + " bytes", false));
                return false;
            }
            if (HttpUtil.is100ContinueExpected(req)) {
                http.send(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
            }
            String path = HttpResponses.originForm(req.uri());
            int q = path.indexOf('?');
            if (q >= 0) {
                path = path.substring(0, q);
            }
            if (!demoRoutes && !path.equals("/metrics") && !path.equals("/debug/tasks")) {
                path = "";   // the metrics side port serves nothing else: 404
            }
            boolean echo = path.equals("/echo");
            ByteArrayOutputStream body = echo ? new ByteArrayOutputStream() : null;
            // The body: the codec gives HttpContent pieces, the last one a LastHttpContent.
            if (!(req instanceof LastHttpContent)) {
                long size = 0;
                while (true) {
                    HttpObject part;
                    ReceiveResult<HttpObject> next;
                    if (http.available() == 0) {
                        http.flush();   // answers to earlier pipelined requests: the client may wait for them before sending this body
                    }
                    try {
                        next = http.receive();
                    } catch (SocketTimeoutException e) {
                        http.send(plain(req, HttpResponseStatus.REQUEST_TIMEOUT, "request body not received in time", false));
                        return false;
                    }
                    if (next instanceof ReceiveResult.Value<HttpObject>(var m)) {
                        part = m;
                    } else {
                        return false;   // the peer went away mid-body
                    }
                    try {
                        if (part.decoderResult().isFailure() || !(part instanceof HttpContent content)) {
                            http.send(plain(req, HttpResponseStatus.BAD_REQUEST, "malformed body", false));
                            return false;
                        }
                        ByteBuf b = content.content();
                        size += b.readableBytes();
                        if (size > MAX_BODY) {
                            http.send(plain(req, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "body over " + MAX_BODY + " bytes", false));
                            return false;
                        }
                        if (body != null) {
                            b.getBytes(b.readerIndex(), body, b.readableBytes());
                        }
                        if (content instanceof LastHttpContent) {
                            break;
                        }
                    } finally {
                        ReferenceCountUtil.release(part);
                    }
                }
            }
            HttpMethod method = req.method();
            boolean get = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
            boolean keepAlive = HttpResponses.keepAlive(req, conn);   // now, not on arrival: the server may have begun draining
            FullHttpResponse res = switch (path) {
                case "/" -> get ? ok(req, HELLO, "text/plain; charset=utf-8", keepAlive) : notAllowed(req, "GET, HEAD", keepAlive);
                case "/json" -> get ? ok(req, JSON, "application/json", keepAlive) : notAllowed(req, "GET, HEAD", keepAlive);
                case "/echo" -> method.equals(HttpMethod.POST) ? ok(req, body.toByteArray(), "application/octet-stream", keepAlive)
                        : notAllowed(req, "POST", keepAlive);
                case "/metrics" -> get ? ok(req, obs.scrape().getBytes(StandardCharsets.UTF_8), Observability.PROMETHEUS_CONTENT_TYPE, keepAlive)
                        : notAllowed(req, "GET, HEAD", keepAlive);
                case "/debug/tasks" -> get ? ok(req, obs.tasksJson().getBytes(StandardCharsets.UTF_8), "application/json", keepAlive)
                        : notAllowed(req, "GET, HEAD", keepAlive);
                default -> plain(req, HttpResponseStatus.NOT_FOUND, "no such path: " + req.uri(), keepAlive);
            };
            if (http.available() > 0 && keepAlive) {
                http.write(res);     // pipelined: more requests are waiting, flush with the last answer (or before waiting for a body)
            } else {
                http.send(res);
            }
            return keepAlive;
        } finally {
            ReferenceCountUtil.release(req);
        }
    }

    private static FullHttpResponse ok(HttpRequest req, byte[] body, String type, boolean keepAlive) {
        return response(req, HttpResponseStatus.OK, body, type, keepAlive);
    }

    private static FullHttpResponse notAllowed(HttpRequest req, String allow, boolean keepAlive) {
        FullHttpResponse r = plain(req, HttpResponseStatus.METHOD_NOT_ALLOWED, "method " + req.method() + " not allowed", keepAlive);
        r.headers().set(HttpHeaderNames.ALLOW, allow);
        return r;
    }

    private static FullHttpResponse plain(HttpRequest req, HttpResponseStatus status, String text, boolean keepAlive) {
        return HttpResponses.plain(req, status, text, keepAlive);
    }

    private static FullHttpResponse response(HttpRequest req, HttpResponseStatus status, byte[] body, String type, boolean keepAlive) {
        return HttpResponses.response(req, status, body, type, keepAlive);
    }

}
