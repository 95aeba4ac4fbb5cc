package dev.weft.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * Reads lines of text, each at most a given number of bytes, from a {@link NetStream} or any
 * {@link InputStream} (Tokio's {@code LinesCodec} decoder). A line ends at {@code '\n'}; a
 * {@code '\r'} just before it is dropped too. Unlike {@link java.io.BufferedReader}, a peer cannot
 * make it buffer without bound: a line longer than the limit is an error.
 *
 * {@snippet :
 * LineReader lines = new LineReader(stream, 8 * 1024);
 * LineWriter replies = new LineWriter(stream);
 * String line;
 * while ((line = lines.readLine()) != null) {
 *     replies.writeLine(line.toUpperCase());
 * }
 * }
 *
 * <h2>Bad input</h2>
 * <ul>
 *   <li>A line over the limit throws {@link FrameTooLongException} as soon as the limit is
 *       passed, without waiting for its end. The reader stays usable: the next
 *       {@link #readLine()} skips the rest of that line (reading and dropping bytes, never
 *       buffering more than the limit) and returns the line after it. Lines before it were
 *       returned intact.</li>
 *   <li>Bytes that are not valid in the charset throw {@link CharacterCodingException}; that line
 *       is consumed and the next call returns the following one.</li>
 *   <li>End of stream in the middle of a line returns that last line; a line being skipped is
 *       dropped.</li>
 * </ul>
 *
 * <p>Blocking and cancellation are those of the underlying input: on {@link NetStream} a read
 * parks the task; an {@link InterruptedIOException} loses nothing (the partial line stays
 * buffered here and the next call goes on). The reader buffers bytes it has read past the
 * current line: read the input only through it once started. Not thread-safe: one task reads.
 */
public final class LineReader {
    private final InputStream in;
    private final int maxLength;
    private final Charset charset;
    private final byte[] buf;
    private int pos;
    private int lim;
    private byte[] line;
    private int lineLen;
    private boolean skipping;
    private boolean eof;

    /**
     * A reader of UTF-8 lines from {@code stream} (through its {@link ByteInput#inputStream()}).
     *
     * @param maxLength the longest line, in bytes, without its terminator
     * @throws IllegalArgumentException if {@code maxLength} is not positive
     */
    public LineReader(ByteInput stream, int maxLength) {
        this(Objects.requireNonNull(stream, "stream").inputStream(), maxLength, StandardCharsets.UTF_8);
    }

    /**
     * A reader of lines in {@code charset} from {@code in}.
     *
     * @param maxLength the longest line, in bytes, without its terminator
     * @param charset   a charset that encodes {@code '\n'} and {@code '\r'} as the single bytes
     *                  {@code 0x0A} and {@code 0x0D}, as UTF-8, ASCII and ISO-8859-1 do (lines are
     *                  split on those bytes, before decoding)
     * @throws IllegalArgumentException if {@code maxLength} is not positive, or {@code charset}
     *                                  encodes the terminators otherwise (UTF-16, UTF-32, EBCDIC)
     * @throws NullPointerException     if an argument is null
     */
    public LineReader(InputStream in, int maxLength, Charset charset) {
        this.in = Objects.requireNonNull(in, "in");
        this.charset = checkCharset(charset);
        if (maxLength <= 0) {
            throw new IllegalArgumentException("maxLength must be > 0, was " + maxLength);
        }
        this.maxLength = maxLength;
        this.buf = new byte[8192];
        this.line = new byte[Math.min(maxLength, 256)];
    }

    /**
     * {@code charset}, if it encodes the terminators as the single bytes that lines are split on;
     * in UTF-16 a {@code '\n'} is two bytes, and the byte {@code 0x0A} is also half of other
     * characters: such lines were cut in the middle of a character.
     */
    static Charset checkCharset(Charset charset) {
        Objects.requireNonNull(charset, "charset");
        if (!Arrays.equals("\n\r".getBytes(charset), new byte[] {'\n', '\r'})) {
            throw new IllegalArgumentException("lines in " + charset
                    + " cannot be split on the bytes '\\n' and '\\r': use a charset that encodes them as single bytes (UTF-8, ASCII, ISO-8859-1)");
        }
        return charset;
    }

    /** The longest line accepted, in bytes. */
    public int maxLength() {
        return maxLength;
    }

    /**
     * Returns the next line without its terminator, parking while the input has no complete line.
     *
     * @return the line, or {@code null} at end of stream
     * @throws FrameTooLongException      if the line is longer than {@link #maxLength()}; see the class comment
     * @throws CharacterCodingException   if the line is not valid in the charset (it is consumed)
     * @throws InterruptedIOException     if interrupted while the input parks; nothing is lost
     * @throws IOException                if the input failed
     */
    public String readLine() throws IOException {
        for (;;) {
            if (pos == lim) {
                if (eof) {
                    return endOfStream();
                }
                int n = in.read(buf, 0, buf.length);
                if (n < 0) {
                    eof = true;
                    continue;
                }
                pos = 0;
                lim = n;
                continue;
            }
            int nl = -1;
            for (int i = pos; i < lim; i++) {
                if (buf[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            int end = nl < 0 ? lim : nl;
            if (skipping) {
                pos = nl < 0 ? lim : nl + 1;
                if (nl >= 0) {
                    skipping = false;
                }
                continue;
            }
            int add = end - pos;
            // A '\r' before the '\n' is not part of the line, so one byte over the limit may be it.
            if ((long) lineLen + add > (long) maxLength + 1) {   // long: maxLength may be Integer.MAX_VALUE
                long seen = lineLen + add;
                lineLen = 0;
                skipping = nl < 0;
                pos = nl < 0 ? lim : nl + 1;
                throw new FrameTooLongException("line", seen, maxLength, nl < 0);
            }
            append(pos, add);
            pos = nl < 0 ? lim : nl + 1;
            if (nl >= 0) {
                return takeLine();
            }
        }
    }

    private void append(int from, int n) {
        if (lineLen + n > line.length) {
            long cap = Math.min(Math.min((long) maxLength + 1, line.length * 2L), Integer.MAX_VALUE - 8);
            line = Arrays.copyOf(line, (int) Math.max(lineLen + n, cap));
        }
        System.arraycopy(buf, from, line, lineLen, n);
        lineLen += n;
    }

    private String takeLine() throws IOException {
        int n = lineLen;
        if (n > 0 && line[n - 1] == '\r') {
            n--;
        }
        lineLen = 0;
        if (n > maxLength) {
            throw new FrameTooLongException("line", n, maxLength, false);
        }
        return charset.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(line, 0, n))
                .toString();
    }

    private String endOfStream() throws IOException {
        if (skipping) {
            skipping = false;
            lineLen = 0;
            return null;
        }
        if (lineLen == 0) {
            return null;
        }
        return takeLine();
    }
}
