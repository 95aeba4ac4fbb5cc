package dev.weft.net;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * Writes length-delimited frames, as {@link FrameReader} reads them (a 4-byte big-endian length,
 * then the body), to a {@link NetStream} or any {@link OutputStream}. Each frame is one write of
 * header and body together (one flush on a {@link NetStream}).
 *
 * {@snippet :
 * FrameWriter frames = new FrameWriter(stream, 1 << 20);
 * frames.writeFrame("hello".getBytes(StandardCharsets.UTF_8));
 * }
 *
 * <p>Blocking, backpressure and cancellation are those of the underlying output. Not
 * thread-safe: one task writes.
 */
public final class FrameWriter {
    private final OutputStream out;
    private final int maxFrameSize;

    /**
     * A writer of frames to {@code stream} (through its {@link ByteOutput#outputStream()}).
     *
     * @param maxFrameSize the largest body it writes (the peer's reader limit, usually)
     * @throws IllegalArgumentException if {@code maxFrameSize} is negative or over {@code Integer.MAX_VALUE - 8}
     */
    public FrameWriter(ByteOutput stream, int maxFrameSize) {
        this(Objects.requireNonNull(stream, "stream").outputStream(), maxFrameSize);
    }

    /** A writer of frames to {@code out}; see {@link #FrameWriter(ByteOutput, int)}. */
    public FrameWriter(OutputStream out, int maxFrameSize) {
        this.out = Objects.requireNonNull(out, "out");
        this.maxFrameSize = FrameReader.checkMax(maxFrameSize);
    }

    /** Writes all of {@code body} as one frame; see {@link #writeFrame(byte[], int, int)}. */
    public void writeFrame(byte[] body) throws IOException {
        writeFrame(body, 0, body.length);
    }

    /**
     * Writes {@code body[off..off+len)} as one frame.
     *
     * @throws FrameTooLongException  if {@code len} is over the maximum frame size; nothing is written
     * @throws InterruptedIOException if interrupted while the output parks; see the output's rules for how much was written
     * @throws IOException            if the output failed
     * @throws IndexOutOfBoundsException if {@code off}/{@code len} do not fit {@code body}
     */
    public void writeFrame(byte[] body, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, body.length);
        if (len > maxFrameSize) {
            throw new FrameTooLongException("frame", len, maxFrameSize, false);
        }
        byte[] all = new byte[FrameReader.HEADER + len];
        all[0] = (byte) (len >>> 24);
        all[1] = (byte) (len >>> 16);
        all[2] = (byte) (len >>> 8);
        all[3] = (byte) len;
        System.arraycopy(body, off, all, FrameReader.HEADER, len);
        out.write(all);
    }

    /** Flushes the output (on a {@link NetStream}: parks until the bytes left the process). */
    public void flush() throws IOException {
        out.flush();
    }
}
