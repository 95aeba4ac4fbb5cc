package dev.weft.net;

import dev.weft.core.Task;
import dev.weft.core.Transport;
import dev.weft.core.WeftRuntime;
import dev.weft.core.testsupport.Eventually;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static dev.weft.net.NetTesting.ANY_LOCAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A task woken by its socket runs ahead of the tasks already queued on its carrier: with 20
 * tasks that each compute 50 µs and yield, a reader whose data arrives waits for at most the
 * rest of one carrier turn (200 µs of slices), not for a slice of every queued task.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IoFirstTest {
    static final int YIELDERS = 20;

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"NIO", "EPOLL", "IO_URING", "KQUEUE"})
    void aSocketsReaderRunsBeforeTheQueuedTasks(Transport t) throws Exception {
        AtomicLong slices = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        try (WeftRuntime rt = TcpTransportConformanceTest.runtime(t, 1);
             TcpListener l = TcpListener.bind(rt, ANY_LOCAL);
             Socket client = new Socket()) {
            AtomicLong slicesAtWrite = new AtomicLong(-1);
            Task<Long> reader = rt.spawn("reader", () -> {
                try (TcpStream s = l.accept()) {
                    byte[] b = new byte[1];
                    assertEquals(1, s.read(b));
                    long woke = slices.get();
                    long sent;
                    while ((sent = slicesAtWrite.get()) < 0) {
                        Thread.onSpinWait();   // the test thread is between its write and the count
                    }
                    return Math.max(0, woke - sent);
                }
            });
            client.connect(l.localAddress(), 5_000);
            NetTesting.parkedIn(rt, "reader", "Conduit.parkReader");
            List<Task<Void>> yielders = new ArrayList<>();
            for (int i = 0; i < YIELDERS; i++) {
                yielders.add(rt.spawn("yielder-" + i, () -> {
                    while (!done.get()) {
                        long until = System.nanoTime() + 50_000;
                        while (System.nanoTime() < until) {
                            Thread.onSpinWait();
                        }
                        slices.incrementAndGet();
                        Thread.yield();
                    }
                    return null;
                }));
            }
            Eventually.eventually(Duration.ofSeconds(10), "the yielders run", () -> slices.get() > 5L * YIELDERS);
            client.getOutputStream().write(1);
            // Counted once the byte is in the kernel: a test thread descheduled before its write
            // (two vCPUs, a busy carrier) must not count the yielders' slices as the reader's wait.
            slicesAtWrite.set(slices.get());
            long behind;
            try {
                behind = reader.join(Duration.ofSeconds(20));
            } finally {
                done.set(true);
            }
            for (Task<Void> y : yielders) {
                y.join(Duration.ofSeconds(10));
            }
            // A turn runs 200 µs of slices (about 4 here) before the loop's next I/O pass; the
            // reader then goes first. Behind every queued yielder it would see about 20.
            assertTrue(behind < YIELDERS / 2,
                    "the reader waited for " + behind + " slices of other tasks after its data was sent");
        }
    }
}
