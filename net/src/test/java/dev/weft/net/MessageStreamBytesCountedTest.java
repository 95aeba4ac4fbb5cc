package dev.weft.net;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.core.sync.ReceiveResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.weft.net.NetTesting.ANY_LOCAL;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Bytes read and written through a {@link MessageStream} are counted in {@link NetStats}, exactly
 * once: also the bytes the plain stream read or wrote before it became a message stream, and
 * the bytes it had buffered but not handed to a task yet (fed through the codec).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MessageStreamBytesCountedTest {

    @Test
    void messageStreamTrafficIsCountedOnce() throws Exception {
        // The peer is a plain JDK socket on a platform thread: the runtime's counters see only the
        // server side, so the totals are exact.
        try (WeftRuntime rt = WeftRuntime.builder().name("msg-bytes").carriers(2).closeTimeout(Duration.ofSeconds(2)).build();
             TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            int lines = 50;
            Task<List<String>> server = rt.spawn("server", () -> {
                List<String> got = new ArrayList<>();
                try (TcpStream s = l.accept()) {
                    byte[] hello = new byte[6];
                    for (int off = 0, n; off < hello.length; off += n) {   // 6 bytes through the plain stream
                        n = s.read(hello, off, hello.length - off);
                        if (n < 0) {
                            throw new java.io.EOFException("after " + off + " bytes");
                        }
                    }
                    s.writeAll("HI\n".getBytes(StandardCharsets.US_ASCII));   // 3 bytes through the plain stream
                    try (MessageStream<String> m = s.messages(String.class, NetTesting::lines)) {
                        while (m.receive() instanceof ReceiveResult.Value<String>(var line)) {
                            got.add(line);
                            m.send("OK " + line + "\n");
                        }
                    }
                }
                return got;
            });

            StringBuilder request = new StringBuilder("HELLO\n");
            StringBuilder expectedReplies = new StringBuilder("HI\n");
            List<String> expectedLines = new ArrayList<>();
            for (int i = 0; i < lines; i++) {
                String line = "line " + i;
                request.append(line).append('\n');
                expectedReplies.append("OK ").append(line).append('\n');
                expectedLines.add(line);
            }
            byte[] sent = request.toString().getBytes(StandardCharsets.US_ASCII);
            byte[] replies = expectedReplies.toString().getBytes(StandardCharsets.US_ASCII);

            byte[] received;
            try (Socket c = new Socket(l.localAddress().getAddress(), l.localAddress().getPort())) {
                c.setSoTimeout(10_000);
                OutputStream out = c.getOutputStream();
                out.write(sent);   // all at once: part of it may sit in the plain stream's buffer when it moves
                out.flush();
                c.shutdownOutput();
                received = c.getInputStream().readAllBytes();
            }
            assertArrayEquals(replies, received, "replies");
            assertEquals(expectedLines, server.join(Duration.ofSeconds(10)), "lines the message stream received");

            NetStats stats = NetStats.of(rt);
            assertEquals(sent.length, stats.bytesRead(),
                    () -> "bytes read: " + sent.length + " bytes arrived (6 read plain, the rest through the codec): " + stats);
            assertEquals(replies.length, stats.bytesWritten(),
                    () -> "bytes written: " + replies.length + " bytes sent (3 written plain, the rest through the codec): " + stats);
        }
    }
}
