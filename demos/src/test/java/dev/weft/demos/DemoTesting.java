package dev.weft.demos;

import dev.weft.core.WeftRuntime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Helpers shared by the demos' tests that talk to a server over a plain socket, to send exact bytes
 * (malformed, pipelined or cut-short requests) and read the answer as the server framed it, and
 * that stop the servers and runtime they started.
 */
final class DemoTesting {
    /** How long a read on a socket from {@link #connect} waits before the test fails. */
    static final int READ_TIMEOUT_MS = 10_000;

    private DemoTesting() {}

    /** One HTTP response: its status, its head (status line and headers) and its body. */
    record Response(int status, String headers, String body) {}

    /** A connection to {@code server} whose reads give up after {@link #READ_TIMEOUT_MS}. */
    static Socket connect(DemoServer server) throws IOException {
        Socket s = new Socket("127.0.0.1", server.address().getPort());
        s.setSoTimeout(READ_TIMEOUT_MS);
        return s;
    }

    /** Writes {@code text} (US-ASCII) on {@code s}. */
    static void send(Socket s, String text) throws IOException {
        s.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
    }

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

    /** Sends {@code request} to {@code server} on a new connection and reads the one answer. */
    static Response ask(DemoServer server, String request, String what) throws IOException {
        try (Socket s = connect(server)) {
            send(s, request);
            return read(s.getInputStream(), what);
        }
    }

    /** The {@code @AfterAll} of a test class: closes {@code servers}, then shuts {@code rt} down (any may be null). */
    static void stop(WeftRuntime rt, DemoServer... servers) {
        for (DemoServer server : servers) {
            if (server != null) {
                server.close();
            }
        }
        if (rt != null) {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    /**
     * A test class's fixture: a one-carrier runtime named {@code name} with both HTTP demos on
     * 127.0.0.1 (the files demo serving {@code root}); {@link #close()} stops them all.
     */
    record BothDemos(WeftRuntime rt, DemoServer http, DemoServer files) implements AutoCloseable {
        static BothDemos start(String name, java.nio.file.Path root) throws Exception {
            WeftRuntime rt = WeftRuntime.builder().name(name).carriers(1).closeTimeout(Duration.ofSeconds(5)).build();
            DemoServer http = null;
            try {
                http = HttpServer.start(rt, new java.net.InetSocketAddress("127.0.0.1", 0));
                return new BothDemos(rt, http, FilesServer.start(rt, new java.net.InetSocketAddress("127.0.0.1", 0), root));
            } catch (Exception e) {
                stop(rt, http);
                throw e;
            }
        }

        @Override
        public void close() {
            stop(rt, http, files);
        }
    }
}
