package dev.weft.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code Integer.MAX_VALUE} is a valid limit (LineWriter's "any length"): the reader must not
 * overflow computing "the limit plus a '\r'" and refuse every line, the empty one included.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LineReaderLimitTest {

    @Test
    void largestLimitReadsLines() throws Exception {
        for (int chunk : new int[] {1, 3, 8192}) {
            LineReader r = new LineReader(FramingTest.trickle(FramingTest.ascii("a\r\n\n" + "x".repeat(1000) + "\nlast"), chunk),
                    Integer.MAX_VALUE, StandardCharsets.UTF_8);
            assertEquals("a", r.readLine(), "chunk " + chunk);
            assertEquals("", r.readLine());
            assertEquals("x".repeat(1000), r.readLine());
            assertEquals("last", r.readLine());
            assertNull(r.readLine());
        }
    }

    /**
     * Lines are split on the bytes 0x0A and 0x0D, so a charset that encodes the terminators
     * otherwise is refused up front. UTF-16 was accepted before and garbled every line: "a\nb\n"
     * split after the low byte of '\n', so the first line was the bytes 00 61 00 (a
     * MalformedInputException), and a LineWriter prefixed every line with a byte-order mark.
     */
    @Test
    void charsetsWhoseTerminatorsAreNotSingleBytesAreRefused() throws Exception {
        for (java.nio.charset.Charset cs : new java.nio.charset.Charset[] {StandardCharsets.UTF_16BE, StandardCharsets.UTF_16,
                java.nio.charset.Charset.forName("UTF-32"), java.nio.charset.Charset.forName("IBM037")}) {
            byte[] text = "a\nb\n".getBytes(cs);
            assertThrows(IllegalArgumentException.class, () -> new LineReader(new ByteArrayInputStream(text), 100, cs),
                    () -> "LineReader in " + cs);
            assertThrows(IllegalArgumentException.class, () -> new LineWriter(java.io.OutputStream.nullOutputStream(), cs),
                    () -> "LineWriter in " + cs);
        }
        for (java.nio.charset.Charset cs : new java.nio.charset.Charset[] {StandardCharsets.UTF_8, StandardCharsets.US_ASCII,
                StandardCharsets.ISO_8859_1}) {
            LineReader r = new LineReader(new ByteArrayInputStream("\u00e9\r\nb\n".getBytes(cs)), 100, cs);
            assertEquals(cs.newEncoder().canEncode('\u00e9') ? "\u00e9" : "?", r.readLine(), cs::toString);
            assertEquals("b", r.readLine());
            new LineWriter(java.io.OutputStream.nullOutputStream(), cs);
        }
    }
}
