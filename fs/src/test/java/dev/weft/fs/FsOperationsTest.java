package dev.weft.fs;

import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.NotLinkException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Every {@link Fs} operation, run from a task, against real files; errors are the JDK's types with the path. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FsOperationsTest {
    static WeftRuntime rt;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("fs-ops").carriers(2).build();
    }

    @AfterAll
    static void stop() {
        rt.shutdown(Duration.ofSeconds(5));
    }

    /** Runs {@code body} as a task and rethrows its exception unchanged. */
    static <T> T inTask(Callable<T> body) throws Exception {
        return rt.run(body);
    }

    /** The thrown exception is of {@code type} and names {@code path}. */
    static <E extends Exception> E assertFails(Class<E> type, Path path, Callable<?> body) {
        E e = assertThrows(type, () -> inTask(body));
        assertTrue(e.getMessage().contains(path.toString()), "message names the path: " + e.getMessage());
        return e;
    }

    /** write then readAllBytes / readString round-trip; write truncates; append appends. */
    @Test
    void writeReadAppend() throws Exception {
        Path f = dir.resolve("a.txt");
        inTask(() -> {
            Fs.write(f, "hello world".getBytes(StandardCharsets.UTF_8));
            Fs.write(f, "hello".getBytes(StandardCharsets.UTF_8));
            assertEquals("hello", Fs.readString(f));
            Fs.append(f, " there".getBytes(StandardCharsets.UTF_8));
            assertArrayEquals("hello there".getBytes(StandardCharsets.UTF_8), Fs.readAllBytes(f));
            Fs.writeString(f, "žluť", StandardCharsets.UTF_16);
            assertEquals("žluť", Fs.readString(f, StandardCharsets.UTF_16));
            Fs.writeString(f, "x");
            Fs.writeString(f, "y", StandardOpenOption.APPEND);
            assertEquals("xy", Fs.readString(f));
            return null;
        });
        assertEquals("xy", Files.readString(f));
    }

    /** A file larger than several chunks, and an empty file, read back exactly. */
    @Test
    void largeAndEmptyFiles() throws Exception {
        byte[] data = new byte[3 * 256 * 1024 + 12345];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + (i >>> 9));
        }
        Path big = dir.resolve("big");
        Path empty = dir.resolve("empty");
        inTask(() -> {
            Fs.write(big, data);
            Fs.write(empty, new byte[0]);
            assertArrayEquals(data, Fs.readAllBytes(big));
            assertEquals(0, Fs.readAllBytes(empty).length);
            assertEquals(data.length, Fs.size(big));
            return null;
        });
        assertArrayEquals(data, Files.readAllBytes(big));
    }

    /** A file whose size the kernel reports as 0 (procfs) is still read whole. */
    @Test
    void readsFilesThatReportSizeZero() throws Exception {
        Path p = Path.of("/proc/self/status");
        assumeFalse(!Files.exists(p), "no procfs");
        String s = inTask(() -> new String(Fs.readAllBytes(p), StandardCharsets.UTF_8));
        assertTrue(s.contains("Name:"), s);
    }

    /** Reading a missing file throws NoSuchFileException naming it; invalid UTF-8 throws MalformedInputException. */
    @Test
    void readErrors() throws Exception {
        Path missing = dir.resolve("missing");
        assertFails(NoSuchFileException.class, missing, () -> Fs.readAllBytes(missing));
        assertFails(NoSuchFileException.class, missing, () -> Fs.readString(missing));
        Path bad = dir.resolve("bad");
        Files.write(bad, new byte[] {(byte) 0xff, (byte) 0xfe});
        assertThrows(MalformedInputException.class, () -> inTask(() -> Fs.readString(bad)));
        Path noParent = dir.resolve("nope/x");
        assertFails(NoSuchFileException.class, noParent, () -> {
            Fs.write(noParent, new byte[1]);
            return null;
        });
    }

    /** Permissions refused: AccessDeniedException naming the file. */
    @Test
    void accessDenied() throws Exception {
        assumeFalse("root".equals(System.getProperty("user.name")), "root ignores permissions");
        Path f = dir.resolve("secret");
        Files.writeString(f, "x");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
        assertFails(AccessDeniedException.class, f, () -> Fs.readAllBytes(f));
    }

    /** copy refuses an existing target unless REPLACE_EXISTING; move and rename; rename replaces. */
    @Test
    void copyMoveRename() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        Path c = dir.resolve("c");
        Files.writeString(a, "A");
        Files.writeString(b, "B");
        inTask(() -> {
            assertEquals(c, Fs.copy(a, c));
            assertEquals("A", Fs.readString(c));
            Fs.copy(b, c, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertEquals("B", Fs.readString(c));
            Fs.rename(a, c);
            assertEquals("A", Fs.readString(c));
            assertFalse(Fs.exists(a));
            Fs.move(c, a);
            assertEquals("A", Fs.readString(a));
            return null;
        });
        assertFails(FileAlreadyExistsException.class, b, () -> Fs.copy(a, b));
        assertFails(FileAlreadyExistsException.class, b, () -> Fs.move(a, b));
        Path missing = dir.resolve("missing");
        assertFails(NoSuchFileException.class, missing, () -> Fs.copy(missing, dir.resolve("z")));
        assertFails(NoSuchFileException.class, missing, () -> {
            Fs.rename(missing, dir.resolve("z"));
            return null;
        });
    }

    /** createDir, createDirs, removeFile, removeDir, removeDirAll and their error types. */
    @Test
    void directoriesAndRemoval() throws Exception {
        Path d = dir.resolve("d");
        Path deep = dir.resolve("x/y/z");
        inTask(() -> {
            assertEquals(d, Fs.createDir(d));
            assertEquals(deep, Fs.createDirs(deep));
            Fs.createDirs(deep);    // already there: fine
            assertTrue(Fs.metadata(deep).isDirectory());
            Fs.write(deep.resolve("f"), new byte[10]);
            Fs.removeFile(deep.resolve("f"));
            Fs.removeDir(deep);
            assertFalse(Fs.exists(deep));
            return null;
        });
        assertFails(FileAlreadyExistsException.class, d, () -> Fs.createDir(d));
        assertFails(NoSuchFileException.class, dir.resolve("q/r"), () -> Fs.createDir(dir.resolve("q/r")));
        Path f = dir.resolve("file");
        Files.writeString(f, "x");
        assertFails(FileAlreadyExistsException.class, f, () -> Fs.createDirs(f));
        assertFails(NotDirectoryException.class, f, () -> {
            Fs.removeDir(f);
            return null;
        });
        assertFails(FileSystemException.class, d, () -> {
            Fs.removeFile(d);
            return null;
        });
        Files.writeString(d.resolve("in"), "x");
        assertFails(DirectoryNotEmptyException.class, d, () -> {
            Fs.removeDir(d);
            return null;
        });
        Path gone = dir.resolve("gone");
        assertFails(NoSuchFileException.class, gone, () -> {
            Fs.removeFile(gone);
            return null;
        });
        assertFails(NoSuchFileException.class, gone, () -> {
            Fs.removeDir(gone);
            return null;
        });
        assertFails(NoSuchFileException.class, gone, () -> {
            Fs.removeDirAll(gone);
            return null;
        });
        assertFails(NotDirectoryException.class, f, () -> {
            Fs.removeDirAll(f);
            return null;
        });
    }

    /** removeDirAll removes a tree, and removes symlinks in it without following them. */
    @Test
    void removeDirAllDoesNotFollowLinks() throws Exception {
        Path outside = dir.resolve("outside");
        Files.createDirectories(outside);
        Files.writeString(outside.resolve("keep"), "keep");
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("a/b/c"));
        for (int i = 0; i < 50; i++) {
            Files.writeString(tree.resolve("a/b/f" + i), "x");
        }
        Files.createSymbolicLink(tree.resolve("a/link"), outside);
        inTask(() -> {
            Fs.removeDirAll(tree);
            return null;
        });
        assertFalse(Files.exists(tree, LinkOption.NOFOLLOW_LINKS));
        assertEquals("keep", Files.readString(outside.resolve("keep")));
    }

    /** metadata, readAttributes, exists, canonicalize, symlinks, hard links. */
    @Test
    void metadataAndLinks() throws Exception {
        Path f = dir.resolve("f");
        Files.writeString(f, "12345");
        Path link = dir.resolve("link");
        Path hard = dir.resolve("hard");
        inTask(() -> {
            BasicFileAttributes a = Fs.metadata(f);
            assertTrue(a.isRegularFile());
            assertEquals(5, a.size());
            assertTrue(Fs.readAttributes(f, PosixFileAttributes.class).permissions().size() > 0);
            assertEquals(link, Fs.createSymlink(link, f.getFileName()));
            assertEquals(f.getFileName(), Fs.readSymlink(link));
            assertTrue(Fs.metadata(link, LinkOption.NOFOLLOW_LINKS).isSymbolicLink());
            assertTrue(Fs.metadata(link).isRegularFile());
            Fs.createDir(dir.resolve("sub"));
            assertEquals(f.toRealPath(), Fs.canonicalize(dir.resolve("sub/../link")));
            assertEquals(hard, Fs.createHardLink(hard, f));
            assertEquals("12345", Fs.readString(hard));
            assertTrue(Fs.exists(f));
            assertFalse(Fs.exists(dir.resolve("nope")));
            return null;
        });
        Path dangling = dir.resolve("dangling");
        Files.createSymbolicLink(dangling, dir.resolve("nowhere"));
        assertFalse(inTask(() -> Fs.exists(dangling)));
        assertTrue(inTask(() -> Fs.exists(dangling, LinkOption.NOFOLLOW_LINKS)));
        assertFails(NoSuchFileException.class, dangling, () -> Fs.canonicalize(dangling));
        assertFails(NoSuchFileException.class, dir.resolve("nope"), () -> Fs.metadata(dir.resolve("nope")));
        assertFails(NotLinkException.class, f, () -> Fs.readSymlink(f));
        assertFails(FileAlreadyExistsException.class, link, () -> Fs.createSymlink(link, f));
    }

    /** Temporary files and directories are created where asked, with the prefix and suffix. */
    @Test
    void tempFiles() throws Exception {
        inTask(() -> {
            Path t = Fs.createTempFile(dir, "pre", ".suf");
            assertEquals(dir, t.getParent());
            assertTrue(t.getFileName().toString().startsWith("pre") && t.getFileName().toString().endsWith(".suf"));
            assertEquals(0, Fs.size(t));
            Path d = Fs.createTempDir(dir, "tmpd");
            assertTrue(Fs.metadata(d).isDirectory());
            Path t2 = Fs.createTempFile("weft", ".tmp");
            Path d2 = Fs.createTempDir("weft");
            Fs.removeFile(t2);
            Fs.removeDir(d2);
            return null;
        });
    }

    /** The backend is reported: io_uring where this process can use it, else the blocking pool with a cause. */
    @Test
    void backendIsReported() {
        String cause = Fs.backendUnavailabilityCause();
        if (cause == null) {
            assertEquals(FsBackend.IO_URING, Fs.backend());
            assertEquals("io_uring", Fs.backend().label());
        } else {
            assertEquals(FsBackend.BLOCKING_POOL, Fs.backend());
            assertEquals("blocking-pool", Fs.backend().label());
            assertFalse(cause.isBlank());
        }
    }

    /** The call ran on a blocking-pool thread, never on the carrier (the job sees a platform pool thread). */
    @Test
    void runsOnTheBlockingPool() throws Exception {
        long before = Fs.stats(rt).completed();
        inTask(() -> Fs.exists(dir));
        assertTrue(Fs.stats(rt).completed() > before, "went through the runtime's gate and pool");
    }

    /** Outside any runtime the call runs on the caller's thread (platform or plain virtual). */
    @Test
    void outsideARuntimeRunsDirectly() throws Exception {
        Path f = dir.resolve("direct");
        Fs.writeString(f, "direct");
        assertEquals("direct", Fs.readString(f));
        Thread vt = Thread.ofVirtual().start(() -> {
            try {
                assertEquals("direct", Fs.readString(f));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        vt.join();
        assertThrows(NoSuchFileException.class, () -> Fs.readAllBytes(dir.resolve("nope")));
    }

    /** On a carrier thread outside a task, a file call is refused with IllegalStateException. */
    @Test
    void refusedOnACarrierThread() throws Exception {
        var loop = RuntimeAccess.eventLoopGroup(rt).next();
        ExecutionException e = assertThrows(ExecutionException.class, () -> loop.submit(() -> Fs.exists(dir)).get());
        assertInstanceOf(IllegalStateException.class, e.getCause());
    }

    /** Inside a blocking-pool job the call runs right there (no second hop, no deadlock). */
    @Test
    void insideABlockingJobRunsDirectly() throws Exception {
        Path f = dir.resolve("b");
        Files.writeString(f, "b");
        assertEquals("b", rt.spawnBlocking(() -> Fs.readString(f)).join());
    }
}
