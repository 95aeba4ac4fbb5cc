package dev.weft.net;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.core.sync.ReceiveResult;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.weft.net.NetTesting.ANY_LOCAL;
import static dev.weft.net.NetTesting.CONNECT;
import static org.junit.jupiter.api.Assertions.assertEquals;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MessageStreamTest {
    // On the default transport only. Behaviours that depend on the transport (backpressure,
    // timeouts, cancellation, close waking a reader, split halves, message streams) run on every
    // transport in TcpTransportConformanceTest.
    static WeftRuntime rt;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("msg-test").carriers(2).closeTimeout(Duration.ofSeconds(2)).build();
    }

    @AfterAll
    static void stop() {
        rt.close();
    }

    /**
     * An over-long line (the line decoder's TooLongFrameException) fails one receive, after the
     * line decoded before it, with the decoder's exception as the cause; the task can still send
     * an error reply the client reads, and receiving goes on with the next line.
     */
    @Test
    void decoderErrorFailsOneReceiveAndSendsStillWork() throws Exception {
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            Task<List<String>> server = rt.spawn(() -> {
                List<String> got = new ArrayList<>();
                try (TcpStream s = l.accept();
                     MessageStream<String> m = s.messages(String.class, p -> p.addLast(new LineBasedFrameDecoder(16),
                             new StringDecoder(StandardCharsets.UTF_8), new StringEncoder(StandardCharsets.UTF_8)))) {
                    for (;;) {
                        ReceiveResult<String> r;
                        try {
                            r = m.receive();
                        } catch (IOException e) {
                            got.add("error: " + e.getCause().getClass().getSimpleName());
                            m.send("ERR line too long\n");
                            continue;
                        }
                        if (!(r instanceof ReceiveResult.Value<String>(var line))) {
                            break;
                        }
                        got.add(line);
                        m.send("OK " + line + "\n");
                    }
                }
                return got;
            });
            List<String> replies = rt.run(() -> {
                try (TcpStream c = TcpStream.connect(rt, l.localAddress(), CONNECT)) {
                    LineReader in = new LineReader(c, 100);
                    List<String> r = new ArrayList<>();
                    c.writeAll(("ok\n" + "x".repeat(100) + "\n").getBytes(StandardCharsets.UTF_8));
                    r.add(in.readLine());
                    r.add(in.readLine());
                    c.writeAll("after\n".getBytes(StandardCharsets.UTF_8));
                    r.add(in.readLine());
                    c.shutdownOutput();
                    r.add(in.readLine());
                    return r;
                }
            });
            assertEquals(Arrays.asList("OK ok", "ERR line too long", "OK after", null), replies,
                    "the error reply reaches the client and the stream goes on");
            assertEquals(List.of("ok", "error: TooLongFrameException", "after"), server.join(Duration.ofSeconds(10)));
        }
    }

    /**
     * A codec that throws while it changes the pipeline leaves no socket behind: the call throws
     * with the codec's exception as the cause, and the connection is closed (the peer reads end
     * of stream, the stream says it is closed, NetStats no longer counts it open). It stayed
     * open before, with nothing in its pipeline to read or close it: even closing the stream did
     * nothing, as it counted as moved to the message stream.
     */
    @Test
    void codecThatThrowsClosesTheConnection() throws Exception {
        try (WeftRuntime own = WeftRuntime.builder().name("msg-codec-throws").carriers(1).closeTimeout(Duration.ofSeconds(2)).build();
             TcpListener l = TcpListener.bind(own, ANY_LOCAL);
             java.net.Socket peer = new java.net.Socket()) {
            peer.connect(l.localAddress());
            peer.setSoTimeout(10_000);
            TcpStream s = own.run(() -> l.accept(Duration.ofSeconds(5)));
            IllegalArgumentException boom = new IllegalArgumentException("boom");
            IOException e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class,
                    () -> s.messages(String.class, p -> {
                        NetTesting.lines(p);
                        throw boom;
                    }));
            assertEquals(boom, e.getCause(), "the codec's exception is the cause: " + e);
            org.junit.jupiter.api.Assertions.assertTrue(s.isClosed(), "the stream is closed");
            s.close();
            assertEquals(-1, peer.getInputStream().read(), "the peer reads end of stream");
            dev.weft.core.testsupport.Eventually.eventually(Duration.ofSeconds(5), "no connection counted open",
                    () -> NetStats.of(own).connectionsOpen() == 0);
        }
    }

    /**
     * A serve handler that turns its stream into a message stream and returns without closing it
     * has its connection closed all the same ("the stream is closed when the handler returns"):
     * the client reads the reply, then end of stream. The socket stayed open before (closing the
     * moved stream did nothing).
     */
    @Test
    void serveClosesTheMessageStreamItsHandlerLeftOpen() throws Exception {
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            Task<Void> serving = rt.spawn(() -> {
                l.serve(s -> {
                    MessageStream<String> m = s.messages(String.class, p -> p.addLast(new LineBasedFrameDecoder(64),
                            new StringDecoder(StandardCharsets.UTF_8), new StringEncoder(StandardCharsets.UTF_8)));
                    if (m.receive() instanceof ReceiveResult.Value<String>(var line)) {
                        m.send("echo " + line + "\n");
                        m.flush();
                    }
                    // returns with the message stream open
                });
                return null;
            });
            try {
                List<String> got = rt.run(() -> {
                    try (TcpStream c = TcpStream.connect(rt, l.localAddress(), CONNECT)) {
                        c.setReadTimeout(Duration.ofSeconds(10));
                        LineReader in = new LineReader(c, 100);
                        c.writeAll("hi\n".getBytes(StandardCharsets.UTF_8));
                        return Arrays.asList(in.readLine(), in.readLine());
                    }
                });
                assertEquals(Arrays.asList("echo hi", null), got,
                        "the reply, then end of stream once the handler returned");
            } finally {
                serving.cancel();
            }
        }
    }
}
