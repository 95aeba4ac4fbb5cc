package dev.weft.fs;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.fs.internal.ChunkIo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.weft.fs.FsTesting.await;
import static dev.weft.fs.FsTesting.awaitIdle;
import static dev.weft.fs.FsTesting.fifo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Cancellation: a task cancelled during a file operation wakes promptly with
 * InterruptedIOException, the blocking job ends in the background, and the caller's buffers are
 * never touched after the call returned. FIFOs make "during" deterministic: their open, read
 * and write block in the kernel until the test acts on the other end.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FsCancellationTest {
    static WeftRuntime rt;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("fs-cancel").carriers(2).build();
    }

    @AfterAll
    static void stop() {
        rt.shutdown(Duration.ofSeconds(5));
    }

    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (1 + (i % 251));   // never 0
        }
        return b;
    }

    /** Cancels {@code t} and returns how long it took to end. */
    static long cancelAndTime(Task<?> t) throws InterruptedException {
        long t0 = System.nanoTime();
        t.cancel();
        assertThrows(CancellationException.class, t::join);
        return System.nanoTime() - t0;
    }

    /** A write blocked in the kernel (a FIFO with no reader): the task wakes at once; the array is not read afterwards. */
    @Test
    void cancelledDuringBlockedWrite() throws Exception {
        Path p = fifo(dir.resolve("w.fifo"));
        byte[] data = pattern(3 * ChunkIo.CHUNK);
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Task<Void> t = rt.spawn(() -> {
            try {
                Fs.write(p, data);
            } catch (Throwable e) {
                seen.set(e);
                assertTrue(Thread.currentThread().isInterrupted(), "interrupt status kept");
            }
            return null;
        });
        await("write job started", Duration.ofSeconds(10), () -> Fs.stats(rt).inFlight() == 1);
        long nanos = cancelAndTime(t);
        assertTrue(nanos < TimeUnit.SECONDS.toNanos(2), "woke promptly: " + nanos / 1000 + " us");
        assertInstanceOf(InterruptedIOException.class, seen.get());
        Arrays.fill(data, (byte) 0);       // the caller owns its array again
        // Let the background job go on: open the reader; it must see no byte at all
        // (the job's first chunk copy comes after the abandonment), and certainly no zero.
        byte[] got;
        try (FileInputStream in = new FileInputStream(p.toFile())) {
            got = in.readAllBytes();
        }
        awaitIdle(rt);
        assertEquals(0, got.length, "nothing copied out of the caller's array after it returned");
    }

    /** A read blocked in the kernel (an empty FIFO): the task wakes at once; late data never lands in its array. */
    @Test
    void cancelledDuringBlockedRead() throws Exception {
        Path p = fifo(dir.resolve("r.fifo"));
        AtomicReference<FileOutputStream> writer = new AtomicReference<>();
        Thread opener = Thread.ofPlatform().start(() -> {
            try {
                writer.set(new FileOutputStream(p.toFile()));  // blocks until the reader opens
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        byte[] dst = new byte[1024];
        AtomicReference<FileHandle> handle = new AtomicReference<>();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        CountDownLatch opened = new CountDownLatch(1);
        Task<Void> t = rt.spawn(() -> {
            handle.set(FileHandle.open(p));
            opened.countDown();
            try {
                h(handle).read(dst, 0, dst.length);
            } catch (Throwable e) {
                seen.set(e);
            }
            return null;
        });
        opened.await();
        opener.join();
        await("read job started", Duration.ofSeconds(10), () -> Fs.stats(rt).inFlight() == 1);
        long nanos = cancelAndTime(t);
        assertTrue(nanos < TimeUnit.SECONDS.toNanos(2), "woke promptly: " + nanos / 1000 + " us");
        InterruptedIOException e = assertInstanceOf(InterruptedIOException.class, seen.get());
        assertEquals(0, e.bytesTransferred);
        try (FileOutputStream w = writer.get()) {
            w.write(pattern(100));          // the background read now completes...
        }
        awaitIdle(rt);
        assertArrayEquals(new byte[1024], dst, "...but its bytes never reach the caller's array");
        rt.run(() -> {
            h(handle).close();
            return null;
        });
    }

    private static FileHandle h(AtomicReference<FileHandle> r) {
        return r.get();
    }

    /**
     * A large write to a regular file, cancelled while it runs: the file holds a prefix of the data
     * in whole chunks (zeros written into the array after the cancellation never reach it), and
     * the handle's position, once the background job ended, equals what was written.
     */
    @Test
    void cancelledDuringLargeWrite() throws Exception {
        Path f = dir.resolve("big");
        byte[] data = pattern(128 << 20);
        AtomicReference<FileHandle> handle = new AtomicReference<>();
        AtomicReference<Throwable> seen = new AtomicReference<>();
        CountDownLatch opened = new CountDownLatch(1);
        Task<Void> t = rt.spawn(() -> {
            handle.set(FileHandle.create(f));
            opened.countDown();
            try {
                h(handle).write(data);
            } catch (Throwable e) {
                seen.set(e);
            }
            return null;
        });
        opened.await();
        await("write job started", Duration.ofSeconds(10), () -> Fs.stats(rt).inFlight() == 1);
        long nanos = cancelAndTime(t);
        assertTrue(nanos < TimeUnit.SECONDS.toNanos(2), "woke promptly: " + nanos / 1000 + " us");
        Arrays.fill(data, (byte) 0);
        awaitIdle(rt);
        long size = Files.size(f);
        assertTrue(size <= data.length);
        if (seen.get() != null) {   // cancelled mid-write (the usual case); else the write had finished first
            InterruptedIOException e = assertInstanceOf(InterruptedIOException.class, seen.get());
            assertTrue(size >= e.bytesTransferred, "at least bytesTransferred written");
            assertTrue(size % ChunkIo.CHUNK == 0, "whole chunks: " + size);
        }
        byte[] back = Files.readAllBytes(f);
        assertArrayEquals(pattern((int) size), back, "a prefix of the original data, no zero from after the cancel");
        long position = rt.run(() -> {
            FileHandle h = h(handle);
            assertEquals(size, h.size());
            long pos = h.position();
            h.close();
            return pos;
        });
        assertEquals(size, position);
    }

    /** A large whole-file read cancelled mid-way wakes at once; the job stops and the slot is given back. */
    @Test
    void cancelledDuringLargeRead() throws Exception {
        Path f = dir.resolve("big-read");
        Files.write(f, pattern(64 << 20));
        AtomicReference<Throwable> seen = new AtomicReference<>();
        java.util.concurrent.CountDownLatch oneDone = new java.util.concurrent.CountDownLatch(1);
        Task<Void> t = rt.spawn(() -> {
            try {
                while (true) {   // read again and again, so the cancellation always lands mid-read
                    Fs.readAllBytes(f);
                    oneDone.countDown();
                }
            } catch (Throwable e) {
                seen.set(e);
                throw e;
            }
        });
        assertTrue(oneDone.await(60, TimeUnit.SECONDS), "no whole-file read completed");
        long nanos = cancelAndTime(t);
        assertTrue(nanos < TimeUnit.SECONDS.toNanos(2), "woke promptly: " + nanos / 1000 + " us");
        assertInstanceOf(InterruptedIOException.class, seen.get());
        awaitIdle(rt);
    }

    /** Interrupted before the call: InterruptedIOException at once, nothing done, interrupt status kept. */
    @Test
    void interruptedBefore() throws Exception {
        Path f = dir.resolve("never");
        rt.run(() -> {
            Thread.currentThread().interrupt();
            assertThrows(InterruptedIOException.class, () -> Fs.write(f, new byte[10]));
            assertTrue(Thread.interrupted());
            return null;
        });
        assertFalse(Files.exists(f));
    }

    /** The next operation on a handle waits for a cancelled one still running, so operations stay in order. */
    @Test
    void nextOperationWaitsForTheCancelledOne() throws Exception {
        Path p = fifo(dir.resolve("o.fifo"));
        AtomicReference<FileInputStream> reader = new AtomicReference<>();
        Thread opener = Thread.ofPlatform().start(() -> {
            try {
                reader.set(new FileInputStream(p.toFile()));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        AtomicReference<FileHandle> handle = new AtomicReference<>();
        CountDownLatch opened = new CountDownLatch(1);
        byte[] first = pattern(4 * 65536 * 4);  // more than a pipe buffer: blocks
        Task<Void> t = rt.spawn(() -> {
            handle.set(FileHandle.open(p, java.nio.file.StandardOpenOption.WRITE));
            opened.countDown();
            try {
                h(handle).write(first);
            } catch (InterruptedIOException expected) {
                // cancelled below
            }
            return null;
        });
        opened.await();
        opener.join();
        await("write job started", Duration.ofSeconds(10), () -> Fs.stats(rt).inFlight() == 1);
        cancelAndTime(t);
        Task<Void> second = rt.spawn(() -> {
            h(handle).write(new byte[] {0});    // waits for the first write's job to end
            h(handle).close();
            return null;
        });
        byte[] all;
        try (FileInputStream in = reader.get()) {
            all = in.readAllBytes();
        }
        second.join();
        assertTrue(all.length >= 1 && all.length % ChunkIo.CHUNK == 1, "whole chunks then the second write: " + all.length);
        assertEquals(0, all[all.length - 1], "the second write came after the first one's bytes");
        assertArrayEquals(Arrays.copyOf(first, all.length - 1), Arrays.copyOf(all, all.length - 1));
    }

    /**
     * Two operations of one handle cancelled while their jobs wait for the blocking pool (its one
     * thread held): a size() and a setLength(0). The next operation, a read answered on the
     * carrier, waits for both, so it sees the truncation that was asked for before it. The handle
     * remembered only the last one cancelled (the size, whose job ended first), so the read ran
     * while the truncation was still queued and returned the old bytes.
     */
    @Test
    void theNextOperationWaitsForEveryCancelledOneStillRunning() throws Exception {
        Path f = dir.resolve("ordered");
        Files.write(f, pattern(100));
        WeftRuntime one = WeftRuntime.builder().name("fs-cancel-order").carriers(1).blockingThreads(1).build();
        try {
            FileHandle h = one.run(() -> FileHandle.open(f, java.nio.file.StandardOpenOption.READ,
                    java.nio.file.StandardOpenOption.WRITE));
            assumeTrue(one.run(() -> h.backendHere()) == FsBackend.IO_URING || dev.weft.fs.internal.NoWait.READ_AVAILABLE,
                    "reads would take the blocking pool too, which keeps them in order anyway");
            CountDownLatch firstHeld = new CountDownLatch(1);
            CountDownLatch releaseFirst = new CountDownLatch(1);
            CountDownLatch releaseSecond = new CountDownLatch(1);
            one.spawnBlocking(() -> {
                firstHeld.countDown();
                releaseFirst.await();
                return null;
            });
            assertTrue(firstHeld.await(10, TimeUnit.SECONDS));
            Task<Long> size = one.spawn(h::size);
            awaitPoolQueue(one, 1);
            one.spawnBlocking(() -> {
                releaseSecond.await();
                return null;
            });
            awaitPoolQueue(one, 2);
            Task<Void> truncate = one.spawn(() -> {
                h.setLength(0);
                return null;
            });
            awaitPoolQueue(one, 3);
            cancelAndTime(truncate);   // queued: its job truncates when it runs
            cancelAndTime(size);       // the handle's last cancelled operation
            releaseFirst.countDown();  // the size job runs and ends; the second blocker holds the thread
            awaitPoolQueue(one, 1);
            AtomicReference<Thread> readerThread = new AtomicReference<>();
            Task<Integer> read = one.spawn(() -> {
                readerThread.set(Thread.currentThread());
                return h.readAt(0, new byte[100], 0, 100);
            });
            await("the read ended or waits for the cancelled operations", Duration.ofSeconds(10),
                    () -> read.isDone() || waitsIn(readerThread.get(), "awaitPending"));
            releaseSecond.countDown();
            assertEquals(-1, read.join(), "the read ran before the truncation cancelled ahead of it");
            one.run(() -> {
                h.close();
                return null;
            });
        } finally {
            one.shutdown(Duration.ofSeconds(5));
        }
    }

    private static void awaitPoolQueue(WeftRuntime rt, int queued) {
        await("blocking pool queue of " + queued, Duration.ofSeconds(10),
                () -> dev.weft.core.spi.RuntimeAccess.stats(rt).blockingQueued() == queued);
    }

    /** Whether {@code t} is parked with {@code method} on its stack. */
    private static boolean waitsIn(Thread t, String method) {
        if (t == null || t.getState() != Thread.State.WAITING) {
            return false;
        }
        return Arrays.stream(t.getStackTrace()).anyMatch(e -> e.getMethodName().equals(method));
    }
}
