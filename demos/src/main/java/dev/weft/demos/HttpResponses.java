package dev.weft.demos;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

import java.nio.charset.StandardCharsets;

/**
 * The response-building pieces the HTTP demos share (the {@code http} and {@code files} demos):
 * whole responses with a body, Content-Length, and the Connection header that keep-alive needs.
 * A HEAD request gets the headers of the GET response and no body.
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
