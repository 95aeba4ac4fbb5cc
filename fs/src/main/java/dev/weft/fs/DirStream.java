package dev.weft.fs;

import dev.weft.fs.internal.Offload;

import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * The entries of one directory, fetched {@value #BATCH} at a time on the blocking pool as they
 * are consumed (Tokio's {@code ReadDir}): a directory of a million entries costs one batch of
 * memory. From {@link Fs#list(Path)}.
 *
 * <pre>{@code
 * try (DirStream entries = Fs.list(dir)) {
 *     for (Path p : entries) {          // parks the task when a batch is fetched
 *         System.out.println(p.getFileName());
 *     }
 * }
 * }</pre>
 *
 * <p>Entries are paths resolved against the directory, in the order the file system returns them,
 * without {@code .} and {@code ..}. As with {@link DirectoryStream}, an entry added or removed while
 * the stream is open may or may not be seen.
 *
 * <p><b>Cancellation.</b> A task cancelled while a batch is fetched wakes at once with
 * {@link java.io.InterruptedIOException}; that batch is lost (the stream then skips it), the
 * stream stays usable and must still be closed.
 *
 * <p><b>Thread-safety.</b> One owner at a time, like an iterator; hand it over with a
 * happens-before edge. {@link #close()} may be called from any thread and is idempotent. A stream
 * never closed is closed by a cleaner, with a warning naming the directory.
 */
public final class DirStream implements Iterable<Path>, AutoCloseable {
    /** Entries fetched per trip to the blocking pool. */
    public static final int BATCH = 256;

    private static final Cleaner CLEANER = Cleaner.create();
    private static final System.Logger LOG = System.getLogger(DirStream.class.getName());

    private final Path dir;
    private final Source source;
    private final Cleaner.Cleanable cleanable;
    private final ArrayDeque<Path> buffer = new ArrayDeque<>(BATCH);
    private boolean exhausted;
    private boolean iterated;
    private long batches;
    private volatile boolean closed;

    /** The JDK stream and its iterator; what the cleaner closes (it must not reach the DirStream). */
    private static final class Source implements Runnable {
        final DirectoryStream<Path> stream;
        final Iterator<Path> it;
        final Path dir;
        volatile boolean closed;

        Source(DirectoryStream<Path> stream, Path dir) {
            this.stream = stream;
            this.it = stream.iterator();
            this.dir = dir;
        }

        /** Called by the cleaner only: the stream was leaked. */
        @Override
        public void run() {
            if (!closed) {   // closed by the owner's close() before clean(): nothing to report
                LOG.log(System.Logger.Level.WARNING, "DirStream of " + dir + " was never closed; closed by the cleaner. "
                        + "Close it with try-with-resources.");
                closeQuietly();
            }
        }

        synchronized void closeQuietly() {
            closed = true;
            try {
                stream.close();
            } catch (IOException ignored) {
                // nothing useful to do for a leaked stream
            }
        }

        /** Up to BATCH entries; empty at the end. Serialised: an abandoned fetch may still run. */
        synchronized List<Path> fetch() throws IOException {
            List<Path> out = new ArrayList<>(BATCH);
            if (closed) {
                return out;
            }
            try {
                while (out.size() < BATCH && it.hasNext()) {
                    out.add(it.next());
                }
            } catch (DirectoryIteratorException e) {
                throw e.getCause();
            }
            return out;
        }
    }

    private DirStream(Path dir, DirectoryStream<Path> stream) {
        this.dir = dir;
        this.source = new Source(stream, dir);
        this.cleanable = CLEANER.register(this, source);
    }

    static DirStream open(Path dir, String glob) throws IOException {
        Objects.requireNonNull(dir, "dir");
        DirectoryStream<Path> s = Offload.call(op -> glob == null ? Files.newDirectoryStream(dir)
                : Files.newDirectoryStream(dir, glob));
        return new DirStream(dir, s);
    }

    /**
     * The next entry, or {@code null} at the end. Returns at once while the current batch lasts;
     * otherwise parks while the next batch is fetched.
     *
     * @throws java.io.InterruptedIOException if cancelled while fetching (the batch is lost)
     * @throws IOException                    if reading the directory failed
     * @throws IllegalStateException          if the stream is closed, also by another thread
     *                                        while this call waited for a batch
     */
    public Path nextEntry() throws IOException {
        ensureOpen();
        Path p = buffer.poll();
        if (p != null || exhausted) {
            return p;
        }
        List<Path> batch = Offload.call(op -> source.fetch());
        // A close from another thread meanwhile leaves the fetch an empty batch: not the end.
        ensureOpen();
        batches++;
        if (batch.size() < BATCH) {
            exhausted = true;
        }
        buffer.addAll(batch);
        return buffer.poll();
    }

    /**
     * The entries as an iterator; may be called once (as {@link DirectoryStream#iterator()}).
     * {@code hasNext()} parks while a batch is fetched; an {@link IOException} comes out wrapped
     * in a {@link DirectoryIteratorException}.
     *
     * @throws IllegalStateException if the stream is closed or an iterator was already returned
     */
    @Override
    public Iterator<Path> iterator() {
        if (closed) {
            throw new IllegalStateException("DirStream of " + dir + " is closed");
        }
        if (iterated) {
            throw new IllegalStateException("DirStream.iterator() already called");
        }
        iterated = true;
        return new Iterator<>() {
            private Path next;

            @Override
            public boolean hasNext() {
                if (closed) {
                    next = null;    // closed: behaves as the end of the stream
                    return false;
                }
                if (next == null) {
                    try {
                        next = nextEntry();
                    } catch (IOException e) {
                        throw new DirectoryIteratorException(e);
                    } catch (IllegalStateException e) {
                        if (closed) {
                            return false;   // closed by another thread meanwhile: the end, as DirectoryStream's iterator
                        }
                        throw e;
                    }
                }
                return next != null;
            }

            @Override
            public Path next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Path p = next;
                next = null;
                return p;
            }
        };
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("DirStream of " + dir + " is closed");
        }
    }

    /** The directory being listed. */
    public Path directory() {
        return dir;
    }

    /** Entries fetched and not yet returned (at most {@value #BATCH}). */
    int buffered() {
        return buffer.size();
    }

    /** Trips made to the blocking pool for entries so far. */
    long batchesFetched() {
        return batches;
    }

    /**
     * Closes the directory (on the blocking pool; on a carrier's thread outside a task, in place).
     * Idempotent. Cancelled while closing, it still closes in the background.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        // The buffer is left alone: it is the owner's, unsynchronised, and the owner may be polling
        // it right now; a closed stream never hands out what is left in it.
        try {
            Offload.callEvenIfInterrupted(op -> {
                source.closeQuietly();
                return null;
            });
        } catch (java.io.InterruptedIOException e) {
            // Cancelled twice while queued: close here rather than leak (closedir does not block).
            source.closeQuietly();
        } catch (IllegalStateException onCarrier) {
            // A carrier's thread outside a task has no blocking pool to hand it to: closedir does
            // not block, so it closes here rather than fail (and leave it to the cleaner).
            source.closeQuietly();
        } finally {
            cleanable.clean();
        }
    }

    @Override
    public String toString() {
        return "DirStream[" + dir + (closed ? ", closed" : "") + "]";
    }
}
