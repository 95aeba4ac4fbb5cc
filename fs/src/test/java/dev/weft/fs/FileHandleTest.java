package dev.weft.fs;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.net.NetStream;
import dev.weft.net.TcpListener;
import dev.weft.net.TcpStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static java.nio.file.StandardOpenOption.APPEND;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link FileHandle}: reads and writes at the current position and at offsets, seek, size, streams, transfer. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileHandleTest {
    static WeftRuntime rt;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("fs-handle").carriers(2).build();
    }

    @AfterAll
    static void stop() {
        rt.shutdown(Duration.ofSeconds(5));
    }

    static byte[] pattern(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 7 + (i >>> 8));
        }
        return b;
    }

    /** The backend this class's runtime is expected to take (the pool subclass overrides it). */
    FsBackend expectedBackend() {
        return Fs.backendUnavailabilityCause() == null ? FsBackend.IO_URING : FsBackend.BLOCKING_POOL;
    }

    /** The handle's reads and writes take the runtime's backend, and the counters show that path. */
    @Test
    void takesTheReportedBackend() throws Exception {
        Path f = dir.resolve("b");
        assertEquals(expectedBackend(), Fs.backend(rt));
        FsStats before = Fs.stats(rt);
        rt.run(() -> {
            assertEquals(expectedBackend(), Fs.backend());
            try (FileHandle h = FileHandle.open(f, READ, WRITE, CREATE_NEW)) {
                assertEquals(expectedBackend(), h.backendHere());
                h.writeAt(0, pattern(10_000), 0, 10_000);
                assertEquals(10_000, h.readAt(0, new byte[20_000], 0, 20_000));
            }
            return null;
        });
        FsStats after = Fs.stats(rt);
        assertEquals(expectedBackend(), after.backend());
        assertTrue(after.bytesRead() - before.bytesRead() >= 10_000, "bytes read counted: " + after);
        assertTrue(after.bytesWritten() - before.bytesWritten() >= 10_000, "bytes written counted: " + after);
        if (expectedBackend() == FsBackend.IO_URING) {
            // The read may complete on the carrier (page cache: noWaitOps) instead of as a request.
            assertTrue(after.uringOps() - before.uringOps() >= 1
                    && after.uringOps() + after.noWaitOps() - before.uringOps() - before.noWaitOps() >= 2,
                    "read and write were io_uring requests or carrier-side reads: " + after);
            assertTrue(after.uringNanos() > before.uringNanos());
        } else {
            assertEquals(before.uringOps(), after.uringOps(), "no io_uring request on the pool backend");
        }
        assertTrue(after.poolOps() > before.poolOps(), "open and close ran on the pool: " + after);
    }

    /** Sequential writes and reads move the position; seek moves it with no I/O; EOF is -1. */
    @Test
    void currentPosition() throws Exception {
        Path f = dir.resolve("f");
        rt.run(() -> {
            try (FileHandle h = FileHandle.open(f, READ, WRITE, CREATE_NEW)) {
                h.write("hello ".getBytes(StandardCharsets.US_ASCII));
                h.write("world".getBytes(StandardCharsets.US_ASCII));
                assertEquals(11, h.position());
                assertEquals(11, h.size());
                assertEquals(0, h.seek(0));
                byte[] buf = new byte[5];
                assertEquals(5, h.read(buf));
                assertEquals("hello", new String(buf, StandardCharsets.US_ASCII));
                assertEquals(5, h.position());
                byte[] rest = new byte[100];
                assertEquals(6, h.read(rest, 0, 100));
                assertEquals(-1, h.read(rest));
                assertEquals(0, h.read(rest, 0, 0));
            }
            return null;
        });
        assertEquals("hello world", Files.readString(f));
    }

    /** readAt/writeAt do not move the position; writeAt past the end leaves a zero-filled hole. */
    @Test
    void positional() throws Exception {
        Path f = dir.resolve("p");
        byte[] data = pattern(600_000);   // several chunks
        rt.run(() -> {
            try (FileHandle h = FileHandle.open(f, READ, WRITE, CREATE)) {
                h.writeAt(100, data, 0, data.length);
                assertEquals(0, h.position());
                assertEquals(100 + data.length, h.size());
                byte[] back = new byte[data.length];
                h.readExactAt(100, back, 0, back.length);
                assertArrayEquals(data, back);
                byte[] hole = new byte[100];
                Arrays.fill(hole, (byte) 1);
                assertEquals(100, h.readAt(0, hole, 0, 100));
                assertArrayEquals(new byte[100], hole);
                assertEquals(-1, h.readAt(100 + data.length, hole, 0, 10));
                assertThrows(EOFException.class, () -> h.readExactAt(data.length, new byte[200], 0, 200));
                assertEquals(0, h.position());
                h.writeAt(0, "AB".getBytes(StandardCharsets.US_ASCII), 0, 2);
                byte[] two = new byte[2];
                assertEquals(2, h.read(two));
                assertEquals("AB", new String(two, StandardCharsets.US_ASCII));
            }
            return null;
        });
    }

    /** setLength truncates (moving a position past the end back) and extends with zeros; sync calls succeed. */
    @Test
    void setLengthAndSync() throws Exception {
        Path f = dir.resolve("s");
        Files.write(f, pattern(1000));
        rt.run(() -> {
            try (FileHandle h = FileHandle.open(f, READ, WRITE)) {
                h.seek(900);
                h.setLength(500);
                assertEquals(500, h.size());
                assertEquals(500, h.position());
                h.setLength(2000);
                assertEquals(2000, h.size());
                byte[] tail = new byte[1500];
                h.readExactAt(500, tail, 0, 1500);
                assertArrayEquals(new byte[1500], tail);
                h.syncData();
                h.syncAll();
            }
            return null;
        });
        assertEquals(2000, Files.size(f));
    }

    /** Append mode writes at the end whatever the position; create truncates. */
    @Test
    void appendAndCreate() throws Exception {
        Path f = dir.resolve("a");
        Files.writeString(f, "start");
        rt.run(() -> {
            try (FileHandle h = FileHandle.open(f, WRITE, APPEND)) {
                assertEquals(5, h.position());
                h.write("+more".getBytes(StandardCharsets.US_ASCII));
                assertEquals(10, h.position());
            }
            assertEquals("start+more", Fs.readString(f));
            try (FileHandle h = FileHandle.create(f)) {
                assertEquals(0, h.size());
                h.write("new".getBytes(StandardCharsets.US_ASCII));
            }
            return null;
        });
        assertEquals("new", Files.readString(f));
    }

    /** Open errors are the JDK's with the path; a closed handle refuses I/O; close is idempotent. */
    @Test
    void errorsAndClose() throws Exception {
        Path missing = dir.resolve("missing");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> rt.run(() -> FileHandle.open(missing)));
        assertTrue(e.getMessage().contains(missing.toString()));
        Path f = dir.resolve("exists");
        Files.createFile(f);
        FileAlreadyExistsException e2 = assertThrows(FileAlreadyExistsException.class,
                () -> rt.run(() -> FileHandle.open(f, WRITE, CREATE_NEW)));
        assertTrue(e2.getMessage().contains(f.toString()));
        rt.run(() -> {
            FileHandle h = FileHandle.open(f);
            h.close();
            h.close();
            assertTrue(h.isClosed());
            assertThrows(ClosedChannelException.class, () -> h.read(new byte[1]));
            assertThrows(IllegalArgumentException.class, () -> h.seek(-1));
            return null;
        });
    }

    /** The InputStream and OutputStream views read and write at the position; closing a view closes the handle. */
    @Test
    void streamViews() throws Exception {
        Path f = dir.resolve("v");
        byte[] data = pattern(300_000);
        rt.run(() -> {
            FileHandle w = FileHandle.create(f);
            try (OutputStream out = w.outputStream()) {
                out.write(data, 0, 1000);
                out.write(data[1000]);
                out.write(data, 1001, data.length - 1001);
            }
            assertTrue(w.isClosed());
            try (FileHandle r = FileHandle.open(f); InputStream in = new BufferedInputStream(r.inputStream())) {
                assertEquals(data[0] & 0xff, in.read());
                ByteArrayOutputStream rest = new ByteArrayOutputStream();
                in.transferTo(rest);
                assertArrayEquals(Arrays.copyOfRange(data, 1, data.length), rest.toByteArray());
                assertEquals(-1, in.read());
            }
            return null;
        });
    }

    /**
     * skip on the input stream of a regular file moves the position without reading what it
     * skips (as Files.newInputStream's), at most to the end; before, it read and dropped every
     * skipped byte through the blocking pool, 2 KiB a trip.
     */
    @Test
    void inputStreamSkipMovesThePositionWithoutReading() throws Exception {
        Path f = dir.resolve("skip");
        byte[] data = pattern(1_000_010);
        Files.write(f, data);
        rt.run(() -> {
            try (FileHandle r = FileHandle.open(f)) {
                InputStream in = r.inputStream();
                FsStats before = Fs.stats(rt);
                assertEquals(1_000_000, in.skip(1_000_000));
                assertEquals(1_000_000, r.position());
                assertEquals(0, Fs.stats(rt).bytesRead() - before.bytesRead(), "skipped bytes were read");
                assertArrayEquals(Arrays.copyOfRange(data, 1_000_000, 1_000_005), in.readNBytes(5));
                assertEquals(5, in.skip(100), "at most to the end");
                assertEquals(0, in.skip(100));
                assertEquals(-1, in.read());
            }
            return null;
        });
    }

    /** transferTo sends the rest of the file to a TcpStream, and a range of it; the peer gets every byte. */
    @Test
    void transferToTcpStream() throws Exception {
        Path f = dir.resolve("t");
        byte[] data = pattern(1_000_000);
        Files.write(f, data);
        rt.run(() -> {
            try (TcpListener l = TcpListener.bind(rt, new InetSocketAddress("127.0.0.1", 0))) {
                Task<byte[]> peer = rt.spawn(() -> {
                    try (TcpStream s = l.accept()) {
                        return s.inputStream().readAllBytes();
                    }
                });
                try (TcpStream s = TcpStream.connect(l.localAddress(), Duration.ofSeconds(5));
                     FileHandle h = FileHandle.open(f)) {
                    h.seek(10);
                    assertEquals(data.length - 10, h.transferTo(s));
                    assertEquals(data.length, h.position());
                    assertEquals(1000, h.transferTo(5, 1000, s));
                    assertEquals(data.length, h.position());
                    assertEquals(0, h.transferTo(s), "nothing left after the end");
                    assertEquals(10, h.transferTo(data.length - 10, 1000, s), "a range past the end is clipped");
                    s.flush();
                    // the handle's channel survives the transport's release of the region
                    byte[] first = new byte[4];
                    assertEquals(4, h.readAt(0, first, 0, 4));
                }
                byte[] got = peer.join();
                byte[] want = new byte[data.length - 10 + 1000 + 10];
                System.arraycopy(data, 10, want, 0, data.length - 10);
                System.arraycopy(data, 5, want, data.length - 10, 1000);
                System.arraycopy(data, data.length - 10, want, data.length - 10 + 1000, 10);
                assertArrayEquals(want, got);
            }
            return null;
        });
    }

    /**
     * A split stream's writes belong to its write half: transferTo the stream is refused up front
     * (nothing read, the position unchanged), and transferTo the write half sends the file, whole
     * and as a range, while another task owns the read half.
     */
    @Test
    void transferToSplitStream() throws Exception {
        Path f = dir.resolve("split");
        byte[] data = pattern(300_000);
        Files.write(f, data);
        rt.run(() -> {
            try (TcpListener l = TcpListener.bind(rt, new InetSocketAddress("127.0.0.1", 0))) {
                Task<byte[]> peer = rt.spawn(() -> {
                    try (TcpStream s = l.accept()) {
                        byte[] got = s.inputStream().readAllBytes();
                        s.write(new byte[] {42}, 0, 1);   // the read half of the other side sees it
                        return got;
                    }
                });
                try (TcpStream s = TcpStream.connect(l.localAddress(), Duration.ofSeconds(5));
                     FileHandle h = FileHandle.open(f)) {
                    NetStream.Split halves = s.split();
                    Task<Integer> reader = rt.spawn(() -> {
                        try (NetStream.ReadHalf r = halves.read()) {
                            return r.inputStream().read();
                        }
                    });
                    h.seek(10);
                    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> h.transferTo(s));
                    assertTrue(refused.getMessage().contains("split"), refused.getMessage());
                    assertEquals(10, h.position(), "a refused transfer reads nothing");
                    assertThrows(IllegalStateException.class, () -> h.transferTo(0, 100, s));
                    assertEquals(10, h.position());

                    try (NetStream.WriteHalf w = halves.write()) {
                        assertEquals(data.length - 10, h.transferTo(w));
                        assertEquals(data.length, h.position());
                        assertEquals(1000, h.transferTo(5, 1000, w));
                        assertEquals(data.length, h.position());
                        assertEquals(0, h.transferTo(w), "nothing left after the end");
                        w.shutdownOutput();
                    }
                    assertEquals(42, reader.join());
                }
                byte[] want = new byte[data.length - 10 + 1000];
                System.arraycopy(data, 10, want, 0, data.length - 10);
                System.arraycopy(data, 5, want, data.length - 10, 1000);
                assertArrayEquals(want, peer.join());
            }
            return null;
        });
    }

    /** On io_uring the transfer is zero-copy (the counters say so); on the pool backend it is a copy loop. */
    @Test
    void transferPathIsReported() throws Exception {
        Path f = dir.resolve("z");
        byte[] data = pattern(3_000_000);
        Files.write(f, data);
        long before = Fs.stats(rt).zeroCopyBytes();
        rt.run(() -> {
            try (TcpListener l = TcpListener.bind(rt, new InetSocketAddress("127.0.0.1", 0))) {
                Task<byte[]> peer = rt.spawn(() -> {
                    try (TcpStream s = l.accept()) {
                        return s.inputStream().readAllBytes();
                    }
                });
                try (TcpStream s = TcpStream.connect(l.localAddress(), Duration.ofSeconds(5));
                     FileHandle h = FileHandle.open(f)) {
                    assertEquals(data.length, h.transferTo(s));
                    s.flush();
                }
                assertArrayEquals(data, peer.join());
            }
            return null;
        });
        long zeroCopied = Fs.stats(rt).zeroCopyBytes() - before;
        assertEquals(expectedBackend() == FsBackend.IO_URING ? data.length : 0, zeroCopied);
    }
}
