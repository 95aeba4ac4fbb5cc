package dev.weft.net;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;

/**
 * The writing side of a connection: a whole {@link NetStream} ({@link TcpStream},
 * {@link UnixStream}) or its {@linkplain NetStream.WriteHalf write half}. What {@link NetIo#copy}
 * writes to. Writes park the calling task while the peer does not keep up (backpressure).
 *
 * {@snippet :
 * ByteOutput out = stream;                  // or stream.split().write()
 * out.writeAll("hello\n".getBytes(StandardCharsets.UTF_8));
 * out.shutdownOutput();                     // the peer reads end of stream
 * }
 *
 * <p>One task writes at a time ({@link IllegalStateException} for a second writer). Cancellation,
 * timeouts and memory visibility as described for {@link NetStream}.
 */
public sealed interface ByteOutput permits NetStream, NetStream.WriteHalf {

    /**
     * Writes all {@code len} bytes of {@code src[off..]} and flushes them. The bytes are copied:
     * {@code src} may be reused when this returns. Parks while the channel is not writable (more
     * than the high water mark queued, i.e. the peer does not keep up), and returns once every
     * byte has been handed to the channel (not necessarily sent yet: see {@link #flush()}).
     *
     * @throws InterruptedIOException if interrupted while parked; {@code bytesTransferred} bytes were handed over and will be sent, the rest were not
     * @throws SocketTimeoutException if the write timeout passed while parked (same accounting)
     * @throws SocketException        if the stream is closed, its output shut down, or the connection failed
     * @throws IndexOutOfBoundsException if {@code off}/{@code len} do not fit {@code src}
     */
    void write(byte[] src, int off, int len) throws IOException;

    /** Writes all of {@code src}; see {@link #write(byte[], int, int)}. */
    default void writeAll(byte[] src) throws IOException {
        write(src, 0, src.length);
    }

    /** Same as {@link #write(byte[], int, int)}, which always writes everything (Tokio's {@code write_all}). */
    default void writeAll(byte[] src, int off, int len) throws IOException {
        write(src, off, len);
    }

    /**
     * Writes the remaining bytes of {@code src} (advancing its position to its limit); see
     * {@link #write(byte[], int, int)}.
     *
     * @throws IOException as {@link #write(byte[], int, int)}; after an interruption the position says what was handed over
     */
    void write(ByteBuffer src) throws IOException;

    /**
     * Parks until every byte written so far has been handed to the operating system. Writes
     * flush on their own; call this to know the bytes left the process.
     *
     * @throws InterruptedIOException if interrupted while parked; the bytes are still sent
     * @throws SocketTimeoutException if the write timeout passed first
     * @throws SocketException        if the stream is closed or the connection failed before they were written;
     *                                a close by another task wakes this one at once (the close then lets the
     *                                bytes drain, as {@link NetStream#close()} says)
     */
    void flush() throws IOException;

    /**
     * Half-close: flushes what was written, then shuts the output down (the peer reads end of
     * stream). Reading goes on. Parks until done. Idempotent.
     *
     * <p>Once called, the shutdown is committed: if the call wakes early (interrupt, timeout) the
     * pending bytes are still sent and the output is shut down after them, so the peer reads them
     * and then end of stream; later calls return at once and writes throw {@link SocketException}.
     *
     * @throws InterruptedIOException if interrupted while parked (the shutdown goes on)
     * @throws SocketTimeoutException if the write timeout passed while flushing (the shutdown goes on,
     *                                after the bytes, once the peer takes them)
     * @throws SocketException        if the stream is closed or the connection failed; a close by
     *                                another task wakes this one at once
     */
    void shutdownOutput() throws IOException;

    /**
     * Bytes written and not yet handed to the operating system, the quantity backpressure keeps
     * bounded (at most about the high water mark plus one chunk while a writer is parked). Never parks.
     */
    long pendingWriteBytes();

    /**
     * An {@link OutputStream} over this output; its writes behave as {@link #write(byte[], int, int)}
     * (each flushes: wrap it in a {@link java.io.BufferedOutputStream} to batch small writes), its
     * {@code flush} as {@link #flush()}, and closing it closes this output (the whole stream, or
     * this half). The same instance is returned on every call.
     */
    OutputStream outputStream();
}
