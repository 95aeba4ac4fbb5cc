package dev.weft.fs;

import dev.weft.core.Task;
import dev.weft.core.Transport;
import dev.weft.core.WeftRuntime;
import dev.weft.net.TcpListener;
import dev.weft.net.TcpStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static dev.weft.fs.FsTesting.awaitIdle;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The backend choice, cancellation of io_uring requests, and carrier health while a file storm
 * runs (on both backends).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FsUringTest {
    @TempDir
    Path dir;

    static void assumeUring() {
        assumeTrue(Fs.backendUnavailabilityCause() == null, "io_uring unavailable: " + Fs.backendUnavailabilityCause());
    }

    static WeftRuntime runtime(String name, FsBackend backend) {
        WeftRuntime rt = WeftRuntime.builder().name(name).carriers(1).build();
        if (backend == FsBackend.BLOCKING_POOL) {
            Fs.setBackend(rt, FsBackend.BLOCKING_POOL);
        }
        return rt;
    }

    /** A runtime on another transport takes the blocking pool and says why; io_uring cannot be forced on it. */
    @Test
    void otherTransportFallsBackWithACause() {
        WeftRuntime rt = WeftRuntime.builder().name("fs-nio").transport(Transport.NIO).carriers(1).build();
        try {
            assertEquals(FsBackend.BLOCKING_POOL, Fs.backend(rt));
            assertEquals(FsBackend.BLOCKING_POOL, Fs.stats(rt).backend());
            String cause = Fs.backendUnavailabilityCause(rt);
            assertNotNull(cause);
            assertTrue(cause.contains("NIO"), cause);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Fs.setBackend(rt, FsBackend.IO_URING));
            assertTrue(e.getMessage().contains("io_uring"), e.getMessage());
        } finally {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    /** On an io_uring runtime the backend is io_uring with no cause; setBackend switches to the pool and back. */
    @Test
    void uringRuntimeReportsIoUring() {
        assumeUring();
        WeftRuntime rt = WeftRuntime.builder().name("fs-uring").transport(Transport.IO_URING).carriers(1).build();
        try {
            assertEquals(FsBackend.IO_URING, Fs.backend(rt));
            assertNull(Fs.backendUnavailabilityCause(rt));
            Fs.setBackend(rt, FsBackend.BLOCKING_POOL);
            assertEquals(FsBackend.BLOCKING_POOL, Fs.backend(rt));
            assertTrue(Fs.backendUnavailabilityCause(rt).contains("setBackend"));
            Fs.setBackend(rt, null);
            assertEquals(FsBackend.IO_URING, Fs.backend(rt));
        } finally {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    /** Whole-file reads of many sizes return the file's bytes; errors are the JDK's types with the path. */
    @ParameterizedTest
    @EnumSource(FsBackend.class)
    void readAllBytesSizesAndErrors(FsBackend backend) throws Exception {
        if (backend == FsBackend.IO_URING) {
            assumeUring();
        }
        WeftRuntime rt = runtime("fs-readall", backend);
        try {
            for (int size : new int[] {0, 1, 4096, 8192, 8193, 300_000, 3 << 20}) {
                Path f = dir.resolve("r" + size);
                byte[] data = FileHandleTest.pattern(size);
                Files.write(f, data);
                assertArrayEquals(data, rt.run(() -> Fs.readAllBytes(f)), "size " + size);
            }
            Path missing = dir.resolve("missing");
            java.nio.file.NoSuchFileException e = assertThrows(java.nio.file.NoSuchFileException.class,
                    () -> rt.run(() -> Fs.readAllBytes(missing)));
            assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
            Path sub = Files.createDirectory(dir.resolve("sub"));
            java.io.IOException e2 = assertThrows(java.io.IOException.class, () -> rt.run(() -> Fs.readAllBytes(sub)));
            assertTrue(e2.getMessage().contains("directory"), e2.getMessage());
            awaitIdle(rt);
            FsStats s = Fs.stats(rt);
            if (backend == FsBackend.IO_URING) {
                assertTrue(s.uringOps() + s.noWaitOps() > 0 && s.poolOps() == 0,
                        "whole-file reads went through the ring or the carrier-side calls only: " + s);
            } else {
                assertEquals(0, s.uringOps(), "no ring request on the pool backend: " + s);
            }
            assertFifoReadWhole(rt, "fifo-" + backend);   // a pipe: on the pool, whatever the backend
        } finally {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    /** A FIFO read whole: every byte, whether its writer comes before or after the reader. */
    private void assertFifoReadWhole(WeftRuntime rt, String name) throws Exception {
        Path fifo = dir.resolve(name);
        Process mk = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assumeTrue(mk.waitFor(10, TimeUnit.SECONDS) && mk.exitValue() == 0, "no mkfifo here");
        byte[] sent = FileHandleTest.pattern(200_000);
        for (boolean writerFirst : new boolean[] {true, false}) {
            CountDownLatch readerStarted = new CountDownLatch(1);
            Runnable write = () -> {
                try (java.io.OutputStream o = Files.newOutputStream(fifo)) {
                    o.write(sent);
                } catch (java.io.IOException failed) {
                    throw new java.io.UncheckedIOException(failed);
                }
            };
            Thread writer = writerFirst ? Thread.ofPlatform().start(write) : null;
            Task<byte[]> reader = rt.spawn(() -> {
                readerStarted.countDown();
                return Fs.readAllBytes(fifo);
            });
            if (writer == null) {
                assertTrue(readerStarted.await(10, TimeUnit.SECONDS), "reader never started");
                writer = Thread.ofPlatform().start(write);
            }
            assertArrayEquals(sent, reader.join(Duration.ofSeconds(30)), "all of the FIFO's bytes, writer first: " + writerFirst);
            writer.join(10_000);
            assertTrue(!writer.isAlive(), "the writer finished");
        }
    }

    /**
     * A task cancelled while its io_uring reads are in flight wakes with InterruptedIOException;
     * the requests still complete (their buffers and slots come back: nothing stays in flight), the
     * next operation on the same handle runs, and the file is unchanged.
     */
    @ParameterizedTest
    @EnumSource(FsBackend.class)
    void cancelledReadWakesAndTheHandleStaysUsable(FsBackend backend) throws Exception {
        if (backend == FsBackend.IO_URING) {
            assumeUring();
        }
        byte[] data = FileHandleTest.pattern(8 << 20);
        Path f = dir.resolve("big");
        Files.write(f, data);
        WeftRuntime rt = runtime("fs-cancel-read", backend);
        try {
            FileHandle h = rt.run(() -> FileHandle.open(f));
            CountDownLatch firstDone = new CountDownLatch(1);
            AtomicReference<Throwable> seen = new AtomicReference<>();
            Task<Void> t = rt.spawn(() -> {
                byte[] buf = new byte[data.length];
                try {
                    while (true) {
                        h.readAt(0, buf, 0, buf.length);
                        firstDone.countDown();
                    }
                } catch (Throwable e) {
                    seen.set(e);
                    throw e;
                }
            });
            assertTrue(firstDone.await(30, TimeUnit.SECONDS), "first read never completed");
            t.cancel();
            assertThrows(CancellationException.class, () -> t.join(Duration.ofSeconds(10)), "cancelled task did not wake");
            assertInstanceOf(InterruptedIOException.class, seen.get());
            awaitIdle(rt);
            byte[] back = rt.run(() -> {
                byte[] b = new byte[data.length];
                h.readExactAt(0, b, 0, b.length);
                h.close();
                return b;
            });
            assertArrayEquals(data, back);
        } finally {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    /**
     * A task cancelled during a large write wakes with InterruptedIOException; once the request
     * in flight completes, the file holds a prefix of the data at least {@code bytesTransferred}
     * long.
     */
    @ParameterizedTest
    @EnumSource(FsBackend.class)
    void cancelledWriteLeavesAPrefix(FsBackend backend) throws Exception {
        if (backend == FsBackend.IO_URING) {
            assumeUring();
        }
        byte[] data = FileHandleTest.pattern(32 << 20);
        Path f = dir.resolve("w");
        WeftRuntime rt = runtime("fs-cancel-write", backend);
        try {
            CountDownLatch opened = new CountDownLatch(1);
            AtomicReference<Throwable> seen = new AtomicReference<>();
            Task<Void> t = rt.spawn(() -> {
                try (FileHandle h = FileHandle.open(f, READ, WRITE, CREATE_NEW)) {
                    opened.countDown();
                    h.write(data);
                } catch (Throwable e) {
                    seen.set(e);
                    throw e;
                }
                return null;
            });
            assertTrue(opened.await(30, TimeUnit.SECONDS));
            t.cancel();
            try {
                t.join(Duration.ofSeconds(10));
            } catch (CancellationException expected) {
                // the usual outcome; a write that won the race completes normally
            }
            awaitIdle(rt);
            byte[] got = Files.readAllBytes(f);
            assertTrue(got.length <= data.length);
            assertArrayEquals(Arrays.copyOf(data, got.length), got, "the file is a prefix of the data");
            if (seen.get() instanceof InterruptedIOException e) {
                assertTrue(got.length >= e.bytesTransferred, got.length + " < " + e.bytesTransferred);
            }
        } finally {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    /**
     * A one-carrier runtime serves an echo socket while 64 tasks read files as fast as they can on
     * the same carrier: every echo comes back within a bounded wait (not a speed assertion: the
     * bound is seconds), and the storm made progress meanwhile.
     */
    @ParameterizedTest
    @EnumSource(FsBackend.class)
    void carrierAnswersSocketsDuringAFileStorm(FsBackend backend) throws Exception {
        if (backend == FsBackend.IO_URING) {
            assumeUring();
        }
        int files = 500;
        for (int i = 0; i < files; i++) {
            Files.write(dir.resolve("s" + i), FileHandleTest.pattern(4096));
        }
        WeftRuntime rt = runtime("fs-health", backend);
        AtomicBoolean storming = new AtomicBoolean(true);
        AtomicLong filesRead = new AtomicLong();
        List<Task<Void>> storm = new ArrayList<>();
        try {
            TcpListener l = rt.run(() -> TcpListener.bind(rt, new InetSocketAddress("127.0.0.1", 0)));
            Task<Void> echo = rt.spawn(() -> {
                try (TcpStream s = l.accept()) {
                    byte[] b = new byte[64];
                    int n;
                    while ((n = s.read(b)) > 0) {
                        s.write(b, 0, n);
                        s.flush();
                    }
                }
                return null;
            });
            for (int t = 0; t < 64; t++) {
                int id = t;
                storm.add(rt.spawn(() -> {
                    byte[] buf = new byte[4096];
                    for (int k = id; storming.get(); k++) {
                        Path p = dir.resolve("s" + (k % files));
                        if ((k & 1) == 0) {
                            try (FileHandle h = FileHandle.open(p)) {
                                h.readExactAt(0, buf, 0, 4096);
                            }
                        } else {
                            Fs.readAllBytes(p);
                        }
                        filesRead.incrementAndGet();
                    }
                    return null;
                }));
            }
            try (Socket c = new Socket("127.0.0.1", l.localAddress().getPort())) {
                c.setSoTimeout(10_000);
                c.setTcpNoDelay(true);
                InputStream in = c.getInputStream();
                OutputStream out = c.getOutputStream();
                long before = filesRead.get();
                for (int i = 0; i < 200; i++) {
                    out.write(i);
                    out.flush();
                    assertEquals(i & 0xff, in.read(), "echo " + i + " (bounded wait of 10 s per echo)");
                }
                assertTrue(filesRead.get() > before, "the storm ran during the echoes");
            }
            storming.set(false);
            for (Task<Void> t : storm) {
                t.join(Duration.ofSeconds(30));
            }
            echo.join(Duration.ofSeconds(10));
            l.close();
            awaitIdle(rt);
        } finally {
            storming.set(false);
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    /**
     * Reads of files in the page cache complete on the carrier itself ({@code preadv2(RWF_NOWAIT)},
     * counted in {@code noWaitOps}) and return the same bytes, at every offset and size, as the
     * ring path: whole-file reads, positional reads across chunk boundaries, and end of file.
     */
    @Test
    void cachedReadsCompleteOnTheCarrier() throws Exception {
        assumeUring();
        int size = 3 * (256 << 10) + 12_345;   // spans chunks, ends mid-chunk
        byte[] data = FileHandleTest.pattern(size);
        Path f = dir.resolve("cached");
        Files.write(f, data);
        Files.readAllBytes(f);   // in the page cache
        WeftRuntime rt = runtime("fs-nowait", FsBackend.IO_URING);
        try {
            long before = Fs.stats(rt).noWaitOps();
            assertArrayEquals(data, rt.run(() -> Fs.readAllBytes(f)));
            rt.run(() -> {
                try (FileHandle h = FileHandle.open(f)) {
                    for (int at : new int[] {0, 1, (256 << 10) - 7, size - 100, size - 1}) {
                        int len = Math.min(300_000, size - at);
                        byte[] got = new byte[len];
                        h.readExactAt(at, got, 0, len);
                        assertArrayEquals(Arrays.copyOfRange(data, at, at + len), got, "at " + at);
                    }
                    assertEquals(-1, h.readAt(size, new byte[10], 0, 10), "end of file");
                    byte[] all = new byte[size];
                    int n = 0;
                    int r;
                    while ((r = h.read(all, n, Math.min(65_536, size - n))) > 0) {
                        n += r;
                    }
                    assertEquals(size, n);
                    assertArrayEquals(data, all);
                }
                return null;
            });
            assertTrue(Fs.stats(rt).noWaitOps() > before, "cached reads took the carrier-side path: " + Fs.stats(rt));
            awaitIdle(rt);
        } finally {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    /**
     * Reads of 32 KiB or more of a file in the page cache go straight into the caller's array
     * ({@code directReadBytes}) with the same bytes; a descriptor whose first read found the file
     * out of the cache never does (its own readahead may still be in flight), while a new handle
     * on the now-cached file does again. Eviction is {@code posix_fadvise(DONTNEED)} of the synced file.
     */
    @Test
    void cachedReadsGoStraightIntoTheArrayUnlessTheDescriptorMetTheDisk() throws Throwable {
        assumeUring();
        int size = 4 << 20;
        byte[] data = FileHandleTest.pattern(size);
        Path f = dir.resolve("direct");
        Files.write(f, data);
        try (var ch = java.nio.channels.FileChannel.open(f, READ, WRITE)) {
            ch.force(true);   // clean pages, so that DONTNEED drops them
        }
        WeftRuntime rt = runtime("fs-direct", FsBackend.IO_URING);
        try {
            evict(f, size);
            FsStats before = Fs.stats(rt);
            byte[] first = rt.run(() -> readInChunks(f, size, 65_536));
            FsStats afterCold = Fs.stats(rt);
            assertArrayEquals(data, first);
            assumeTrue(afterCold.uringOps() > before.uringOps(), "the file stayed cached (no eviction here): " + afterCold);
            assertEquals(before.directReadBytes(), afterCold.directReadBytes(),
                    "a descriptor that found the file out of the cache reads through a chunk: " + afterCold);

            byte[] second = rt.run(() -> readInChunks(f, size, 65_536));
            FsStats afterWarm = Fs.stats(rt);
            assertArrayEquals(data, second);
            assertEquals(size, afterWarm.directReadBytes() - afterCold.directReadBytes(),
                    "every 64 KiB read of the cached file went straight into the array: " + afterWarm);
            assertEquals(afterCold.uringOps(), afterWarm.uringOps(), "no ring request for a cached file");

            byte[] small = rt.run(() -> readInChunks(f, size, 4096));
            assertArrayEquals(data, small);
            assertEquals(afterWarm.directReadBytes(), Fs.stats(rt).directReadBytes(), "4 KiB reads copy through the chunk");
            awaitIdle(rt);
        } finally {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    /**
     * Sixteen tasks on two carriers read one handle at once, at scattered offsets and sizes
     * (most of them straight into their arrays, some across the end of the file), while another
     * task rewrites part of the file through a second handle with the same bytes: every read
     * returns exactly the file's bytes. Repeated with a fresh handle each round.
     */
    @Test
    void concurrentDirectReadsOfOneHandleReturnTheFilesBytes() throws Exception {
        assumeUring();
        int size = (8 << 20) + 777;
        byte[] data = FileHandleTest.pattern(size);
        Path f = dir.resolve("shared");
        Files.write(f, data);
        WeftRuntime rt = WeftRuntime.builder().name("fs-direct-shared").carriers(2).build();
        try {
            long before = Fs.stats(rt).directReadBytes();
            for (int round = 0; round < 3; round++) {
                FileHandle h = rt.run(() -> FileHandle.open(f));
                FileHandle w = rt.run(() -> FileHandle.open(f, READ, WRITE));
                try {
                    List<Task<Void>> tasks = new ArrayList<>();
                    for (int t = 0; t < 16; t++) {
                        long seed = round * 1_000_003L + t * 7919L;
                        // Spawned from outside the runtime: round-robin, so both carriers read at once.
                        tasks.add(rt.spawn(() -> {
                            java.util.Random r = new java.util.Random(seed);
                            for (int i = 0; i < 200; i++) {
                                int at = r.nextInt(size);
                                int len = 1 + r.nextInt(300_000);
                                byte[] got = new byte[len];
                                int n = h.readAt(at, got, 0, len);
                                int expected = Math.min(len, size - at);
                                assertTrue(n > 0 && n <= expected, "read " + n + " of " + expected + " at " + at);
                                assertArrayEquals(Arrays.copyOfRange(data, at, at + n), Arrays.copyOf(got, n), "at " + at + ", " + n + " bytes");
                            }
                            return null;
                        }));
                    }
                    tasks.add(rt.spawn(() -> {
                        for (int i = 0; i < 50; i++) {
                            int at = (i * 131_071) % (size - 65_536);
                            w.writeAt(at, data, at, 65_536);   // the same bytes: readers see no change
                        }
                        return null;
                    }));
                    for (Task<Void> t : tasks) {
                        t.join();
                    }
                } finally {
                    rt.run(() -> {
                        h.close();
                        w.close();
                        return null;
                    });
                }
            }
            assertTrue(Fs.stats(rt).directReadBytes() > before, "reads went straight into the arrays: " + Fs.stats(rt));
            awaitIdle(rt);
        } finally {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    private static byte[] readInChunks(Path f, int size, int chunk) throws java.io.IOException {
        byte[] all = new byte[size];
        try (FileHandle h = FileHandle.open(f)) {
            int n = 0;
            int r;
            while (n < size && (r = h.read(all, n, Math.min(chunk, size - n))) > 0) {
                n += r;
            }
            assertEquals(size, n);
            assertEquals(-1, h.read(new byte[chunk], 0, chunk), "end of file");
        }
        return all;
    }

    /** Drops the (clean) pages of {@code f} from the page cache. */
    private static void evict(Path f, long size) throws Throwable {
        var linker = java.lang.foreign.Linker.nativeLinker();
        var fadvise = linker.downcallHandle(linker.defaultLookup().find("posix_fadvise").orElseThrow(),
                java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_INT,
                        java.lang.foreign.ValueLayout.JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_LONG, java.lang.foreign.ValueLayout.JAVA_INT));
        int fd = dev.weft.fs.internal.Posix.open(f, dev.weft.fs.internal.Posix.O_RDONLY);
        try {
            int r = (int) fadvise.invokeExact(fd, 0L, size, 4 /* POSIX_FADV_DONTNEED */);
            assumeTrue(r == 0, "posix_fadvise failed: " + r);
        } finally {
            dev.weft.fs.internal.Posix.close(fd);
        }
    }

    /**
     * A task that reads cached files back to back never parks, yet it does not keep its carrier
     * to itself: another task spawned on the same one-carrier runtime runs while it loops (the
     * reader stops when it sees that task's flag; without yielding it would loop to its bound).
     */
    @Test
    void cachedReadsLetOtherTasksOnTheCarrierRun() throws Exception {
        assumeUring();
        assertReaderLetsOthersRun(runtime("fs-nowait-coop", FsBackend.IO_URING));
    }

    private void assertReaderLetsOthersRun(WeftRuntime rt) throws Exception {
        Path f = dir.resolve("small");
        Files.write(f, FileHandleTest.pattern(4096));
        Files.readAllBytes(f);
        try {
            AtomicBoolean otherRan = new AtomicBoolean();
            CountDownLatch readerStarted = new CountDownLatch(1);
            int bound = 1_000_000;
            Task<Integer> reader = rt.spawn(() -> {
                readerStarted.countDown();
                int i = 0;
                while (!otherRan.get() && i < bound) {
                    Fs.readAllBytes(f);
                    i++;
                }
                return i;
            });
            assertTrue(readerStarted.await(30, TimeUnit.SECONDS), "reader never started");
            // Queued behind a reader that is already looping: only the lane's pass lets it run.
            Task<Void> other = rt.spawn(() -> {
                otherRan.set(true);
                return null;
            });
            other.join(Duration.ofSeconds(60));
            int reads = reader.join(Duration.ofSeconds(60));
            assertTrue(reads < bound, "the reader kept the carrier for all " + bound + " reads");
            awaitIdle(rt);
        } finally {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    /**
     * Many tasks reading cached files on one carrier all make progress (they take turns on the
     * carrier-side lane, oldest waiter first), and one of them cancelled while it waits for its
     * turn wakes at once with InterruptedIOException; the others go on.
     */
    @Test
    void readersTakeTurnsAndAWaitingReaderCanBeCancelled() throws Exception {
        assumeUring();
        Path f = dir.resolve("turns");
        byte[] data = FileHandleTest.pattern(4096);
        Files.write(f, data);
        Files.readAllBytes(f);
        WeftRuntime rt = runtime("fs-lane", FsBackend.IO_URING);
        AtomicBoolean stop = new AtomicBoolean();
        try {
            int readers = 8;
            AtomicLong[] counts = new AtomicLong[readers];
            List<Task<Void>> tasks = new ArrayList<>();
            AtomicReference<Throwable> cancelledSaw = new AtomicReference<>();
            for (int t = 0; t < readers; t++) {
                AtomicLong c = counts[t] = new AtomicLong();
                boolean victim = t == 3;
                tasks.add(rt.spawn(() -> {
                    try {
                        while (!stop.get()) {
                            assertArrayEquals(data, Fs.readAllBytes(f));
                            c.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        if (victim) {
                            cancelledSaw.set(e);
                        }
                        throw e;
                    }
                    return null;
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (AtomicLong c : counts) {
                while (c.get() < 50) {
                    assertTrue(System.nanoTime() < deadline, "a reader made no progress: " + Arrays.toString(counts));
                    Thread.onSpinWait();
                }
            }
            tasks.get(3).cancel();
            assertThrows(CancellationException.class, () -> tasks.get(3).join(Duration.ofSeconds(10)),
                    "the cancelled reader did not wake");
            assertInstanceOf(InterruptedIOException.class, cancelledSaw.get());
            long before = counts[0].get();
            while (counts[0].get() < before + 50) {
                assertTrue(System.nanoTime() < deadline, "the others stopped after the cancel");
                Thread.onSpinWait();
            }
            stop.set(true);
            for (int t = 0; t < readers; t++) {
                if (t != 3) {
                    tasks.get(t).join(Duration.ofSeconds(30));
                }
            }
            awaitIdle(rt);
        } finally {
            stop.set(true);
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    /**
     * A runtime that gives carrier-side calls no time takes the ring for every read and open (no
     * carrier-side call counted, same bytes); the setting is validated and read back.
     */
    @Test
    void carrierTimePerPassZeroTurnsTheCallsOff() throws Exception {
        assumeUring();
        byte[] data = FileHandleTest.pattern(300_000);
        Path f = dir.resolve("off");
        Files.write(f, data);
        Files.readAllBytes(f);
        WeftRuntime rt = runtime("fs-nowait-off", FsBackend.IO_URING);
        try {
            assertEquals(Duration.ofNanos(50_000), Fs.carrierTimePerPass(rt));
            assertThrows(IllegalArgumentException.class, () -> Fs.setCarrierTimePerPass(rt, Duration.ofNanos(-1)));
            assertThrows(IllegalArgumentException.class, () -> Fs.setCarrierTimePerPass(rt, Duration.ofSeconds(2)));
            Fs.setCarrierTimePerPass(rt, Duration.ZERO);
            assertEquals(Duration.ZERO, Fs.carrierTimePerPass(rt));
            FsStats before = Fs.stats(rt);
            assertArrayEquals(data, rt.run(() -> Fs.readAllBytes(f)));
            byte[] back = rt.run(() -> {
                try (FileHandle h = FileHandle.open(f)) {
                    byte[] b = new byte[data.length];
                    h.readExactAt(0, b, 0, b.length);
                    return b;
                }
            });
            assertArrayEquals(data, back);
            awaitIdle(rt);
            FsStats after = Fs.stats(rt);
            assertEquals(before.noWaitOps(), after.noWaitOps(), "no carrier-side call: " + after);
            assertTrue(after.uringOps() > before.uringOps(), "the reads were ring requests: " + after);
            Fs.setCarrierTimePerPass(rt, Duration.ofNanos(50_000));
            assertArrayEquals(data, rt.run(() -> Fs.readAllBytes(f)));
            assertTrue(Fs.stats(rt).noWaitOps() > after.noWaitOps(), "back on: " + Fs.stats(rt));
        } finally {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    /**
     * On transports without io_uring (epoll, NIO) whole-file reads also try the carrier-side
     * calls first (counted in noWaitOps; no pool job for a cached file), with the same bytes and
     * errors; a runtime that chose the blocking pool makes none; a reader looping on cached files
     * still lets the carrier's other tasks run.
     */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void otherTransportsTryTheCarrierSideCallsFirst(Transport transport) throws Exception {
        assumeTrue(dev.weft.fs.internal.NoWait.READ_AVAILABLE, "no preadv2 here");
        WeftRuntime rt;
        try {
            rt = WeftRuntime.builder().name("fs-" + transport).transport(transport).carriers(1).build();
        } catch (RuntimeException unavailable) {
            assumeTrue(false, transport + " unavailable: " + unavailable);
            return;
        }
        try {
            assertEquals(FsBackend.BLOCKING_POOL, Fs.backend(rt));
            for (int size : new int[] {0, 1, 4096, 300_000, 3 << 20}) {
                Path f = dir.resolve("t" + size);
                byte[] data = FileHandleTest.pattern(size);
                Files.write(f, data);
                Files.readAllBytes(f);
                assertArrayEquals(data, rt.run(() -> Fs.readAllBytes(f)), "size " + size);
            }
            FsStats s = Fs.stats(rt);
            assertTrue(s.noWaitOps() > 0, "carrier-side calls made: " + s);
            // File handles: positional and sequential reads through the handle's raw descriptor.
            Path big = dir.resolve("t" + (3 << 20));
            byte[] bigData = Files.readAllBytes(big);
            long beforeHandle = Fs.stats(rt).noWaitOps();
            rt.run(() -> {
                try (FileHandle h = FileHandle.open(big)) {
                    for (int at : new int[] {0, 7, (256 << 10) - 1, bigData.length - 10}) {
                        int len = Math.min(300_000, bigData.length - at);
                        byte[] got = new byte[len];
                        h.readExactAt(at, got, 0, len);
                        assertArrayEquals(Arrays.copyOfRange(bigData, at, at + len), got, "at " + at);
                    }
                    assertEquals(-1, h.readAt(bigData.length, new byte[4], 0, 4));
                    byte[] all = new byte[bigData.length];
                    int n = 0;
                    int r;
                    while ((r = h.read(all, n, Math.min(65_536, all.length - n))) > 0) {
                        n += r;
                    }
                    assertEquals(bigData.length, n);
                    assertArrayEquals(bigData, all);
                    assertEquals(-1, h.read(new byte[1], 0, 1), "end of file after the sequential read");
                }
                return null;
            });
            assertTrue(Fs.stats(rt).noWaitOps() > beforeHandle, "handle reads took the carrier-side calls: " + Fs.stats(rt));
            Path missing = dir.resolve("missing");
            java.nio.file.NoSuchFileException e = assertThrows(java.nio.file.NoSuchFileException.class,
                    () -> rt.run(() -> Fs.readAllBytes(missing)));
            assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
            Path sub = Files.createDirectory(dir.resolve("sub-" + transport));
            java.io.IOException e2 = assertThrows(java.io.IOException.class, () -> rt.run(() -> Fs.readAllBytes(sub)));
            assertTrue(e2.getMessage().contains("directory"), e2.getMessage());

            assertFifoReadWhole(rt, "fifo-" + transport);

            Fs.setBackend(rt, FsBackend.BLOCKING_POOL);
            long before = Fs.stats(rt).noWaitOps();
            Path f = dir.resolve("t4096");
            assertArrayEquals(Files.readAllBytes(f), rt.run(() -> Fs.readAllBytes(f)));
            assertEquals(before, Fs.stats(rt).noWaitOps(), "a runtime that chose the pool makes no carrier-side call");
            Fs.setBackend(rt, null);
        } catch (Throwable t) {
            rt.shutdown(Duration.ofSeconds(5));
            throw t;
        }
        assertReaderLetsOthersRun(rt);
    }

    /**
     * A whole-file read of a file over 2 GiB throws the documented OutOfMemoryError having read
     * about a megabyte, not after growing its array towards 2 GiB (a sparse file of 3 GiB whose
     * first 32 MiB are in the page cache, so the carrier-side calls read them). A watchdog cancels
     * a read that makes more than 64 calls (16 MiB), so a failing run stays small too.
     */
    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"IO_URING", "EPOLL"})
    void readAllBytesOfAFileOverTwoGiBThrowsBeforeGrowingItsArray(Transport transport) throws Exception {
        if (transport == Transport.IO_URING) {
            assumeUring();
        } else {
            assumeTrue(dev.weft.fs.internal.NoWait.READ_AVAILABLE, "no preadv2 here");
        }
        WeftRuntime rt;
        try {
            rt = WeftRuntime.builder().name("fs-huge-" + transport).transport(transport).carriers(1).build();
        } catch (RuntimeException unavailable) {
            assumeTrue(false, transport + " unavailable: " + unavailable);
            return;
        }
        try {
            Path f = dir.resolve("sparse-3g");
            try (java.io.RandomAccessFile raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
                raf.setLength(3L << 30);
            }
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f)) {
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 << 20);
                for (long at = 0; at < 32 << 20; ) {
                    at += ch.read(b.clear(), at);
                }
            }
            FsStats before = Fs.stats(rt);
            Task<byte[]> t = rt.spawn(() -> Fs.readAllBytes(f));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!t.isDone() && calls(Fs.stats(rt)) - calls(before) <= 64) {
                assertTrue(System.nanoTime() < deadline, "the read neither ended nor read on");
                Thread.yield();
            }
            if (!t.isDone()) {
                t.cancel();
                throw new AssertionError("read on past 16 MiB of a 3 GiB file instead of refusing it: "
                        + (calls(Fs.stats(rt)) - calls(before)) + " calls");
            }
            dev.weft.core.TaskFailedException e = assertThrows(dev.weft.core.TaskFailedException.class, t::join);
            OutOfMemoryError oom = assertInstanceOf(OutOfMemoryError.class, e.getCause());
            assertTrue(oom.getMessage().contains("too large"), oom.getMessage());
        } finally {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    private static long calls(FsStats s) {
        return s.noWaitOps() + s.uringOps() + s.poolOps();
    }
}
