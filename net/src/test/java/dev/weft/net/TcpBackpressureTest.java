package dev.weft.net;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static dev.weft.net.NetTesting.ANY_LOCAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpBackpressureTest {
    /** Netty's default high water mark plus one write chunk: the most a parked writer may leave queued. */
    static final long BOUND = 64 * 1024 + 16 * 1024;
    static final long TOTAL = 64L << 20;

    static WeftRuntime rt;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("bp-test").carriers(2).closeTimeout(Duration.ofSeconds(2)).build();
    }

    @AfterAll
    static void stop() {
        rt.close();
    }

    /**
     * A peer that never reads: the server's writer parks, the bytes queued in the process stay
     * under the high water mark plus one chunk while it is parked, and once the peer reads,
     * every byte arrives in order.
     */
    @Test
    void writerParksAndMemoryStaysBoundedWhenPeerDoesNotRead() throws Exception {
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL);
             Socket peer = new Socket()) {
            peer.setReceiveBufferSize(16 * 1024);
            peer.connect(l.localAddress());
            TcpStream s = rt.run(() -> l.accept(Duration.ofSeconds(5)));
            AtomicLong written = new AtomicLong();
            Task<Void> writer = rt.spawn("writer", () -> {
                byte[] chunk = new byte[8192];
                long off = 0;
                while (off < TOTAL) {
                    for (int i = 0; i < chunk.length; i++) {
                        chunk[i] = (byte) (off + i);
                    }
                    s.write(chunk, 0, chunk.length);
                    off += chunk.length;
                    written.set(off);
                }
                s.flush();
                return null;
            });
            // Stalled: the channel unwritable (so bytes are queued) and no progress over 100
            // consecutive 1 ms polls. Progress alone is not enough: on a loaded machine a writer
            // woken because the channel became writable again can wait longer than that to run.
            long[] last = {-1};
            int[] still = {0};
            NetTesting.eventually(Duration.ofSeconds(20), "the writer stalls (kernel buffers full)", () -> {
                long w = written.get();
                still[0] = w == last[0] && !s.channel().isWritable() ? still[0] + 1 : 0;
                last[0] = w;
                return still[0] >= 100;
            });
            NetTesting.parkedIn(rt, "writer", "Conduit.awaitWritable");
            long stalledAt = written.get();
            assertTrue(stalledAt < TOTAL, "the writer must stall, wrote " + stalledAt);
            // While parked, sample the pending bytes many times: never above the bound.
            long maxPending = 0;
            for (int i = 0; i < 200; i++) {
                maxPending = Math.max(maxPending, s.pendingWriteBytes());
                Thread.onSpinWait();
            }
            assertTrue(maxPending <= BOUND, "pending outbound bytes " + maxPending + " > " + BOUND);
            assertTrue(s.pendingWriteBytes() > 0, "the writer parked with bytes queued");
            assertEquals(stalledAt, written.get(), "a parked writer does not progress");
            assertTrue(!writer.isDone());

            // The peer reads everything: the writer finishes and the bytes are intact.
            InputStream in = peer.getInputStream();
            byte[] buf = new byte[65536];
            long got = 0;
            while (got < TOTAL) {
                int n = in.read(buf);
                assertTrue(n > 0, "EOF after " + got);
                for (int i = 0; i < n; i++) {
                    if (buf[i] != (byte) (got + i)) {
                        throw new AssertionError("byte " + (got + i) + " corrupted");
                    }
                }
                got += n;
            }
            writer.join(Duration.ofSeconds(30));
            // Netty completes a write's promise just before it subtracts the entry from the pending
            // count, so a writer on another carrier can see the last entry's bytes for a moment.
            NetTesting.eventually(Duration.ofSeconds(10), "pending outbound bytes drain to 0",
                    () -> s.pendingWriteBytes() == 0);
            s.close();
        }
    }

    /** A write timeout fires when the peer does not read, and reports how much was handed over. */
    @Test
    void writeTimeoutWhenPeerDoesNotRead() throws Exception {
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL);
             Socket peer = new Socket()) {
            peer.setReceiveBufferSize(16 * 1024);
            peer.connect(l.localAddress());
            rt.run(() -> {
                try (TcpStream s = l.accept(Duration.ofSeconds(5))) {
                    s.setWriteTimeout(Duration.ofMillis(100));
                    byte[] big = new byte[64 << 20];
                    var e = org.junit.jupiter.api.Assertions.assertThrows(java.net.SocketTimeoutException.class, () -> s.write(big, 0, big.length));
                    assertTrue(e.bytesTransferred > 0 && e.bytesTransferred < big.length, "transferred " + e.bytesTransferred);
                    s.setCloseLinger(Duration.ZERO);
                }
                return null;
            });
        }
    }
}
