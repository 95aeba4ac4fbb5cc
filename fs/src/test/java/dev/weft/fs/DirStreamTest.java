package dev.weft.fs;

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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
}
