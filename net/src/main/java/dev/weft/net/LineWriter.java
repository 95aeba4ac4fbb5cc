package dev.weft.net;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Writes lines of text, each ended by {@code '\n'}, to a {@link NetStream} or any
 * {@link OutputStream} (Tokio's {@code LinesCodec} encoder). Each {@link #writeLine} is one write
 * of the line and its terminator together, so on a {@link NetStream} it is one flush, and a line
 * is never interleaved with another writer's bytes within this writer's output.
 *
 * {@snippet :
 * LineWriter out = new LineWriter(stream, 1024);   // lines of at most 1024 bytes, as the peer's LineReader
 * out.writeLine("HELLO");
 * }
 *
 * <p>A maximum line length, in bytes without the terminator as for {@link LineReader}, catches
 * a line the peer's reader would refuse before any of it is sent: {@link #writeLine} throws
 * {@link FrameTooLongException} and writes nothing. The constructors without one write lines of
 * any length.
 *
 * <p>Blocking, backpressure and cancellation are those of the underlying output (on a
 * {@link NetStream}: parks while the peer does not keep up). Not thread-safe: one task writes.
 */
public final class LineWriter {
    private final OutputStream out;
    private final int maxLength;
    private final Charset charset;

    /** A writer of UTF-8 lines of any length to {@code stream} (through its {@link ByteOutput#outputStream()}). */
    public LineWriter(ByteOutput stream) {
        this(Objects.requireNonNull(stream, "stream").outputStream(), Integer.MAX_VALUE, StandardCharsets.UTF_8);
    }

    /**
     * A writer of UTF-8 lines to {@code stream} (through its {@link ByteOutput#outputStream()}).
     *
     * @param maxLength the longest line, in bytes, without its terminator
     * @throws IllegalArgumentException if {@code maxLength} is not positive
     */
    public LineWriter(ByteOutput stream, int maxLength) {
        this(Objects.requireNonNull(stream, "stream").outputStream(), maxLength, StandardCharsets.UTF_8);
    }

    /**
     * A writer of lines of any length in {@code charset} to {@code out}.
     *
     * @throws IllegalArgumentException if {@code charset} is not one {@link LineReader} reads
     * @throws NullPointerException     if an argument is null
     */
    public LineWriter(OutputStream out, Charset charset) {
        this(out, Integer.MAX_VALUE, charset);
    }

    /**
     * A writer of lines in {@code charset} to {@code out}.
     *
     * @param maxLength the longest line, in bytes, without its terminator
     * @param charset   one that encodes {@code '\n'} and {@code '\r'} as single bytes, as
     *                  {@link LineReader#LineReader(InputStream, int, Charset)} requires
     * @throws IllegalArgumentException if {@code maxLength} is not positive, or {@code charset}
     *                                  encodes the terminators otherwise (UTF-16: each line would
     *                                  also start with a byte-order mark)
     * @throws NullPointerException     if an argument is null
     */
    public LineWriter(OutputStream out, int maxLength, Charset charset) {
        this.out = Objects.requireNonNull(out, "out");
        this.charset = LineReader.checkCharset(charset);
        if (maxLength <= 0) {
            throw new IllegalArgumentException("maxLength must be > 0, was " + maxLength);
        }
        this.maxLength = maxLength;
    }

    /** The longest line written, in bytes ({@code Integer.MAX_VALUE} when unlimited). */
    public int maxLength() {
        return maxLength;
    }

    /**
     * Writes {@code line} and a {@code '\n'}.
     *
     * @throws FrameTooLongException    if the encoded line is longer than {@link #maxLength()} bytes;
     *                                  nothing is written
     * @throws IllegalArgumentException if {@code line} contains {@code '\n'} or {@code '\r'} (it would
     *                                  not read back as one line); nothing is written
     * @throws InterruptedIOException   if interrupted while the output parks; see the output's rules
     *                                  for how much was written
     * @throws IOException              if the output failed
     */
    public void writeLine(CharSequence line) throws IOException {
        String s = line.toString();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c == '\r') {
                throw new IllegalArgumentException("a line cannot contain " + (c == '\n' ? "'\\n'" : "'\\r'")
                        + " (at index " + i + ")");
            }
        }
        byte[] text = s.getBytes(charset);
        if (text.length > maxLength) {
            throw new FrameTooLongException("line", text.length, maxLength, false);
        }
        byte[] all = new byte[text.length + 1];
        System.arraycopy(text, 0, all, 0, text.length);
        all[text.length] = '\n';
        out.write(all);
    }

    /** Flushes the output (on a {@link NetStream}: parks until the bytes left the process). */
    public void flush() throws IOException {
        out.flush();
    }
}
