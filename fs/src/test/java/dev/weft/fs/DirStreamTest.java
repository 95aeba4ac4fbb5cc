package dev.weft.fs;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link DirStream}: streaming, batch by batch, never the whole directory at once. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DirStreamTest {
    static WeftRuntime rt;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("fs-dir").carriers(2).build();
    }

    @AfterAll
    static void stop() {
        rt.shutdown(Duration.ofSeconds(5));
    }

    /** 10,000 entries stream through with at most one batch held, and every entry is seen once. */
    @Test
    void streamsTenThousandFilesBatchByBatch() throws Exception {
        int n = 10_000;
        for (int i = 0; i < n; i++) {
            Files.createFile(dir.resolve("f" + i));
        }
        rt.run(() -> {
            Set<String> seen = new HashSet<>();
            int maxBuffered = 0;
            try (DirStream s = Fs.list(dir)) {
                assertEquals(0, s.buffered(), "nothing fetched before the first entry is asked for");
                Path first = s.nextEntry();
                assertTrue(first.getFileName().toString().startsWith("f"));
                seen.add(first.getFileName().toString());
                assertTrue(s.buffered() < DirStream.BATCH, "one batch at most: " + s.buffered());
                assertEquals(1, s.batchesFetched());
                for (Path p : s) {
                    assertEquals(dir, p.getParent());
                    assertTrue(seen.add(p.getFileName().toString()), "seen twice: " + p);
                    maxBuffered = Math.max(maxBuffered, s.buffered());
                }
                assertTrue(maxBuffered < DirStream.BATCH);
                assertTrue(s.batchesFetched() >= n / DirStream.BATCH, "fetched in batches: " + s.batchesFetched());
                assertNull(s.nextEntry());
            }
            assertEquals(n, seen.size());
            return null;
        });
    }

    /** An empty directory yields nothing; a glob filters by file name. */
    @Test
    void emptyAndGlob() throws Exception {
        Files.createDirectories(dir.resolve("empty"));
        Files.createFile(dir.resolve("a.txt"));
        Files.createFile(dir.resolve("b.txt"));
        Files.createFile(dir.resolve("c.bin"));
        rt.run(() -> {
            try (DirStream s = Fs.list(dir.resolve("empty"))) {
                assertFalse(s.iterator().hasNext());
            }
            Set<String> names = new HashSet<>();
            try (DirStream s = Fs.list(dir, "*.txt")) {
                s.forEach(p -> names.add(p.getFileName().toString()));
            }
            assertEquals(Set.of("a.txt", "b.txt"), names);
            return null;
        });
    }

    /** Errors: a missing directory and a file; iterator() twice; use after close; close twice. */
    @Test
    void errorsAndLifecycle() throws Exception {
        Path file = dir.resolve("file");
        Files.createFile(file);
        Path missing = dir.resolve("missing");
        NoSuchFileException e1 = assertThrows(NoSuchFileException.class, () -> rt.run(() -> Fs.list(missing)));
        assertTrue(e1.getMessage().contains(missing.toString()));
        NotDirectoryException e2 = assertThrows(NotDirectoryException.class, () -> rt.run(() -> Fs.list(file)));
        assertTrue(e2.getMessage().contains(file.toString()));
        rt.run(() -> {
            DirStream s = Fs.list(dir);
            Iterator<Path> it = s.iterator();
            assertTrue(it.hasNext());
            assertThrows(IllegalStateException.class, s::iterator);
            s.close();
            s.close();
            assertFalse(it.hasNext());
            assertThrows(IllegalStateException.class, s::nextEntry);
            return null;
        });
    }

    /**
     * A close from another thread while the owner waits for its next batch makes that call throw
     * IllegalStateException (closed), as nextEntry documents, instead of returning null as if the
     * directory had ended: a caller copying "every entry" would stop early believing it had them
     * all. The owner's fetch is held in the file-operation queue (one slot, taken by a write
     * blocked on a FIFO) while the stream is closed.
     */
    @Test
    void closeWhileTheOwnerFetchesIsNotTheEndOfTheDirectory() throws Exception {
        for (int i = 0; i < DirStream.BATCH + 44; i++) {
            Files.createFile(dir.resolve("f" + i));
        }
        Path fifo = FsTesting.fifo(dir.resolve("hold.fifo"));
        WeftRuntime one = WeftRuntime.builder().name("fs-dir-close").carriers(1).build();
        try {
            Fs.setMaxInFlight(one, 1);
            AtomicReference<DirStream> stream = new AtomicReference<>();
            CountDownLatch drained = new CountDownLatch(1);
            CountDownLatch fetchNext = new CountDownLatch(1);
            Task<Object> owner = one.spawn(() -> {
                DirStream s = Fs.list(dir);
                stream.set(s);
                for (int i = 0; i < DirStream.BATCH; i++) {
                    assertTrue(s.nextEntry() != null, "entry " + i);
                }
                assertEquals(0, s.buffered(), "the first batch is used up");
                drained.countDown();
                fetchNext.await();
                try {
                    return s.nextEntry();   // parks for the second batch
                } catch (IllegalStateException e) {
                    return e;
                }
            });
            assertTrue(drained.await(30, TimeUnit.SECONDS), "owner did not read the first batch");
            Task<Void> holder = one.spawn(() -> {
                Fs.write(fifo, new byte[] {1});   // blocks in the open until the FIFO has a reader
                return null;
            });
            FsTesting.await("the slot taken", Duration.ofSeconds(10), () -> Fs.stats(one).inFlight() == 1);
            fetchNext.countDown();
            FsTesting.await("the owner's fetch queued", Duration.ofSeconds(10), () -> Fs.stats(one).queued() == 1);
            stream.get().close();   // a plain thread: closes right here
            try (java.io.FileInputStream in = new java.io.FileInputStream(fifo.toFile())) {
                in.readAllBytes();
            }
            holder.join();
            Object outcome = owner.join();
            IllegalStateException e = assertInstanceOf(IllegalStateException.class, outcome,
                    "the owner's nextEntry after a concurrent close returned " + outcome + " (null reads as the end)");
            assertTrue(e.getMessage().contains("closed"), e.getMessage());
        } finally {
            one.shutdown(Duration.ofSeconds(5));
        }
    }

    /**
     * A DirStream opened in a task and closed on a carrier's thread outside any task (a Netty
     * handler) closes there, without error: closing must not fail for want of the blocking pool
     * (closedir does not block). It threw IllegalStateException, and the cleaner then reported
     * the stream as never closed.
     */
    @Test
    void closeOnACarrierThreadOutsideATaskCloses() throws Exception {
        Path d = Files.createDirectories(dir.resolve("carrier-close"));
        Files.createFile(d.resolve("a"));
        DirStream s = rt.run(() -> Fs.list(d));
        var loop = dev.weft.core.spi.RuntimeAccess.eventLoopGroup(rt).next();
        loop.submit(() -> {
            s.close();
            return null;
        }).get(10, TimeUnit.SECONDS);
        assertThrows(IllegalStateException.class, () -> rt.run(s::nextEntry), "closed");
    }
}
