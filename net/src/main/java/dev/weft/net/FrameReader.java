package dev.weft.net;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Objects;

/**
 * Reads length-delimited frames from a {@link NetStream} or any {@link InputStream} (Tokio's
 * {@code LengthDelimitedCodec} decoder with its defaults): each frame is a 4-byte big-endian
 * unsigned length followed by that many bytes. {@link FrameWriter} writes them.
 *
 * {@snippet :
 * FrameReader frames = new FrameReader(stream, 1 << 20);   // frames of at most 1 MiB
 * byte[] frame;
 * while ((frame = frames.readFrame()) != null) {
 *     handle(frame);
 * }
 * }
 *
 * <h2>Bad input</h2>
 * <ul>
 *   <li>A length over the maximum throws {@link FrameTooLongException} as soon as the header is
 *       read, before any of the body is; frames before it were returned intact. The reader stays
 *       in step: the next {@link #readFrame()} reads and drops that frame's body (in small pieces,
 *       never holding it) and returns the frame after it. A peer that sent a garbage length is
 *       better closed: skipping up to 4 GiB takes a while.</li>
 *   <li>End of stream inside a header or a body throws {@link EOFException} saying how many
 *       bytes were missing; end of stream between frames returns {@code null}.</li>
 * </ul>
 *
 * <p>Blocking and cancellation are those of the underlying input; an
 * {@link InterruptedIOException} loses nothing (the partial frame is kept and the next call goes
 * on with it). Not thread-safe: one task reads.
 */
public final class FrameReader {
    /** Bytes of the length prefix. */
    public static final int HEADER = 4;

    private final InputStream in;
    private final int maxFrameSize;
    private final byte[] header = new byte[HEADER];
    private int headerLen;
    private byte[] body;
    private int bodyLen;
    private long skip;

    /**
     * A reader of frames from {@code stream} (through its {@link ByteInput#inputStream()}).
     *
     * @param maxFrameSize the largest body accepted, in bytes
     * @throws IllegalArgumentException if {@code maxFrameSize} is negative or over {@code Integer.MAX_VALUE - 8}
     */
    public FrameReader(ByteInput stream, int maxFrameSize) {
        this(Objects.requireNonNull(stream, "stream").inputStream(), maxFrameSize);
    }

    /**
     * A reader of frames from {@code in}.
     *
     * @param maxFrameSize the largest body accepted, in bytes
     * @throws IllegalArgumentException if {@code maxFrameSize} is negative or over {@code Integer.MAX_VALUE - 8}
     * @throws NullPointerException     if {@code in} is null
     */
    public FrameReader(InputStream in, int maxFrameSize) {
        this.in = Objects.requireNonNull(in, "in");
        this.maxFrameSize = checkMax(maxFrameSize);
    }

    static int checkMax(int maxFrameSize) {
        if (maxFrameSize < 0 || maxFrameSize > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxFrameSize must be in [0, " + (Integer.MAX_VALUE - 8) + "], was " + maxFrameSize);
        }
        return maxFrameSize;
    }

    /** The largest frame body accepted, in bytes. */
    public int maxFrameSize() {
        return maxFrameSize;
    }

    /**
     * Returns the next frame's body, parking while it has not fully arrived.
     *
     * @return the body (possibly empty), or {@code null} at end of stream between frames
     * @throws FrameTooLongException  if the frame's length is over {@link #maxFrameSize()}; see the class comment
     * @throws EOFException           if the input ends inside a frame
     * @throws InterruptedIOException if interrupted while the input parks; nothing is lost
     * @throws IOException            if the input failed
     */
    public byte[] readFrame() throws IOException {
        byte[] scratch = null;
        while (skip > 0) {
            if (scratch == null) {
                scratch = new byte[8192];
            }
            int n = in.read(scratch, 0, (int) Math.min(scratch.length, skip));
            if (n < 0) {
                throw new EOFException("end of stream while skipping an over-long frame, " + skip + " bytes short");
            }
            skip -= n;
        }
        if (body == null) {
            while (headerLen < HEADER) {
                int n = in.read(header, headerLen, HEADER - headerLen);
                if (n < 0) {
                    if (headerLen == 0) {
                        return null;
                    }
                    throw new EOFException("end of stream inside a frame header (" + headerLen + " of " + HEADER + " bytes)");
                }
                headerLen += n;
            }
            long length = ((header[0] & 0xffL) << 24) | ((header[1] & 0xff) << 16) | ((header[2] & 0xff) << 8) | (header[3] & 0xff);
            headerLen = 0;
            if (length > maxFrameSize) {
                skip = length;
                throw new FrameTooLongException("frame", length, maxFrameSize, false);
            }
            body = new byte[(int) length];
            bodyLen = 0;
        }
        while (bodyLen < body.length) {
            int n = in.read(body, bodyLen, body.length - bodyLen);
            if (n < 0) {
                int missing = body.length - bodyLen;
                body = null;
                throw new EOFException("end of stream inside a frame body (" + missing + " bytes missing)");
            }
            bodyLen += n;
        }
        byte[] b = body;
        body = null;
        return b;
    }
}
