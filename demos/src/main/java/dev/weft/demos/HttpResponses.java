package dev.weft.demos;

import dev.weft.core.sync.ReceiveResult;
import dev.weft.net.MessageStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The response-building pieces the HTTP demos share (the {@code http} and {@code files} demos):
 * whole responses with a body, Content-Length, and the Connection header that keep-alive needs.
 * A HEAD request gets the headers of the GET response and no body. Also what they share about
 * requests: the request target in origin form, and whether a request's head was begun.
 */
final class HttpResponses {
    private HttpResponses() {}

    /** A {@code text/plain} response: {@code text} and a newline. */
    static FullHttpResponse plain(HttpRequest req, HttpResponseStatus status, String text, boolean keepAlive) {
        return response(req, status, (text + "\n").getBytes(StandardCharsets.UTF_8), "text/plain; charset=utf-8", keepAlive);
    }

    /** A response with {@code body} (left out for HEAD, Content-Length kept) and the keep-alive headers. */
    static FullHttpResponse response(HttpRequest req, HttpResponseStatus status, byte[] body, String type, boolean keepAlive) {
        boolean head = req.method().equals(HttpMethod.HEAD);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        connection(req, r.headers(), keepAlive);
        return r;
    }

    /** Sets the Connection header: {@code close} when not keeping alive, {@code keep-alive} for an HTTP/1.0 client that keeps alive. */
    static void connection(HttpRequest req, HttpHeaders headers, boolean keepAlive) {
        if (!keepAlive) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (req.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
    }

    /**
     * Whether the connection stays open after the response to {@code req}: asked when the response
     * is built, not when the request arrived, so that a response finished while the server drains
     * says {@code Connection: close} (the server closes the connection after it).
     */
    static boolean keepAlive(HttpRequest req, Connections.Conn conn) {
        return HttpUtil.isKeepAlive(req) && !conn.draining();
    }

    /**
     * The connection's next decoded message, or null when the connection is to close: the server
     * drains and nothing is queued, the client closed, or nothing came for the read timeout (after
     * a 408 if a request's head was begun). The connection counts as idle (cancelled by the
     * server's close) only while it waits with nothing queued: a pipelined request already decoded
     * is answered, not dropped, when the server drains.
     */
    static HttpObject nextMessage(MessageStream<HttpObject> http, Connections.Conn conn, HeadWatch watch) throws IOException {
        boolean idle = http.available() == 0;
        conn.idle(idle);
        if (conn.draining() && idle) {
            return null;
        }
        ReceiveResult<HttpObject> next;
        try {
            next = http.receive();
        } catch (SocketTimeoutException e) {
            if (watch.begun()) {
                http.send(headTimeout());   // a request's head cut short: 408, then close
            }
            return null;   // idle for too long: close
        }
        conn.idle(false);
        return next instanceof ReceiveResult.Value<HttpObject>(var m) ? m : null;
    }

    /** How long a connection being closed keeps dropping what the client sends: at most this since the last bytes... */
    static final Duration LINGER_IDLE = Duration.ofSeconds(2);
    /** ... and this in all. */
    static final Duration LINGER_MAX = Duration.ofSeconds(5);

    /**
     * Ends a connection after an answer that said {@code Connection: close} (RFC 9112 §9.6): sends
     * what was written and shuts the output down, so the client sees the end at once, then reads
     * and drops what it still sends (the rest of a body the server did not read) until it closes,
     * nothing comes for {@link #LINGER_IDLE}, {@link #LINGER_MAX} has passed, or the server drains.
     * Closing the socket with input unread would make the kernel send a reset instead, and a
     * client still sending can then lose the answer (it sees "connection reset"). The connection
     * counts as idle meanwhile, so the server's close cancels the wait. Returns normally on an
     * I/O failure (the connection is to close anyway); interrupted, it returns with the
     * interrupt status set.
     */
    static void lingeringClose(MessageStream<HttpObject> http, Connections.Conn conn) {
        try {
            http.shutdownOutput();
            conn.idle(true);   // then draining is read: the drain sees one or the other (see nextMessage)
            long end = System.nanoTime() + LINGER_MAX.toNanos();
            while (!conn.draining()) {
                long left = end - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                if (!(http.receive(Duration.ofNanos(Math.min(left, LINGER_IDLE.toNanos())))
                        instanceof ReceiveResult.Value<HttpObject>(var m))) {
                    return;   // the client closed, or sent nothing for a while
                }
                ReferenceCountUtil.release(m);
            }
        } catch (IOException e) {
            // reset, closed, or cancelled by the server's drain: nothing more to do before the close
        }
    }

    /** The answer to a request whose head was begun and not finished in time: 408, then close. */
    static FullHttpResponse headTimeout() {
        return plain(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"),
                HttpResponseStatus.REQUEST_TIMEOUT, "request head not received in time", false);
    }

    /**
     * The request target in origin form: for the absolute form ({@code http://host:port/path?query},
     * RFC 9112 §3.2.2, which a server must accept) its path and query, {@code /} for an empty path;
     * any other target as it is.
     */
    static String originForm(String target) {
        int scheme = target.indexOf("://");
        if (target.startsWith("/") || scheme <= 0) {
            return target;
        }
        int path = scheme + 3;
        while (path < target.length() && "/?#".indexOf(target.charAt(path)) < 0) {
            path++;   // the authority
        }
        String rest = target.substring(path);
        return rest.startsWith("/") ? rest : "/" + rest;
    }

    /**
     * Adds an HTTP/1.1 server codec to {@code p} (a request decoder with these limits, a response
     * encoder) whose decoder tells whether a request was begun: it took bytes of a request whose
     * end ({@link LastHttpContent}) it has not decoded, or holds bytes it has not decoded yet. A
     * read timeout then means a request cut short (408), not an idle connection (closed
     * silently). Counting what the decoder took, not what arrived, tells the start of a next
     * request that came in the same read as the end of the one before (a pipelining client that
     * then stalls); the empty lines a client may send between requests do not count.
     */
    static HeadWatch watchHeads(ChannelPipeline p, int maxInitialLineLength, int maxHeaderSize, int maxChunkSize) {
        HeadWatch w = new HeadWatch();
        p.addLast("decoder", new WatchedRequestDecoder(new HttpDecoderConfig()
                .setMaxInitialLineLength(maxInitialLineLength)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(maxChunkSize), w));
        p.addLast("encoder", new HttpResponseEncoder());
        return w;
    }

    /** A request decoder that keeps its {@link HeadWatch} up to date (channel's event loop only). */
    private static final class WatchedRequestDecoder extends HttpRequestDecoder {
        private final HeadWatch watch;
        /** Whether bytes of a request were decoded and not yet its end. */
        private boolean midRequest;

        WatchedRequestDecoder(HttpDecoderConfig config, HeadWatch watch) {
            super(config);
            this.watch = watch;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
            if (msg instanceof ByteBuf b && b.isReadable()) {
                watch.begun = true;   // until this read is decoded (channelReadComplete)
            }
            super.channelRead(ctx, msg);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, java.util.List<Object> out) throws Exception {
            int from = buffer.readerIndex();
            int messages = out.size();
            super.decode(ctx, buffer, out);
            if (out.size() > messages) {
                // A call that decodes a request's end returns right after it: what it took was that request's.
                midRequest = !(out.getLast() instanceof LastHttpContent);
            } else if (tookMoreThanEmptyLines(buffer, from)) {
                midRequest = true;   // a request line or header lines, not yet a message
            }
        }

        private static boolean tookMoreThanEmptyLines(ByteBuf buffer, int from) {
            for (int i = from; i < buffer.readerIndex(); i++) {
                byte c = buffer.getByte(i);
                if (c != '\r' && c != '\n') {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
            watch.begun = midRequest || actualReadableBytes() > 0;   // the whole read is decoded
            super.channelReadComplete(ctx);
        }
    }

    /** What {@link #watchHeads} tells; set on the connection's carrier, read by its task. */
    static final class HeadWatch {
        private volatile boolean begun;

        /** Whether bytes of a request arrived that were not yet decoded into a whole request. */
        boolean begun() {
            return begun;
        }
    }

    /** The status for a request the codec could not decode: 414 for a request line, 431 for headers over the limit, else 400. */
    static HttpResponseStatus decodeFailureStatus(Throwable cause) {
        return cause instanceof TooLongHttpHeaderException ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                : cause instanceof TooLongHttpLineException ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                : HttpResponseStatus.BAD_REQUEST;
    }

    /**
     * What is wrong with {@code req}'s Host header (RFC 9112 §3.2: an HTTP/1.1 request needs one,
     * no request may have two), or null if nothing is; such a request gets 400.
     */
    static String hostProblem(HttpRequest req) {
        int hosts = req.headers().getAll(HttpHeaderNames.HOST).size();
        if (hosts > 1) {
            return "more than one Host header";
        }
        if (hosts == 0 && !req.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            return "no Host header in an HTTP/1.1 request";
        }
        return null;
    }
}
