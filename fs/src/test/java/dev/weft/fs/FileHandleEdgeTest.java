package dev.weft.fs;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.net.TcpListener;
import dev.weft.net.TcpStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.EOFException;
import java.net.InetSocketAddress;
import java.nio.channels.NonReadableChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@link FileHandle} edge cases: setLength in append mode, transferTo of a write-only handle, end of file, holes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileHandleEdgeTest {
    static WeftRuntime rt;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("fs-edge").carriers(2).build();
    }

    @AfterAll
    static void stop() {
        rt.shutdown(Duration.ofSeconds(5));
    }

    /** setLength extends an append-mode file to exactly the length asked, as RandomAccessFile.setLength. */
    @Test
    void setLengthExtendsAppendModeFileToTheLength() throws Exception {
        Path f = dir.resolve("a");
        Files.writeString(f, "0123456789");
        rt.run(() -> {
            try (FileHandle h = FileHandle.open(f, WRITE, APPEND)) {
                h.setLength(100);
                assertEquals(100, h.size());
                h.write("x".getBytes(StandardCharsets.US_ASCII));
                assertEquals(101, h.size());
            }
            return null;
        });
        byte[] all = Files.readAllBytes(f);
        assertEquals(101, all.length);
        assertEquals("0123456789", new String(all, 0, 10, StandardCharsets.US_ASCII));
        assertArrayEquals(new byte[90], Arrays.copyOfRange(all, 10, 100));
        assertEquals('x', all[100]);
    }

    /** Reads at or past the end give -1; a write past the end leaves a hole; a short readExactAt reports its counts. */
    @Test
    void endOfFileHolesAndShortReads() throws Exception {
        Path f = dir.resolve("p");
        rt.run(() -> {
            Fs.write(f, new byte[0]);
            assertEquals(0, Fs.readAllBytes(f).length);
            try (FileHandle h = FileHandle.open(f, READ, WRITE, CREATE)) {
                assertEquals(-1, h.readAt(0, new byte[4], 0, 4));
                assertEquals(-1, h.readAt(100, new byte[4], 0, 4));
                assertEquals(-1, h.read(new byte[4]));
                h.seek(10);
                h.write(new byte[] {1, 2});
                assertEquals(12, h.size());
                assertEquals(12, h.position());
                byte[] b = new byte[12];
                h.readExactAt(0, b, 0, 12);
                assertEquals(1, b[10]);
                EOFException e = assertThrows(EOFException.class, () -> h.readExactAt(5, new byte[20], 0, 20));
                assertTrue(e.getMessage().contains("7 of 20"), e.getMessage());
                h.setLength(5);
                assertEquals(5, h.position());
            }
            return null;
        });
    }

    /**
     * transferTo reads the file: a handle opened without reading refuses it up front, as read
     * does (NonReadableChannelException), on every path, sending nothing and leaving the position.
     */
    @Test
    void transferToFromWriteOnlyHandleIsRefused() throws Exception {
        Path f = dir.resolve("wo");
        Files.write(f, new byte[100_000]);
        rt.run(() -> {
            try (TcpListener l = TcpListener.bind(rt, new InetSocketAddress("127.0.0.1", 0))) {
                Task<byte[]> peer = rt.spawn(() -> {
                    try (TcpStream s = l.accept()) {
                        return s.inputStream().readAllBytes();
                    }
                });
                try (TcpStream s = TcpStream.connect(l.localAddress(), Duration.ofSeconds(5));
                     FileHandle h = FileHandle.open(f, WRITE)) {
                    assertThrows(NonReadableChannelException.class, () -> h.transferTo(s));
                    assertEquals(0, h.position());
                    assertThrows(NonReadableChannelException.class, () -> h.transferTo(0, 1000, s));
                    s.write(new byte[] {7}, 0, 1);   // the stream still works
                    s.flush();
                }
                assertArrayEquals(new byte[] {7}, peer.join());
            }
            return null;
        });
    }

    /**
     * A regular file renamed over the path while the open waits (here the path was a FIFO, whose
     * open waits for a writer) is never mixed with the file opened: the handle reads the FIFO it
     * opened. The check compared the path's attributes, taken after the open, with those of a
     * second descriptor opened by the path, so both named the new file: reads went to the
     * renamed file through the io_uring or carrier-side descriptor while the channel had the FIFO.
     */
    @Test
    void aFileRenamedOverThePathDuringTheOpenIsNeverMixedWithTheOneOpened() throws Exception {
        FsTesting.assumeFifoOpenVisible(dir);
        Path path = FsTesting.fifo(dir.resolve("swapped"));
        Path alias = Files.createLink(dir.resolve("fifo-alias"), path);   // the FIFO, after the rename
        Path other = dir.resolve("other");
        Files.writeString(other, "the regular file renamed over the path");
        Task<String> reader = rt.spawn(() -> {
            try (FileHandle h = FileHandle.open(path)) {
                return new String(h.inputStream().readAllBytes(), StandardCharsets.US_ASCII);
            }
        });
        FsTesting.awaitThreadInFifoOpen(Duration.ofSeconds(10));
        Files.move(other, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        try (java.io.FileOutputStream w = new java.io.FileOutputStream(alias.toFile())) {
            w.write("the FIFO's bytes".getBytes(StandardCharsets.US_ASCII));
        }
        assertEquals("the FIFO's bytes", reader.join());
    }

    /**
     * A read of a FIFO returns the bytes there are, as documented ("parks until at least one byte
     * is read"), also when they fill a whole chunk of a larger read: it went on to read a second
     * chunk and waited, holding 256 KiB, until the writer wrote more or closed. The FIFO's pipe
     * is grown to 1 MiB (F_SETPIPE_SZ) so one read can return a whole chunk.
     */
    @Test
    void aFifoReadReturnsAWholeChunkWithoutWaitingForMore() throws Throwable {
        Path fifo = FsTesting.fifo(dir.resolve("big-pipe"));
        Task<FileHandle> opening = rt.spawn(() -> FileHandle.open(fifo));
        try (java.io.FileOutputStream w = new java.io.FileOutputStream(fifo.toFile())) {
            FileHandle h = opening.join();
            try {
                assumeTrue(pipeSize(fifo, 1 << 20) >= 1 << 20, "the pipe could not be grown to 1 MiB");
                byte[] chunk = new byte[dev.weft.fs.internal.ChunkIo.CHUNK];
                Arrays.fill(chunk, (byte) 7);
                w.write(chunk);   // fits in the pipe: the writer does not wait
                Task<Integer> read = rt.spawn(() -> h.read(new byte[2 * chunk.length], 0, 2 * chunk.length));
                int n;
                try {
                    n = read.join(Duration.ofSeconds(10));
                } catch (java.util.concurrent.TimeoutException e) {
                    throw new AssertionError("the read holds a whole chunk and waits for more", e);
                }
                assertEquals(chunk.length, n);
            } finally {
                w.close();
                rt.run(() -> {
                    h.close();
                    return null;
                });
            }
        }
    }

    /** Sets the pipe size of an open FIFO ({@code fcntl(F_SETPIPE_SZ)}); returns the size it got, or -1. */
    private static int pipeSize(Path fifo, int bytes) throws Throwable {
        int fd = dev.weft.fs.internal.Posix.open(fifo, dev.weft.fs.internal.Posix.O_RDWR);   // a FIFO's O_RDWR does not wait
        try {
            java.lang.foreign.Linker linker = java.lang.foreign.Linker.nativeLinker();
            java.lang.invoke.MethodHandle fcntl = linker.downcallHandle(linker.defaultLookup().find("fcntl").orElseThrow(),
                    java.lang.foreign.FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT,
                            java.lang.foreign.ValueLayout.JAVA_INT, java.lang.foreign.ValueLayout.JAVA_INT,
                            java.lang.foreign.ValueLayout.JAVA_INT),
                    java.lang.foreign.Linker.Option.firstVariadicArg(2));
            return (int) fcntl.invokeExact(fd, 1031 /* F_SETPIPE_SZ */, bytes);
        } finally {
            dev.weft.fs.internal.Posix.close(fd);
        }
    }
}
