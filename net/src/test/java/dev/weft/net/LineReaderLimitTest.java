package dev.weft.net;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

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
}
