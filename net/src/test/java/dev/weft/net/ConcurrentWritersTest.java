package dev.weft.net;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.weft.net.NetTesting.ANY_LOCAL;
import static dev.weft.net.NetTesting.CONNECT;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * "Two tasks writing at once is an error (IllegalStateException)": also when neither has to wait
 * for the socket. A write that overlaps another task's is refused before it sends anything, so
 * the bytes of each write arrive whole. Before, only a writer that found the other parked was
 * refused; writes that never waited interleaved on the wire, 16 KiB chunk by chunk.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConcurrentWritersTest {
    static final int BLOCK = 64 * 1024;
    static final int WRITES = 200;
    static WeftRuntime rt;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("writers-test").carriers(2).closeTimeout(Duration.ofSeconds(2)).build();
    }

    @AfterAll
    static void stop() {
        rt.close();
    }

    @RepeatedTest(3)
    void overlappingWritesAreRefusedNotInterleaved() throws Exception {
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            Task<byte[]> server = rt.spawn(() -> {
                try (TcpStream s = l.accept()) {
                    return s.inputStream().readAllBytes();
                }
            });
            AtomicInteger refused = new AtomicInteger();
            try (TcpStream c = rt.run(() -> TcpStream.connect(rt, l.localAddress(), CONNECT))) {
                Task<?>[] writers = new Task<?>[2];
                for (int w = 0; w < 2; w++) {
                    byte[] block = new byte[BLOCK];
                    Arrays.fill(block, (byte) ('a' + w));
                    writers[w] = rt.spawn("writer-" + w, () -> {
                        for (int i = 0; i < WRITES; i++) {
                            try {
                                c.writeAll(block);
                            } catch (IllegalStateException overlap) {
                                refused.incrementAndGet();
                            }
                        }
                        return null;
                    });
                }
                for (Task<?> w : writers) {
                    w.join(Duration.ofSeconds(30));
                }
                rt.run(() -> {
                    c.shutdownOutput();
                    return null;
                });
            }
            byte[] got = server.join(Duration.ofSeconds(30));
            assertEquals(0, got.length % BLOCK, "whole writes only");
            assertEquals(2 * WRITES - refused.get(), got.length / BLOCK, "every write not refused arrived");
            for (int b = 0; b < got.length; b += BLOCK) {
                byte first = got[b];
                for (int i = b; i < b + BLOCK; i++) {
                    if (got[i] != first) {
                        throw new AssertionError("write " + b / BLOCK + " is interleaved with another task's at byte "
                                + (i - b) + " (" + refused.get() + " writes refused)");
                    }
                }
            }
        }
    }
}
