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
}
