package dev.weft.fs.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The byte-moving loops the blocking jobs run: reads and writes in chunks through pooled direct
 * buffers, touching the caller's array only inside {@link Op#enter()}/{@link Op#exit()}.
 *
 * <p>The kernel only ever sees our own direct buffers (never the caller's memory), and a buffer
 * goes back to the pool only after the system call that uses it has returned, so a caller that
 * walks away cannot have its memory written, nor a buffer reused, under the kernel's feet. Direct
 * buffers also spare the JDK's hidden per-thread temporary copy of a heap buffer.
 *
 * <p>Thread-safe (the pool is lock-free; the loops keep no state).
 */
public final class ChunkIo {
    /** Bytes moved per system call, and the grain at which an abandoned job stops. */
    public static final int CHUNK = 256 * 1024;
    private static final int POOLED_MAX = 128;

    private static final ConcurrentLinkedQueue<ByteBuffer> POOL = new ConcurrentLinkedQueue<>();
    private static final AtomicInteger POOLED = new AtomicInteger();

    private ChunkIo() {}

    static ByteBuffer take() {
        ByteBuffer b = POOL.poll();
        if (b != null) {
            POOLED.decrementAndGet();
            return b.clear();
        }
        return allocate();
    }

    /** A new chunk buffer: {@link #CHUNK} bytes, and past its end the trailer {@link NoWait} calls use. */
    static ByteBuffer allocate() {
        return ByteBuffer.allocateDirect(CHUNK + NoWait.TRAILER).slice(0, CHUNK);
    }

    static void give(ByteBuffer b) {
        if (POOLED.incrementAndGet() <= POOLED_MAX) {
            POOL.offer(b);
        } else {
            POOLED.decrementAndGet();
        }
    }

    /**
     * Reads up to {@code len} bytes into {@code dst[off..]}: at {@code position}, or at the
     * channel's own position when {@code position < 0} (pipes, devices: one read, which waits only
     * for the first bytes). Stops at the first short read, at end of file, or when the caller
     * abandons the op; a chunk read but not delivered is
     * dropped (and, at the channel's position, the position is moved back over it where it can be).
     *
     * @return bytes delivered into {@code dst}, or -1 at end of file with nothing delivered
     */
    public static int read(FileChannel ch, long position, byte[] dst, int off, int len, Op op) throws IOException {
        if (len == 0) {
            return 0;
        }
        ByteBuffer tmp = take();
        int done = 0;
        boolean eof = false;
        try {
            while (done < len && !op.abandoned()) {
                int want = Math.min(CHUNK, len - done);
                tmp.clear().limit(want);
                int n = position >= 0 ? ch.read(tmp, position + done) : ch.read(tmp);
                if (n < 0) {
                    eof = true;
                    break;
                }
                tmp.flip();
                if (!op.enter()) {
                    if (position < 0 && n > 0) {
                        unread(ch, n);
                    }
                    break;
                }
                try {
                    tmp.get(dst, off + done, n);
                    done += n;
                    // Before exit: a caller that abandons from here on reads a progress that has
                    // these bytes (its abandon waits out the copy, then reads it); after exit it
                    // could miss them, and a stream's bytes it was handed would be reported unread.
                    op.progress(done);
                } finally {
                    op.exit();
                }
                op.countRead(n);
                if (n < want || position < 0) {
                    break;   // a stream's next read would wait for more than there is: return what came
                }
            }
        } finally {
            give(tmp);
        }
        return done == 0 && eof ? -1 : done;
    }

    private static void unread(FileChannel ch, int n) {
        try {
            ch.position(ch.position() - n);
        } catch (IOException | RuntimeException notSeekable) {
            // a pipe or device: the bytes are gone, as with any cancelled read of a stream
        }
    }

    /**
     * Writes all of {@code src[off..off+len)}: at {@code position}, or at the channel's own position
     * when {@code position < 0} (append mode, pipes). Each chunk is copied out of {@code src} under
     * {@link Op#enter()}; once copied it is written in full even if the caller walks away meanwhile,
     * so the file always receives a prefix of {@code src} made of whole chunks.
     *
     * @return bytes written (less than {@code len} only if the caller abandoned the op)
     */
    public static long write(FileChannel ch, long position, byte[] src, int off, int len, Op op) throws IOException {
        if (len == 0) {
            return 0;
        }
        ByteBuffer tmp = take();
        long done = 0;
        try {
            while (done < len) {
                int want = (int) Math.min(CHUNK, len - done);
                tmp.clear();
                if (!op.enter()) {
                    break;
                }
                try {
                    tmp.put(src, off + (int) done, want);
                } finally {
                    op.exit();
                }
                tmp.flip();
                long at = position + done;
                while (tmp.hasRemaining()) {
                    if (position >= 0) {
                        at += ch.write(tmp, at);
                    } else {
                        ch.write(tmp);
                    }
                }
                done += want;
                op.progress(done);
                op.countWritten(want);
            }
        } finally {
            give(tmp);
        }
        return done;
    }

    /**
     * Reads a whole file into a new array (the job's own memory: no gating), checking between
     * chunks whether the caller walked away.
     *
     * @throws InterruptedIOException if the caller abandoned the op (the partial result is dropped)
     */
    public static byte[] readAll(FileChannel ch, Op op) throws IOException {
        long size = ch.size();
        if (size > Integer.MAX_VALUE - 16) {
            throw new OutOfMemoryError("file too large for one array: " + size + " bytes");
        }
        byte[] out = new byte[size > 0 ? (int) size : 8192];
        int done = 0;
        ByteBuffer tmp = take();
        try {
            while (true) {
                if (op.abandoned()) {
                    throw new InterruptedIOException("abandoned");
                }
                int room = out.length - done;
                tmp.clear().limit(room > 0 ? Math.min(CHUNK, room) : CHUNK);
                int n = ch.read(tmp);
                if (n < 0) {
                    break;
                }
                if (n > room) {   // the file grew (or reported size 0, as procfs does)
                    long grown = Math.max((long) done + n, 2L * out.length);
                    if (grown > Integer.MAX_VALUE - 16) {
                        throw new OutOfMemoryError("file too large for one array");
                    }
                    out = Arrays.copyOf(out, (int) grown);
                }
                tmp.flip().get(out, done, n);
                done += n;
                op.progress(done);
                op.countRead(n);
            }
        } finally {
            give(tmp);
        }
        return done == out.length ? out : Arrays.copyOf(out, done);
    }
}
