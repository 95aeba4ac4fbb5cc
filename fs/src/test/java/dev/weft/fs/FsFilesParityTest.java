package dev.weft.fs;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnmappableCharacterException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Fs} and {@link FileHandle} behave as {@link Files} where a program would notice the difference. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FsFilesParityTest {
    static WeftRuntime rt;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("fs-parity").carriers(2).build();
    }

    @AfterAll
    static void stop() {
        rt.shutdown(Duration.ofSeconds(5));
    }

    static <T> T inTask(Callable<T> body) throws Exception {
        return rt.run(body);
    }

    /**
     * A path of another file system (a zip file's) is read from that file system, not from the
     * default one's file of the same name.
     */
    @Test
    void readAllBytesOfAZipFileSystemsPathReadsTheZipEntry() throws Exception {
        Path decoy = dir.resolve("decoy");
        Files.writeString(decoy, "host file");
        try (FileSystem zip = FileSystems.newFileSystem(URI.create("jar:" + dir.resolve("a.zip").toUri()),
                Map.of("create", "true"))) {
            Path entry = zip.getPath(decoy.toString());   // the same name as the host file
            Files.createDirectories(entry.getParent());
            Files.writeString(entry, "zip entry");
            byte[] viaFs = inTask(() -> Fs.readAllBytes(entry));
            assertEquals("zip entry", new String(viaFs, StandardCharsets.UTF_8));
            String viaHandle = inTask(() -> {
                try (FileHandle h = FileHandle.open(entry)) {
                    byte[] b = new byte[64];
                    int n = h.read(b);
                    return new String(b, 0, n, StandardCharsets.UTF_8);
                }
            });
            assertEquals("zip entry", viaHandle);
        }
        assertEquals("host file", Files.readString(decoy));
    }

    /** A character the charset cannot encode fails as Files.writeString does, and the file is left alone. */
    @Test
    void writeStringReportsCharactersTheCharsetCannotEncode() throws Exception {
        Path f = dir.resolve("f");
        Files.writeString(f, "old");
        assertThrows(UnmappableCharacterException.class, () -> Files.writeString(f, "caf\u00e9", StandardCharsets.US_ASCII));
        assertThrows(UnmappableCharacterException.class,
                () -> inTask(() -> {
                    Fs.writeString(f, "caf\u00e9", StandardCharsets.US_ASCII);
                    return null;
                }));
        assertEquals("old", Files.readString(f));
        assertThrows(CharacterCodingException.class, () -> Files.writeString(f, "a\ud800b"));
        assertThrows(MalformedInputException.class,
                () -> inTask(() -> {
                    Fs.writeString(f, "a\ud800b");
                    return null;
                }));
        assertEquals("old", Files.readString(f));
    }

    /** A file name under a regular file, and a symbolic link loop: the same exception type and reason as Files.readAllBytes. */
    @Test
    void readAllBytesFailsWithFilesExceptionTypes() throws Exception {
        Path file = dir.resolve("file");
        Files.writeString(file, "x");
        Path loop = dir.resolve("loop");
        Files.createSymbolicLink(loop, loop.getFileName());
        for (Path p : new Path[] {file.resolve("under"), loop}) {
            FileSystemException jdk = assertThrows(FileSystemException.class, () -> Files.readAllBytes(p));
            FileSystemException ours = assertThrows(FileSystemException.class, () -> inTask(() -> Fs.readAllBytes(p)));
            assertEquals(jdk.getClass(), ours.getClass(), "type for " + p + ": " + ours);
            assertEquals(jdk.getReason(), ours.getReason(), "reason for " + p);
            assertEquals(p.toString(), ours.getFile());
        }
    }

    /** readString's bytes count in FsStats.bytesRead as readAllBytes's do. */
    @Test
    void readStringCountsItsBytesAsRead() throws Exception {
        Path f = dir.resolve("text");
        String text = "0123456789".repeat(1000);
        Files.writeString(f, text);
        long before = Fs.stats(rt).bytesRead();
        assertEquals(text, inTask(() -> Fs.readString(f)));
        long after = Fs.stats(rt).bytesRead();
        assertTrue(after - before >= text.length(), "bytesRead grew by " + (after - before));
    }

    /** readString still reports bytes that are not valid in the charset as Files.readString does. */
    @Test
    void readStringReportsMalformedInputAsFilesDoes() throws Exception {
        Path f = dir.resolve("bad");
        Files.write(f, new byte[] {'a', (byte) 0xc3});
        assertThrows(MalformedInputException.class, () -> Files.readString(f));
        assertThrows(MalformedInputException.class, () -> inTask(() -> Fs.readString(f)));
        Files.write(f, new byte[] {'a', (byte) 0xe9});
        assertArrayEquals(Files.readString(f, StandardCharsets.ISO_8859_1).toCharArray(),
                inTask(() -> Fs.readString(f, StandardCharsets.ISO_8859_1)).toCharArray());
    }

    /**
     * rename is POSIX rename(2): the target is replaced in one step, so a reader of the target
     * always finds a file (never the moment between an unlink and the rename).
     */
    @Test
    void renameReplacesTheTargetWithoutAMomentWhereItIsMissing() throws Exception {
        Path target = dir.resolve("target");
        Files.writeString(target, "v0");
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger missing = new java.util.concurrent.atomic.AtomicInteger();
        Thread reader = Thread.ofPlatform().start(() -> {
            while (!done.get()) {
                if (!Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    missing.incrementAndGet();
                }
            }
        });
        try {
            inTask(() -> {
                for (int i = 1; i <= 2000 && missing.get() == 0; i++) {
                    Path tmp = dir.resolve("tmp" + i);
                    Files.writeString(tmp, "v" + i);
                    Fs.rename(tmp, target);
                }
                return null;
            });
        } finally {
            done.set(true);
            reader.join(TimeUnit.SECONDS.toMillis(10));
        }
        assertEquals(0, missing.get(), "times the reader found no target during the renames");
    }

    /** As rename(2), a file does not replace a directory (the non-atomic move deleted the directory). */
    @Test
    void renameOfAFileOntoADirectoryFailsAndKeepsTheDirectory() throws Exception {
        Path file = dir.resolve("file");
        Files.writeString(file, "x");
        Path emptyDir = Files.createDirectory(dir.resolve("d"));
        FileSystemException e = assertThrows(FileSystemException.class, () -> inTask(() -> {
            Fs.rename(file, emptyDir);
            return null;
        }));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(Files.isDirectory(emptyDir), "the directory is still there");
        assertEquals("x", Files.readString(file));
    }
}
