package dev.weft.net;

import java.io.IOException;

/**
 * A line or frame longer than the limit its reader or writer was given. What happens next is
 * documented by the thrower: {@link LineReader} and {@link FrameReader} skip the over-long item
 * and stay usable; {@link LineWriter} and {@link FrameWriter} wrote nothing.
 *
 * <p>Example (compiled and run in the tests as {@code dev.weft.net.snippets.TypeExamples}):
 * {@snippet :
 * LineReader lines = new LineReader(new ByteArrayInputStream("far too long\nok\n".getBytes(UTF_8)), 4, UTF_8);
 * try {
 *     lines.readLine();
 * } catch (FrameTooLongException e) {
 *     // the over-long line is gone
 * }
 * String next = lines.readLine();                            // the reader is still usable: "ok"
 * }
 */
public final class FrameTooLongException extends IOException {
    private static final long serialVersionUID = 1L;
    private final long length;
    private final long limit;

    /**
     * @param what   what was too long ("line", "frame"), for the message
     * @param length its length in bytes, or the bytes seen so far when the end was not seen ({@code atLeast})
     * @param limit  the limit it broke
     * @param atLeast whether {@code length} is a lower bound
     */
    public FrameTooLongException(String what, long length, long limit, boolean atLeast) {
        super(what + " of " + (atLeast ? "more than " : "") + length + " bytes exceeds the limit of " + limit + " bytes");
        this.length = length;
        this.limit = limit;
    }

    /** The item's length in bytes, or a lower bound for a line whose end was not seen. */
    public long length() {
        return length;
    }

    /** The limit, in bytes. */
    public long limit() {
        return limit;
    }
}
