package dev.weft.fs.internal;

import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The descriptor a {@code FileHandle} hands to io_uring: the raw descriptor of its file, opened
 * read-only, write-only or read-write with {@link Posix#open}; the handle's channel is opened
 * through it ({@code /proc/self/fd}), so both are always the same file.
 *
 * <p>Reference-counted so that the number is never closed while a request that names it may
 * still be queued for submission: a reused descriptor number would make the kernel read or write
 * some other file. The handle holds one reference, each request one more; the last release
 * closes it, off the carrier.
 *
 * <p>Thread-safe.
 */
public final class UringFile {
    /** Where a last release on a carrier (a completion after the handle was closed) closes the descriptor. */
    private static final Executor CLOSER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "weft-fs-closer");
        t.setDaemon(true);
        return t;
    });

    final int fd;
    final boolean writable;
    /**
     * Whether reads may go straight into the caller's array ({@link NoWait#readInto}): true until
     * a carrier-side read of this descriptor finds a page that is not cached. From then on this
     * descriptor's reads (and the readahead they start, which {@code cachestat} would count as
     * cached while it is in flight) may be bringing pages in, so it copies through a chunk for good.
     */
    volatile boolean directReads = true;
    /** The range {@link NoWait#readInto} last found cached, and when. */
    volatile CachedRange cached;

    /** Bytes {@code [from, until)} of the file were all in the page cache at {@code checkedAt} ({@link System#nanoTime}). */
    record CachedRange(long from, long until, long checkedAt) {}
    private final AtomicInteger refs = new AtomicInteger(1);
    private final AtomicBoolean handleReleased = new AtomicBoolean();

    public UringFile(int fd, boolean writable) {
        this.fd = fd;
        this.writable = writable;
    }

    /** Closes a descriptor no request names any more, off the calling (carrier) thread. */
    static void closeLater(int fd) {
        CLOSER.execute(() -> Posix.close(fd));
    }

    /** Closes {@code c} off the calling (carrier) thread, ignoring errors. */
    public static void closeLater(java.io.Closeable c) {
        CLOSER.execute(() -> {
            try {
                c.close();
            } catch (java.io.IOException ignored) {
                // closing a file descriptor: nothing a caller could do
            }
        });
    }

    /** Takes a reference for one request; false once the handle has let go (closed). */
    boolean acquire() {
        while (true) {
            int r = refs.get();
            if (r <= 0) {
                return false;
            }
            if (refs.compareAndSet(r, r + 1)) {
                return true;
            }
        }
    }

    /** Drops a request's reference; {@code mayBlock} says whether the caller may make the close(2) call itself. */
    void release(boolean mayBlock) {
        if (refs.decrementAndGet() == 0) {
            if (mayBlock) {
                Posix.close(fd);
            } else {
                CLOSER.execute(() -> Posix.close(fd));
            }
        }
    }

    /** The handle lets go (idempotent); call where blocking is allowed (the close job). */
    public void closeHandle() {
        if (handleReleased.compareAndSet(false, true)) {
            release(true);
        }
    }

    /** Whether a write may go through this descriptor. */
    public boolean writable() {
        return writable;
    }
}
