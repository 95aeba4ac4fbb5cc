package dev.weft.net;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The reading side of a connection: a whole {@link NetStream} ({@link TcpStream},
 * {@link UnixStream}) or its {@linkplain NetStream.ReadHalf read half}. What {@link NetIo#copy}
 * reads from. Reads park the calling task, never a carrier.
 *
 * {@snippet :
 * ByteInput in = stream;                    // or stream.split().read()
 * byte[] header = in.readExact(4);
 * }
 *
 * <p>One task reads at a time ({@link IllegalStateException} for a second reader). Cancellation,
 * timeouts and memory visibility as described for {@link NetStream}.
 */
public sealed interface ByteInput permits NetStream, NetStream.ReadHalf {

    /**
     * Reads up to {@code len} bytes into {@code dst[off..]}. Returns at once with what is buffered;
     * parks only when nothing is, until some bytes arrive or the input ends.
     *
     * @return the number of bytes read, at least 1 when {@code len > 0}; 0 when {@code len == 0};
     *         -1 at end of stream (the peer shut its output down or closed, and everything was read)
     * @throws InterruptedIOException if interrupted while parked; nothing is lost
     * @throws SocketTimeoutException if the read timeout passed first; nothing is lost, the stream stays usable
     * @throws SocketException        if the stream (or this half) is closed, or the connection failed (e.g. reset) and nothing is buffered
     * @throws IndexOutOfBoundsException if {@code off}/{@code len} do not fit {@code dst}
     */
    int read(byte[] dst, int off, int len) throws IOException;

    /** Reads into all of {@code dst}; see {@link #read(byte[], int, int)}. */
    default int read(byte[] dst) throws IOException {
        return read(dst, 0, dst.length);
    }

    /**
     * Reads into the remaining space of {@code dst} (advancing its position); see
     * {@link #read(byte[], int, int)} for when it parks and what it throws.
     *
     * @return the number of bytes read, 0 if {@code dst} has no space left, -1 at end of stream
     * @throws IOException as {@link #read(byte[], int, int)}
     * @throws java.nio.ReadOnlyBufferException if {@code dst} is read-only
     */
    int read(ByteBuffer dst) throws IOException;

    /**
     * Reads exactly {@code len} bytes into {@code dst[off..]}, parking as often as needed
     * (Java's {@code readFully}, Tokio's {@code read_exact}).
     *
     * @throws EOFException           if the input ends first; the bytes that did arrive are in {@code dst}
     * @throws InterruptedIOException if interrupted; {@code bytesTransferred} says how many bytes are already in {@code dst}
     * @throws IOException            as {@link #read(byte[], int, int)}
     */
    default void readExact(byte[] dst, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, dst.length);
        int done = 0;
        while (done < len) {
            int n;
            try {
                n = read(dst, off + done, len - done);
            } catch (InterruptedIOException e) {
                e.bytesTransferred = done;
                throw e;
            }
            if (n < 0) {
                throw new EOFException("end of stream after " + done + " of " + len + " bytes");
            }
            done += n;
        }
    }

    /**
     * Reads exactly {@code n} bytes; see {@link #readExact(byte[], int, int)}.
     *
     * @return a new array of {@code n} bytes
     * @throws IllegalArgumentException if {@code n} is negative
     */
    default byte[] readExact(int n) throws IOException {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        byte[] b = new byte[n];
        readExact(b, 0, n);
        return b;
    }

    /** Bytes buffered that a read returns without parking (0 when closed). Never parks. */
    int available();

    /**
     * An {@link InputStream} over this input, for existing blocking code ({@code BufferedReader},
     * {@code DataInputStream}, {@link LineReader}); its reads behave as
     * {@link #read(byte[], int, int)} and closing it closes this input (the whole stream, or this
     * half). The same instance is returned on every call.
     */
    InputStream inputStream();
}
