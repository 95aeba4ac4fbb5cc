package dev.weft.net;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.weft.net.NetTesting.ANY_LOCAL;
import static dev.weft.net.NetTesting.CONNECT;
import static dev.weft.net.NetTesting.echoServer;
import static dev.weft.net.NetTesting.pattern;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Line and length-delimited framing, over in-memory streams (every split point) and real sockets. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FramingTest {

    /** An input that hands out at most {@code chunk} bytes per read, so frames arrive in pieces. */
    static InputStream trickle(byte[] data, int chunk) {
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, chunk));
            }
        };
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void linesEndAtNewlineAndCrLf() throws Exception {
        for (int chunk : new int[] {1, 2, 3, 7, 8192}) {
            LineReader r = new LineReader(trickle(ascii("a\nbb\r\n\nlast"), chunk), 10, StandardCharsets.UTF_8);
            assertEquals("a", r.readLine());
            assertEquals("bb", r.readLine());
            assertEquals("", r.readLine());
            assertEquals("last", r.readLine(), "a last line without terminator is returned at EOF");
            assertNull(r.readLine());
            assertNull(r.readLine());
        }
    }

    /** An over-long line is an error; lines before and after it are intact. */
    @Test
    void overLongLineIsSkippedAndReaderGoesOn() throws Exception {
        for (int chunk : new int[] {1, 3, 5, 8192}) {
            LineReader r = new LineReader(trickle(ascii("12345\r\n123456789012\nok\n123456\r\nend"), chunk), 5, StandardCharsets.UTF_8);
            assertEquals("12345", r.readLine(), "exactly the limit, with CRLF");
            FrameTooLongException e = assertThrows(FrameTooLongException.class, r::readLine, "chunk " + chunk);
            assertEquals(5, e.limit());
            assertTrue(e.getMessage().contains("exceeds the limit of 5 bytes"), e.getMessage());
            assertEquals("ok", r.readLine());
            assertThrows(FrameTooLongException.class, r::readLine, "6 bytes before CRLF is over the limit");
            assertEquals("end", r.readLine());
            assertNull(r.readLine());
        }
    }

    /** A peer that never sends a newline cannot make the reader buffer more than the limit. */
    @Test
    void endlessLineFailsEarly() throws Exception {
        InputStream endless = new InputStream() {
            long served;

            @Override
            public int read() {
                served++;
                return 'x';
            }

            @Override
            public int read(byte[] b, int off, int len) {
                java.util.Arrays.fill(b, off, off + len, (byte) 'x');
                served += len;
                if (served > 1 << 20) {
                    throw new AssertionError("kept reading an endless line");
                }
                return len;
            }
        };
        LineReader r = new LineReader(endless, 100, StandardCharsets.UTF_8);
        FrameTooLongException e = assertThrows(FrameTooLongException.class, r::readLine);
        assertTrue(e.getMessage().contains("more than"), e.getMessage());
    }

    @Test
    void malformedUtf8IsReportedAndConsumed() throws Exception {
        byte[] bad = {'o', 'k', '\n', (byte) 0xff, (byte) 0xfe, '\n', 'x', '\n'};
        LineReader r = new LineReader(new ByteArrayInputStream(bad), 10, StandardCharsets.UTF_8);
        assertEquals("ok", r.readLine());
        assertThrows(CharacterCodingException.class, r::readLine);
        assertEquals("x", r.readLine());
        assertNull(r.readLine());
    }

    @Test
    void eofWhileSkippingOverLongLineEndsCleanly() throws Exception {
        LineReader r = new LineReader(trickle(ascii("ok\n0123456789"), 4), 3, StandardCharsets.UTF_8);
        assertEquals("ok", r.readLine());
        assertThrows(FrameTooLongException.class, r::readLine);
        assertNull(r.readLine());
    }

    /**
     * Serves {@code data} at most {@code chunk} bytes a read, never reading past {@code at} in one
     * go, and throws {@link InterruptedIOException} once when {@code at} bytes have been served.
     */
    static InputStream interruptedOnceAt(byte[] data, int at, int chunk) {
        return new InputStream() {
            int pos;
            boolean thrown;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (pos == at && !thrown) {
                    thrown = true;
                    throw new InterruptedIOException("cancelled");
                }
                if (pos == data.length) {
                    return -1;
                }
                int n = Math.min(Math.min(len, chunk), pos < at ? at - pos : data.length - pos);
                System.arraycopy(data, pos, b, off, n);
                pos += n;
                return n;
            }
        };
    }

    /** An interrupted read in the middle of a line loses nothing: the next call finishes the line. */
    @Test
    void interruptedReadLosesNothing() throws Exception {
        byte[] data = ascii("hello world\nnext\n");
        LineReader r = new LineReader(interruptedOnceAt(data, 5, Integer.MAX_VALUE), 64, StandardCharsets.UTF_8);
        assertThrows(InterruptedIOException.class, r::readLine);
        assertEquals("hello world", r.readLine());
        assertEquals("next", r.readLine());

        FrameReader fr = new FrameReader(interruptedOnceAt(new byte[] {0, 0, 0, 3, 'a', 'b', 'c'}, 5, 1), 10);
        assertThrows(InterruptedIOException.class, fr::readFrame);
        assertArrayEquals(ascii("abc"), fr.readFrame());
        assertNull(fr.readFrame());
    }

    @Test
    void lineWriterRejectsEmbeddedTerminators() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LineWriter w = new LineWriter(out, StandardCharsets.UTF_8);
        w.writeLine("héllo");
        assertThrows(IllegalArgumentException.class, () -> w.writeLine("a\nb"));
        assertThrows(IllegalArgumentException.class, () -> w.writeLine("a\rb"));
        assertEquals("héllo\n", out.toString(StandardCharsets.UTF_8), "nothing written for rejected lines");
        assertThrows(IllegalArgumentException.class, () -> new LineReader(new ByteArrayInputStream(new byte[0]), 0, StandardCharsets.UTF_8));
    }

    /**
     * A writer's maximum line length counts encoded bytes without the terminator, as LineReader's:
     * a line at the limit is written and reads back under the same limit; a longer one throws
     * FrameTooLongException and writes nothing, and the writer goes on.
     */
    @Test
    void lineWriterMaximumLength() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LineWriter w = new LineWriter(out, 5, StandardCharsets.UTF_8);
        assertEquals(5, w.maxLength());
        w.writeLine("héllo".substring(0, 4));              // "héll": 5 bytes in UTF-8
        FrameTooLongException e = assertThrows(FrameTooLongException.class, () -> w.writeLine("héllo"));   // 6 bytes
        assertEquals(6, e.length());
        assertEquals(5, e.limit());
        assertEquals("héll\n", out.toString(StandardCharsets.UTF_8), "nothing written for the over-long line");
        w.writeLine("ok");
        LineReader r = new LineReader(new ByteArrayInputStream(out.toByteArray()), 5, StandardCharsets.UTF_8);
        assertEquals("héll", r.readLine());
        assertEquals("ok", r.readLine());
        assertNull(r.readLine());
        assertEquals(Integer.MAX_VALUE, new LineWriter(out, StandardCharsets.UTF_8).maxLength(), "no limit by default");
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> new LineWriter(out, 0, StandardCharsets.UTF_8));
        assertTrue(bad.getMessage().contains("0"), bad.getMessage());
    }

    @Test
    void framesRoundTripAtEverySplit() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(out, 1000);
        List<byte[]> sent = new ArrayList<>();
        for (int n : new int[] {0, 1, 3, 255, 256, 1000}) {
            byte[] b = pattern(n, n);
            sent.add(b);
            w.writeFrame(b);
        }
        for (int chunk : new int[] {1, 2, 5, 8192}) {
            FrameReader r = new FrameReader(trickle(out.toByteArray(), chunk), 1000);
            for (byte[] b : sent) {
                assertArrayEquals(b, r.readFrame());
            }
            assertNull(r.readFrame());
        }
    }

    /** An oversized frame: the writer sends nothing; the reader reports it before reading its body, then goes on. */
    @Test
    void oversizedFrames() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameWriter big = new FrameWriter(out, 100);
        FrameTooLongException we = assertThrows(FrameTooLongException.class, () -> big.writeFrame(new byte[101]));
        assertEquals(101, we.length());
        assertEquals(0, out.size(), "nothing written");

        FrameWriter w = new FrameWriter(out, 1000);
        w.writeFrame(ascii("before"));
        w.writeFrame(new byte[500]);
        w.writeFrame(ascii("after"));
        for (int chunk : new int[] {1, 3, 8192}) {
            FrameReader r = new FrameReader(trickle(out.toByteArray(), chunk), 100);
            assertArrayEquals(ascii("before"), r.readFrame());
            FrameTooLongException e = assertThrows(FrameTooLongException.class, r::readFrame);
            assertEquals(500, e.length());
            assertEquals(100, e.limit());
            assertArrayEquals(ascii("after"), r.readFrame(), "the reader stays in step");
            assertNull(r.readFrame());
        }
    }

    /** Malformed lengths and truncated frames get clear errors, not huge allocations or hangs. */
    @Test
    void malformedLengthsAndTruncation() throws Exception {
        byte[] garbage = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2};
        FrameTooLongException e = assertThrows(FrameTooLongException.class,
                () -> new FrameReader(new ByteArrayInputStream(garbage), 1 << 20).readFrame());
        assertEquals(0xffffffffL, e.length());
        assertTrue(e.getMessage().contains("4294967295"), e.getMessage());

        EOFException h = assertThrows(EOFException.class,
                () -> new FrameReader(new ByteArrayInputStream(new byte[] {0, 0}), 10).readFrame());
        assertTrue(h.getMessage().contains("header (2 of 4 bytes)"), h.getMessage());
        EOFException b = assertThrows(EOFException.class,
                () -> new FrameReader(new ByteArrayInputStream(new byte[] {0, 0, 0, 5, 'a'}), 10).readFrame());
        assertTrue(b.getMessage().contains("4 bytes missing"), b.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new FrameReader(new ByteArrayInputStream(new byte[0]), -1));
        assertThrows(IllegalArgumentException.class, () -> new FrameWriter(new ByteArrayOutputStream(), Integer.MAX_VALUE));
    }

    /** Lines and frames over a real TCP connection to an echo server, writer and reader in two tasks on split halves. */
    @Test
    void overTcpWithSplitHalves() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("framing").carriers(2).closeTimeout(Duration.ofSeconds(2)).build();
             TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            echoServer(rt, l);
            rt.run(() -> {
                try (TcpStream s = TcpStream.connect(rt, l.localAddress(), CONNECT)) {
                    NetStream.Split halves = s.split();
                    Task<Void> writer = rt.spawn(() -> {
                        LineWriter lines = new LineWriter(halves.write());
                        FrameWriter frames = new FrameWriter(halves.write(), 1 << 20);
                        for (int i = 0; i < 200; i++) {
                            lines.writeLine("line " + i);
                            frames.writeFrame(pattern(i * 997, i));
                        }
                        halves.write().close();
                        return null;
                    });
                    // Mixed lines and frames read back with DataInputStream: the byte layout is the contract.
                    InputStream in = halves.read().inputStream();
                    java.io.DataInputStream data = new java.io.DataInputStream(in);
                    for (int i = 0; i < 200; i++) {
                        String expected = "line " + i + "\n";
                        byte[] got = new byte[expected.length()];
                        data.readFully(got);
                        assertEquals(expected, new String(got, StandardCharsets.US_ASCII));
                        int len = data.readInt();
                        assertEquals(i * 997, len);
                        byte[] body = new byte[len];
                        data.readFully(body);
                        assertArrayEquals(pattern(len, i), body);
                    }
                    assertEquals(-1, in.read());
                    writer.join(Duration.ofSeconds(30));
                }
                try (TcpStream s = TcpStream.connect(rt, l.localAddress(), CONNECT)) {
                    NetStream.Split halves = s.split();
                    Task<Void> writer = rt.spawn(() -> {
                        FrameWriter frames = new FrameWriter(halves.write(), 1 << 20);
                        for (int i = 0; i < 100; i++) {
                            frames.writeFrame(pattern(i * 4099, i));
                        }
                        halves.write().close();
                        return null;
                    });
                    FrameReader frames = new FrameReader(halves.read(), 1 << 20);
                    for (int i = 0; i < 100; i++) {
                        assertArrayEquals(pattern(i * 4099, i), frames.readFrame());
                    }
                    assertNull(frames.readFrame());
                    writer.join(Duration.ofSeconds(30));
                }
                try (TcpStream s = TcpStream.connect(rt, l.localAddress(), CONNECT)) {
                    LineWriter w = new LineWriter(s);
                    LineReader r = new LineReader(s, 16);
                    w.writeLine("short");
                    assertEquals("short", r.readLine());
                    s.writeAll(ascii("x".repeat(40) + "\nafter\n"));
                    assertThrows(FrameTooLongException.class, r::readLine);
                    assertEquals("after", r.readLine());
                }
                return null;
            });
        }
    }
}
