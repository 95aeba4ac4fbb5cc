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
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.weft.net.NetTesting.ANY_LOCAL;
import static dev.weft.net.NetTesting.CONNECT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MessageStreamTest {
    static WeftRuntime rt;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("msg-test").carriers(2).closeTimeout(Duration.ofSeconds(2)).build();
    }

    @AfterAll
    static void stop() {
        rt.close();
    }

    static void lines(io.netty.channel.ChannelPipeline p) {
        p.addLast(new LineBasedFrameDecoder(1024), new StringDecoder(StandardCharsets.UTF_8), new StringEncoder(StandardCharsets.UTF_8));
    }

    /**
     * A stream turned into a line-codec message stream: bytes buffered before the switch are
     * decoded too (nothing lost), sends go through the encoder, and end of input is Closed.
     */
    @Test
    void linesThroughNettyCodec() throws Exception {
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            Task<List<String>> server = rt.spawn(() -> {
                List<String> got = new ArrayList<>();
                try (TcpStream s = l.accept()) {
                    got.add(new String(s.readExact(2), StandardCharsets.UTF_8));   // "a\n" as raw bytes
                    MessageStream<String> m = s.messages(String.class, MessageStreamTest::lines);
                    assertEquals(s.localAddress(), m.localAddress(), "TCP addresses stay InetSocketAddress");
                    assertEquals(s.peerAddress(), m.peerAddress());
                    while (m.receive() instanceof ReceiveResult.Value<String>(var line)) {
                        got.add(line);
                        m.send(line.toUpperCase() + "\n");
                    }
                    m.close();
                }
                return got;
            });
            String echoed = rt.run(() -> {
                try (TcpStream c = TcpStream.connect(rt, l.localAddress(), CONNECT)) {
                    c.writeAll("a\nbee\ncee\n".getBytes(StandardCharsets.UTF_8));
                    c.shutdownOutput();
                    return new String(c.inputStream().readAllBytes(), StandardCharsets.UTF_8);
                }
            });
            assertEquals(List.of("a\n", "bee", "cee"), server.join(Duration.ofSeconds(10)));
            assertEquals("BEE\nCEE\n", echoed);
        }
    }

    /** receive(timeout) returns Empty; a task cancelled in receive wakes with InterruptedIOException and loses nothing. */
    @Test
    void timeoutAndCancel() throws Exception {
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            Task<TcpStream> accepted = rt.spawn(l::accept);
            TcpStream client = rt.run(() -> TcpStream.connect(rt, l.localAddress(), CONNECT));
            try (TcpStream s = accepted.join(Duration.ofSeconds(5)); client) {
                MessageStream<String> m = rt.run(() -> s.messages(String.class, MessageStreamTest::lines));
                assertInstanceOf(ReceiveResult.Empty.class, rt.run(() -> m.receive(Duration.ofMillis(20))));
                AtomicReference<Throwable> thrown = new AtomicReference<>();
                Task<Object> r = rt.spawn("receiver", () -> {
                    try {
                        return m.receive();
                    } catch (Throwable t) {
                        thrown.set(t);
                        throw t;
                    }
                });
                NetTesting.parkedIn(rt, "receiver", "Conduit.receive");
                r.cancel();
                assertThrows(CancellationException.class, () -> r.join(Duration.ofSeconds(5)));
                assertInstanceOf(InterruptedIOException.class, thrown.get());
                rt.run(() -> {
                    client.writeAll("kept\n".getBytes(StandardCharsets.UTF_8));
                    assertEquals(new ReceiveResult.Value<>("kept"), m.receive());
                    return null;
                });
                m.close();
            }
        }
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
}
