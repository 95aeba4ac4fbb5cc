package dev.weft.net.snippets;

import dev.weft.net.FrameTooLongException;
import dev.weft.net.LineReader;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

/** The examples in the class comments of dev.weft.net's types (compiled and run by TypeExamplesTest). */
public final class TypeExamples {
    private TypeExamples() {}

    /** {@code FrameTooLongException}'s example; returns what it read. */
    public static String frameTooLong() throws Exception {
        byte[] input = "far too long\nok\n".getBytes(StandardCharsets.UTF_8);
        LineReader lines = new LineReader(new ByteArrayInputStream(input), 4, StandardCharsets.UTF_8);
        String first;
        try {
            first = lines.readLine();
        } catch (FrameTooLongException e) {
            first = "(skipped)";                                   // the over-long line is gone
        }
        return first + " " + lines.readLine();                     // the reader is still usable: "ok"
    }
}
