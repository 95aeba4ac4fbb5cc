package dev.weft.fs;

import dev.weft.core.Weft;
import dev.weft.fs.internal.CarrierFiles;
import dev.weft.fs.internal.ChunkIo;
import dev.weft.fs.internal.NoWait;
import dev.weft.fs.internal.Offload;
import dev.weft.fs.internal.Op;
import dev.weft.fs.internal.Posix;
import dev.weft.fs.internal.Ring;
import dev.weft.fs.internal.Uring;
import dev.weft.fs.internal.UringFile;
import dev.weft.net.ByteOutput;
import dev.weft.net.NetStream;
import dev.weft.net.TcpStream;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.lang.ref.Cleaner;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * An open file whose reads, writes and other system calls park the calling task (Tokio's
 * {@code tokio::fs::File}, the JDK's {@link FileChannel}). Where the runtime's
 * {@linkplain Fs#backend(dev.weft.core.WeftRuntime) backend} is io_uring, reads and writes of a
 * regular file are io_uring requests completed on the calling task's carrier loop; everything else
 * (open, size, sync, close, append mode, pipes) runs on the runtime's blocking pool.
 * Outside a task the calls run on the caller, as {@link Fs} explains.
 *
 * <pre>{@code
 * try (FileHandle f = FileHandle.open(path, READ, WRITE, CREATE)) {
 *     f.writeAt(0, header);
 *     int n = f.read(buf, 0, buf.length);   // at the current position, which then moves
 *     f.syncData();
 * }
 * }</pre>
 *
 * <h2>Implementation overview</h2>
 * For a regular file the current position is a field of the handle: {@link #seek} and
 * {@link #position()} make no system call, and reads and writes at the current position use the
 * positional {@code pread}/{@code pwrite} with it. Pipes, devices and append-mode writes use the
 * channel's own position instead. Bytes move in chunks of {@value ChunkIo#CHUNK} through pooled
 * direct buffers owned by the blocking job; the caller's array is copied from or into only while
 * the caller is still waiting (see {@code dev.weft.fs.internal.Op}).
 *
 * <h2>Cancellation</h2>
 * On the io_uring backend the kernel request in flight is not cancelled: it completes into the
 * handle's own direct buffer, which (with the descriptor and the slot) is released only by its
 * completion; a cancelled read delivers nothing more, a cancelled write may still land that one
 * request (at most {@value ChunkIo#CHUNK} bytes). Details in the package documentation. On the
 * blocking pool:
 * A task cancelled during an operation wakes at once with {@link InterruptedIOException}
 * (interrupt status kept). Nothing the caller owns is touched after that: the blocking job works
 * on its own buffers and may finish in the background, stopping at its next chunk boundary.
 * <ul>
 *   <li>Cancelled <b>read</b>: {@code bytesTransferred} bytes were delivered into the array;
 *       the position moved by exactly that many; any further bytes the job read are dropped.</li>
 *   <li>Cancelled <b>write</b>: the file receives a prefix of the data made of whole chunks, at
 *       least {@code bytesTransferred} bytes; the position moves by what was actually written.</li>
 *   <li>The next operation on the handle first waits for every such background job to end, so
 *       operations stay in order. {@link #close()} does not wait: it closes the file, which ends
 *       the background job.</li>
 * </ul>
 *
 * <p><b>Thread-safety.</b> Positional operations ({@link #readAt}, {@link #writeAt}, {@link #size},
 * sync) may be called by several tasks at once. Operations at the current position assume one owner
 * at a time (as a {@code FileChannel} position shared between threads would be meaningless).
 * {@link #close()} is idempotent and may be called from any thread. An operation's effects
 * happen-before its return. A handle never closed is closed by a cleaner, with a warning naming the
 * path and the task that opened it.
 */
public final class FileHandle implements Closeable {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final System.Logger LOG = System.getLogger(FileHandle.class.getName());

    private final Path path;
    private final FileChannel ch;
    private final boolean seekable;
    private final boolean append;
    /** Opened for reading (as FileChannel decides it); reads of a handle that is not throw as its channel would. */
    private final boolean readable;
    private final Resource resource;
    private final Cleaner.Cleanable cleanable;
    /** The io_uring descriptor of a regular file opened by a task of an io_uring runtime, else null. */
    private final UringFile uring;
    private volatile long position;
    /**
     * The operations callers walked away from that may still run: all of them, since positional
     * operations of several tasks may be cancelled at once and end in any order.
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<Op> pending = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile boolean closed;
    private InputStream in;
    private OutputStream out;

    /** What the cleaner closes; must not reach the handle. */
    private static final class Resource implements Runnable {
        final FileChannel ch;
        final UringFile uring;
        final String what;
        volatile boolean ownerClosed;
        /**
         * The handle's reference on {@link #ch}, plus one per zero-copy region the transport still
         * holds: the transport splices from the channel's descriptor by number, so the number must
         * not be closed (and reused by another open) until the last region is released.
         */
        private final java.util.concurrent.atomic.AtomicInteger channelRefs = new java.util.concurrent.atomic.AtomicInteger(1);
        private final java.util.concurrent.atomic.AtomicBoolean letGo = new java.util.concurrent.atomic.AtomicBoolean();

        Resource(FileChannel ch, UringFile uring, String what) {
            this.ch = ch;
            this.uring = uring;
            this.what = what;
        }

        @Override
        public void run() {
            if (!ownerClosed) {
                LOG.log(System.Logger.Level.WARNING, "FileHandle of " + what + " was never closed; closed by the cleaner. "
                        + "Close it with try-with-resources.");
            }
            closeQuietly();
        }

        void closeQuietly() {
            if (uring != null) {
                uring.closeHandle();
            }
            try {
                letGo();
            } catch (IOException ignored) {
                // closing a file descriptor: nothing a caller could do
            }
        }

        /** The handle lets go of the channel (idempotent); it closes now unless a region still holds it. */
        void letGo() throws IOException {
            if (letGo.compareAndSet(false, true) && channelRefs.decrementAndGet() == 0) {
                ch.close();
            }
        }

        /** A reference for a region; false once the channel is closed. */
        boolean retainForRegion() {
            while (true) {
                int r = channelRefs.get();
                if (r <= 0) {
                    return false;
                }
                if (channelRefs.compareAndSet(r, r + 1)) {
                    return true;
                }
            }
        }

        /** The transport released a region (on its loop): the last reference closes the channel off the carrier. */
        void regionReleased() {
            if (channelRefs.decrementAndGet() == 0) {
                UringFile.closeLater(ch);
            }
        }
    }

    private FileHandle(Path path, FileChannel ch, UringFile uring, boolean seekable, boolean append, boolean readable) {
        this.path = path;
        this.readable = readable;
        this.ch = ch;
        this.uring = uring;
        this.seekable = seekable;
        this.append = append;
        String opener = Weft.currentTask().map(t -> " opened by task '" + t.name() + "'")
                .orElse(" opened by thread '" + Thread.currentThread().getName() + "'");
        this.resource = new Resource(ch, uring, path + opener);
        this.cleanable = CLEANER.register(this, resource);
    }

    /**
     * Opens a file with {@link StandardOpenOption}s as {@link FileChannel#open(Path, OpenOption...)};
     * with no option, for reading. Parks until open (opening a FIFO waits for its other end).
     *
     * @throws java.nio.file.NoSuchFileException        if it does not exist and {@code CREATE} is not given
     * @throws java.nio.file.FileAlreadyExistsException with {@code CREATE_NEW} if it exists
     * @throws java.nio.file.AccessDeniedException      if permissions refuse it
     * @throws IllegalArgumentException                 for an invalid combination (e.g. {@code READ} with {@code APPEND})
     */
    public static FileHandle open(Path path, OpenOption... options) throws IOException {
        Objects.requireNonNull(path, "path");
        Set<OpenOption> opts = new HashSet<>();
        for (OpenOption o : options) {
            opts.add(Objects.requireNonNull(o, "options"));
        }
        if (opts.isEmpty()) {
            opts.add(StandardOpenOption.READ);
        }
        boolean append = opts.contains(StandardOpenOption.APPEND);
        // As FileChannel.open: with neither READ nor WRITE, APPEND writes and anything else reads.
        boolean readable = opts.contains(StandardOpenOption.READ)
                || !opts.contains(StandardOpenOption.WRITE) && !append;
        // A raw descriptor for io_uring requests, or for carrier-side reads on other transports.
        // Not with SYNC or DSYNC: the channel's descriptor carries them, and writes keep to it.
        // Not for a path of another file system (a zip file's): open(2) would take its string as
        // the name of a file of the default one.
        boolean wantUring = !append && !opts.contains(StandardOpenOption.SYNC) && !opts.contains(StandardOpenOption.DSYNC)
                && path.getFileSystem() == java.nio.file.FileSystems.getDefault()
                && (Uring.wantDescriptor() || CarrierFiles.wantDescriptor());
        Opened o = Offload.call(op -> {
            Opened withDescriptor = wantUring ? openWithDescriptor(path, opts) : null;
            return withDescriptor != null ? withDescriptor : openChannel(path, opts, append);
        });
        FileHandle h = new FileHandle(path, o.ch, o.uring, o.regular, append, readable);
        h.position = o.position;
        return h;
    }

    /** The options {@link #openWithDescriptor} can carry out itself: any other takes {@link #openChannel}. */
    private static final Set<OpenOption> DESCRIPTOR_OPTIONS = Set.of(StandardOpenOption.READ, StandardOpenOption.WRITE,
            StandardOpenOption.CREATE, StandardOpenOption.CREATE_NEW, StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.SPARSE);

    /** The open without a raw descriptor (a blocking-pool job): the JDK's channel alone. */
    private static Opened openChannel(Path path, Set<OpenOption> opts, boolean append) throws IOException {
        FileChannel ch = FileChannel.open(path, opts);
        try {
            boolean regular = Files.readAttributes(path, BasicFileAttributes.class).isRegularFile();
            long pos = append && regular ? ch.size() : 0;
            return new Opened(ch, null, regular, pos);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * The open with a raw descriptor for io_uring or the carrier-side calls (a blocking-pool job),
     * or null where {@link #openChannel} must do it. The path is opened once, by the raw
     * {@code open(2)} (creating or truncating as the options say, as the JDK would); the channel
     * is opened through {@code /proc/self/fd/N}, which names that open file and not the path, so
     * both are the same file even if another is renamed over the path meanwhile. The raw open does
     * not wait ({@code O_NONBLOCK}, then cleared): a FIFO's waits in the channel's open, while the
     * raw descriptor keeps a writer that came first from finding no reader.
     */
    private static Opened openWithDescriptor(Path path, Set<OpenOption> opts) throws IOException {
        if (!Posix.AVAILABLE || !DESCRIPTOR_OPTIONS.containsAll(opts)) {
            return null;
        }
        boolean write = opts.contains(StandardOpenOption.WRITE);
        boolean read = opts.contains(StandardOpenOption.READ) || !write;
        int flags = (read && write ? Posix.O_RDWR : write ? Posix.O_WRONLY : Posix.O_RDONLY) | Posix.O_NONBLOCK;
        if (write) {   // as FileChannel.open: these options are ignored for reading only
            if (opts.contains(StandardOpenOption.CREATE_NEW)) {
                flags |= Posix.O_CREAT | Posix.O_EXCL;
            } else if (opts.contains(StandardOpenOption.CREATE)) {
                flags |= Posix.O_CREAT;
            }
            if (opts.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
                flags |= Posix.O_TRUNC;
            }
        }
        int fd;
        try {
            fd = Posix.open(path, flags, 0666);
        } catch (IOException | RuntimeException e) {
            return null;   // the JDK's open gives the error its own type and message, or waits (a FIFO with no reader)
        }
        boolean keep = false;
        try {
            Path self = Path.of("/proc/self/fd/" + fd);
            boolean regular;
            FileChannel ch;
            try {
                regular = Files.readAttributes(self, BasicFileAttributes.class).isRegularFile();
                Set<OpenOption> reopen = new HashSet<>();
                reopen.add(read ? StandardOpenOption.READ : StandardOpenOption.WRITE);
                if (read && write) {
                    reopen.add(StandardOpenOption.WRITE);
                }
                ch = reopen(self, reopen, (flags & Posix.O_CREAT) != 0);
            } catch (java.nio.file.NoSuchFileException noProc) {
                // No /proc here: the path once more, without a raw descriptor, as the raw open left it.
                Set<OpenOption> rest = new HashSet<>(opts);
                rest.remove(StandardOpenOption.TRUNCATE_EXISTING);
                if (rest.remove(StandardOpenOption.CREATE_NEW)) {
                    rest.add(StandardOpenOption.CREATE);
                }
                return openChannel(path, rest, false);
            }
            if (!regular) {
                return new Opened(ch, null, false, 0);   // the raw descriptor only kept the FIFO's reader
            }
            try {
                Posix.clearStatusFlags(fd);   // else io_uring would answer EAGAIN instead of waiting for the disk
                Opened o = new Opened(ch, new UringFile(fd, write), true, 0);
                keep = true;
                return o;
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
        } finally {
            if (!keep) {
                Posix.close(fd);
            }
        }
    }

    /**
     * The channel of the file open as {@code self} ({@code /proc/self/fd/N}). A file the raw open
     * has just created may have a mode that refuses its owner the access asked (a umask such as
     * 0277): the raw open got that access anyway, as the JDK's own open would, but a reopen is
     * checked against the mode. The owner's read and write bits are then added for the reopen
     * and the mode put back after it.
     */
    private static FileChannel reopen(Path self, Set<OpenOption> opts, boolean mayHaveCreated) throws IOException {
        try {
            return FileChannel.open(self, opts);
        } catch (java.nio.file.AccessDeniedException denied) {
            if (!mayHaveCreated) {
                throw denied;
            }
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(self);
            Set<PosixFilePermission> owner = EnumSet.noneOf(PosixFilePermission.class);
            owner.addAll(mode);
            owner.add(PosixFilePermission.OWNER_READ);
            owner.add(PosixFilePermission.OWNER_WRITE);
            Files.setPosixFilePermissions(self, owner);
            try {
                return FileChannel.open(self, opts);
            } finally {
                Files.setPosixFilePermissions(self, mode);
            }
        }
    }

    /** What an open's job hands back; closed whole if the caller was cancelled meanwhile. */
    private record Opened(FileChannel ch, UringFile uring, boolean regular, long position) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                ch.close();
            } finally {
                if (uring != null) {
                    uring.closeHandle();
                }
            }
        }
    }

    /**
     * Creates a file for writing, truncating it if it exists ({@code WRITE, CREATE, TRUNCATE_EXISTING};
     * Tokio's {@code File::create}).
     */
    public static FileHandle create(Path path) throws IOException {
        return open(path, StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads up to {@code len} bytes at the current position into {@code dst[off..]} and moves the
     * position past them. Parks until at least one byte is read or the end of the file is reached;
     * may return fewer bytes than asked.
     *
     * @return bytes read, or -1 at end of file
     * @throws InterruptedIOException if cancelled; {@code bytesTransferred} bytes were read (see the class comment)
     * @throws IOException            if the read failed or the handle is closed
     * @throws java.nio.channels.NonReadableChannelException if the handle was not opened for reading
     */
    public int read(byte[] dst, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, dst.length);
        ensureOpen();
        ensureReadable();
        awaitPending();
        if (len == 0) {
            return 0;
        }
        if (!seekable) {
            return run(new Op(), op -> ChunkIo.read(ch, -1, dst, off, len, op));
        }
        long start = position;
        Ring ring = ring();
        if (ring != null) {
            try {
                int n = uringRead(ring, start, dst, off, len);
                position = start + Math.max(n, 0);
                return n;
            } catch (InterruptedIOException e) {
                position = start + e.bytesTransferred;
                throw e;
            }
        }
        int cached = carrierRead(start, dst, off, len);
        if (cached != NoWait.WOULD_BLOCK) {
            position = start + Math.max(cached, 0);
            return cached;
        }
        int n = run(new Op(), op -> {
            int r = ChunkIo.read(ch, start, dst, off, len, op);
            if (!op.finish()) {
                position = start + Math.max(r, 0);   // abandoned: only what was delivered counts
            }
            return r;
        });
        position = start + Math.max(n, 0);
        return n;
    }

    /**
     * Throws {@link java.nio.channels.NonReadableChannelException} for a handle opened without
     * reading, before any backend is asked: the io_uring and carrier-side paths would otherwise
     * report the system's "bad file descriptor" instead.
     */
    private void ensureReadable() {
        if (!readable) {
            throw new java.nio.channels.NonReadableChannelException();
        }
    }

    /** {@link #read(byte[], int, int)} into the whole of {@code dst}. */
    public int read(byte[] dst) throws IOException {
        return read(dst, 0, dst.length);
    }

    /**
     * Reads up to {@code len} bytes at {@code at} into {@code dst[off..]}; the current position
     * does not move. Parks until done.
     *
     * @return bytes read, or -1 if {@code at} is at or past the end of the file
     * @throws InterruptedIOException if cancelled; {@code bytesTransferred} bytes were delivered
     * @throws java.nio.channels.NonReadableChannelException if the handle was not opened for reading
     */
    public int readAt(long at, byte[] dst, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, dst.length);
        nonNegative("at", at);
        ensureOpen();
        ensureReadable();
        awaitPending();
        if (len == 0) {
            return 0;
        }
        Ring ring = ring();
        if (ring != null) {
            return uringRead(ring, at, dst, off, len);
        }
        int cached = carrierRead(at, dst, off, len);
        if (cached != NoWait.WOULD_BLOCK) {
            return cached;
        }
        return run(new Op(), op -> ChunkIo.read(ch, at, dst, off, len, op));
    }

    /**
     * Reads exactly {@code len} bytes at {@code at}; the current position does not move.
     *
     * @throws EOFException if the file ends first (the bytes read so far are in {@code dst})
     */
    public void readExactAt(long at, byte[] dst, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, dst.length);
        int done = 0;
        while (done < len) {
            int n;
            try {
                n = readAt(at + done, dst, off + done, len - done);
            } catch (InterruptedIOException e) {
                e.bytesTransferred += done;
                throw e;
            }
            if (n < 0) {
                throw new EOFException(path + ": end of file after " + done + " of " + len + " bytes at offset " + at);
            }
            done += n;
        }
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes all of {@code src[off..off+len)} at the current position (at the end in append mode)
     * and moves the position past them. Parks until every byte is written.
     *
     * @throws InterruptedIOException if cancelled; see the class comment for what was written
     * @throws IOException            if the write failed or the handle is closed or not writable
     */
    public void write(byte[] src, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, src.length);
        ensureOpen();
        awaitPending();
        if (len == 0) {
            return;
        }
        if (!seekable) {
            run(new Op(), op -> ChunkIo.write(ch, -1, src, off, len, op));
            return;
        }
        long start = position;
        Ring ring = append ? null : ring();
        if (ring != null && uring.writable()) {
            try {
                uringWrite(ring, start, src, off, len, this::advancePosition);
            } catch (InterruptedIOException e) {
                // The request in flight, if any, moves the position further when it lands.
                advancePosition(start + e.bytesTransferred);
                throw e;
            }
            position = start + len;
            return;
        }
        long end = run(new Op(), op -> {
            long e;
            if (append) {
                ChunkIo.write(ch, -1, src, off, len, op);
                e = ch.position();
            } else {
                e = start + ChunkIo.write(ch, start, src, off, len, op);
            }
            if (!op.finish()) {
                position = e;
            }
            return e;
        });
        position = end;
    }

    /** {@link #write(byte[], int, int)} of the whole of {@code src}. */
    public void write(byte[] src) throws IOException {
        write(src, 0, src.length);
    }

    /**
     * Writes all of {@code src[off..off+len)} at {@code at} (extending the file if needed); the
     * current position does not move. Parks until every byte is written. In append mode the bytes
     * go to the end of the file whatever {@code at} (Linux's {@code pwrite} under {@code O_APPEND}).
     *
     * @throws InterruptedIOException if cancelled; see the class comment for what was written
     */
    public void writeAt(long at, byte[] src, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, src.length);
        nonNegative("at", at);
        ensureOpen();
        awaitPending();
        if (len == 0) {
            return;
        }
        Ring ring = append ? null : ring();
        if (ring != null && uring.writable()) {
            uringWrite(ring, at, src, off, len, null);
            return;
        }
        run(new Op(), op -> ChunkIo.write(ch, at, src, off, len, op));
    }

    // ------------------------------------------------------------------ position and size

    /**
     * Moves the current position (beyond the end is allowed: a later write leaves a hole). No
     * system call; waits only for a cancelled operation of this handle still running.
     *
     * @return the new position
     * @throws IOException if the file is not seekable (a pipe, a device) or the handle is closed
     */
    public long seek(long newPosition) throws IOException {
        nonNegative("newPosition", newPosition);
        ensureOpen();
        awaitPending();
        if (!seekable) {
            throw new IOException(path + ": not a regular file, cannot seek");
        }
        position = newPosition;
        return newPosition;
    }

    /** The current position (0 for pipes and devices). Never parks. */
    public long position() {
        return position;
    }

    /** The file's size now. Parks for one {@code fstat}. */
    public long size() throws IOException {
        ensureOpen();
        awaitPending();
        return run(new Op(), op -> ch.size());
    }

    /**
     * Truncates or extends the file to {@code length} bytes (an extension reads as zeros, as
     * {@link java.io.RandomAccessFile#setLength}). A position past the new end moves to it.
     */
    public void setLength(long length) throws IOException {
        nonNegative("length", length);
        ensureOpen();
        awaitPending();
        run(new Op(), op -> {
            long size = ch.size();
            if (length < size) {
                ch.truncate(length);
            } else if (length > size && append) {
                // O_APPEND: Linux's pwrite ignores the offset and appends, so append the zeros
                java.nio.ByteBuffer zeros = java.nio.ByteBuffer.allocate((int) Math.min(ChunkIo.CHUNK, length - size));
                for (long left = length - size; left > 0; left -= ch.write(zeros.clear().limit((int) Math.min(zeros.capacity(), left)))) {
                    // each write lands at the end
                }
            } else if (length > size) {
                ch.write(java.nio.ByteBuffer.allocate(1), length - 1);
            }
            return null;
        });
        if (position > length) {
            position = length;
        }
    }

    /** Flushes the file's data (not all metadata) to the device: {@code fdatasync}. Parks until done. */
    public void syncData() throws IOException {
        ensureOpen();
        awaitPending();
        run(new Op(), op -> {
            ch.force(false);
            return null;
        });
    }

    /** Flushes the file's data and metadata to the device: {@code fsync}. Parks until done. */
    public void syncAll() throws IOException {
        ensureOpen();
        awaitPending();
        run(new Op(), op -> {
            ch.force(true);
            return null;
        });
    }

    // ------------------------------------------------------------------ streams

    /**
     * An {@link InputStream} reading at the current position. Each {@code read} is one trip to the
     * blocking pool: read in large arrays (or wrap in a {@link java.io.BufferedInputStream}).
     * Closing it closes the handle.
     */
    public synchronized InputStream inputStream() {
        if (in == null) {
            in = new InputStream() {
                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    int n;
                    while ((n = FileHandle.this.read(one, 0, 1)) == 0) {
                        // a zero-length read from a pipe: try again
                    }
                    return n < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return FileHandle.this.read(b, off, len);
                }

                /**
                 * Of a regular file, moves the position (at most to the end: one {@code fstat}),
                 * as {@code Files.newInputStream}'s does; of a pipe or device, reads and drops.
                 */
                @Override
                public long skip(long n) throws IOException {
                    if (n <= 0 || !seekable) {
                        return super.skip(n);
                    }
                    long at = position;
                    long skipped = Math.min(n, Math.max(0, size() - at));
                    seek(at + skipped);
                    return skipped;
                }

                @Override
                public void close() throws IOException {
                    FileHandle.this.close();
                }
            };
        }
        return in;
    }

    /**
     * An {@link OutputStream} writing at the current position. Each {@code write} is one trip to
     * the blocking pool (wrap in a {@link java.io.BufferedOutputStream} for small writes).
     * {@code flush} does nothing (there is no user-space buffer; {@link #syncData()} reaches the
     * device). Closing it closes the handle.
     */
    public synchronized OutputStream outputStream() {
        if (out == null) {
            out = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    FileHandle.this.write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    FileHandle.this.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    FileHandle.this.close();
                }
            };
        }
        return out;
    }

    // ------------------------------------------------------------------ transfer

    /**
     * Sends the file from the current position to its end to {@code stream}, moving the position.
     * Returns when the last byte is handed to the socket (call {@link TcpStream#flush()} to wait
     * for the peer's kernel to take it).
     *
     * <p><b>Zero-copy</b> where the stream's carrier runs io_uring: the range goes to the
     * transport as one file region and the kernel moves it file → pipe → socket
     * ({@code IORING_OP_SPLICE}, run by io_uring's workers, so a page-cache miss never stalls the
     * carrier); the task parks until the transport has sent it all. Elsewhere (epoll, NIO, a pipe
     * or device) it is a copy loop: each chunk of
     * {@value ChunkIo#CHUNK} bytes is read off the carrier, then written to the socket (parking
     * while the peer is slow). Epoll's {@code sendfile} is not used because it would read the disk
     * on the carrier thread.
     *
     * @return bytes sent
     * @throws InterruptedIOException if cancelled. Copy loop: {@code bytesTransferred} counts
     *                                bytes sent before the chunk in progress (the position is
     *                                past them too). Zero-copy: the transport goes on sending the
     *                                whole range in the background (closing this handle meanwhile
     *                                does not stop it: the file is closed once the transport has
     *                                released the range); the position is moved past the range.
     * @throws IOException            if reading the file or writing the socket failed
     * @throws IllegalStateException  if {@code stream} was {@linkplain TcpStream#split() split}
     *                                (its write half owns its writes: use
     *                                {@link #transferTo(NetStream.WriteHalf)}); nothing is read
     *                                and the position does not move
     * @throws java.nio.channels.NonReadableChannelException if the handle was not opened for
     *                                reading; nothing is sent and the position does not move
     */
    public long transferTo(TcpStream stream) throws IOException {
        Objects.requireNonNull(stream, "stream");
        notSplit(stream);
        ensureOpen();
        ensureReadable();   // before the zero-copy path: a region of a write-only descriptor fails in the transport and closes the stream
        awaitPending();
        if (seekable && zeroCopy(stream)) {
            long start = position;
            long count = Math.max(0, size() - start);
            position = start + count;   // also if cancelled: the region is sent in the background
            return sendRegion(stream, start, count);
        }
        return copyTo(stream);
    }

    /**
     * Sends the file from the current position to its end to the write half of a
     * {@linkplain TcpStream#split() split} stream, moving the position, as
     * {@link #transferTo(TcpStream)} does with its copy loop (never zero-copy).
     *
     * @return bytes sent
     * @throws InterruptedIOException if cancelled; {@code bytesTransferred} counts bytes sent
     *                                before the chunk in progress (the position is past them too)
     * @throws IOException            if reading the file or writing the socket failed
     */
    public long transferTo(NetStream.WriteHalf half) throws IOException {
        Objects.requireNonNull(half, "half");
        ensureOpen();
        awaitPending();
        return copyTo(half);
    }

    /** The copy loop of {@link #transferTo(TcpStream)}: from the position to the end. */
    private long copyTo(ByteOutput out) throws IOException {
        byte[] buf = new byte[ChunkIo.CHUNK];
        long sent = 0;
        while (true) {
            int n;
            try {
                n = read(buf, 0, buf.length);
            } catch (InterruptedIOException e) {
                throw withProgress(e, sent);
            }
            if (n < 0) {
                return sent;
            }
            try {
                out.write(buf, 0, n);
            } catch (InterruptedIOException e) {
                throw withProgress(e, sent);
            }
            sent += n;
        }
    }

    /**
     * Sends {@code count} bytes starting at {@code at} (fewer if the file ends first) to
     * {@code stream}; the current position does not move. Zero-copy or a copy loop, as
     * {@link #transferTo(TcpStream)}.
     *
     * @return bytes sent
     * @throws IllegalStateException if {@code stream} was {@linkplain TcpStream#split() split}
     *                               (use {@link #transferTo(long, long, NetStream.WriteHalf)})
     * @throws java.nio.channels.NonReadableChannelException if the handle was not opened for reading
     */
    public long transferTo(long at, long count, TcpStream stream) throws IOException {
        nonNegative("at", at);
        nonNegative("count", count);
        Objects.requireNonNull(stream, "stream");
        notSplit(stream);
        ensureOpen();
        ensureReadable();   // before the zero-copy path: a region of a write-only descriptor fails in the transport and closes the stream
        awaitPending();
        if (seekable && zeroCopy(stream)) {
            long n = Math.min(count, Math.max(0, size() - at));
            return sendRegion(stream, at, n);
        }
        return copyTo(at, count, stream);
    }

    /**
     * Sends {@code count} bytes starting at {@code at} (fewer if the file ends first) to the write
     * half of a {@linkplain TcpStream#split() split} stream; the current position does not move.
     * A copy loop, as {@link #transferTo(NetStream.WriteHalf)}.
     *
     * @return bytes sent
     */
    public long transferTo(long at, long count, NetStream.WriteHalf half) throws IOException {
        nonNegative("at", at);
        nonNegative("count", count);
        Objects.requireNonNull(half, "half");
        ensureOpen();
        awaitPending();
        return copyTo(at, count, half);
    }

    /** The copy loop of {@link #transferTo(long, long, TcpStream)}. */
    private long copyTo(long at, long count, ByteOutput out) throws IOException {
        byte[] buf = new byte[(int) Math.min(ChunkIo.CHUNK, Math.max(1, count))];
        long sent = 0;
        while (sent < count) {
            int n;
            try {
                n = readAt(at + sent, buf, 0, (int) Math.min(buf.length, count - sent));
            } catch (InterruptedIOException e) {
                throw withProgress(e, sent);
            }
            if (n < 0) {
                break;
            }
            try {
                out.write(buf, 0, n);
            } catch (InterruptedIOException e) {
                throw withProgress(e, sent);
            }
            sent += n;
        }
        return sent;
    }

    /** A split stream's writes belong to its write half: refused before anything is read. */
    private static void notSplit(TcpStream stream) {
        if (stream.isSplit()) {
            throw new IllegalStateException(
                    "the stream was split: its write half owns its writes; transfer to halves.write() instead");
        }
    }

    /** Whether a transfer to {@code stream} from the calling thread can be zero-copy (see transferTo). */
    private boolean zeroCopy(TcpStream stream) {
        return stream.runtime() != null && Uring.zeroCopyCause(stream.runtime()) == null;
    }

    /** One file region for the whole range; the handle keeps ownership of the channel. */
    private long sendRegion(TcpStream stream, long at, long count) throws IOException {
        if (count == 0) {
            return 0;
        }
        Resource res = resource;
        if (!res.retainForRegion()) {
            throw new java.nio.channels.ClosedChannelException();
        }
        io.netty.channel.DefaultFileRegion region = new io.netty.channel.DefaultFileRegion(ch, at, count) {
            @Override
            protected void deallocate() {
                // DefaultFileRegion would close the channel: it is the handle's, closed by the last of
                // close() and the release of the regions the transport may still splice from
                res.regionReleased();
            }
        };
        try {
            stream.writeFileRegion(region);
        } catch (IllegalStateException e) {   // refused before the stream took the region (split meanwhile)
            if (region.refCnt() > 0) {
                region.release();
            }
            throw e;
        }
        dev.weft.fs.internal.Gate g = dev.weft.fs.internal.Gate.of(stream.runtime());
        g.bytesRead.add(count);
        g.zeroCopyBytes.add(count);
        return count;
    }

    private static InterruptedIOException withProgress(InterruptedIOException e, long sent) {
        e.bytesTransferred = (int) Math.min(Integer.MAX_VALUE, sent);
        return e;
    }

    // ------------------------------------------------------------------ lifecycle

    /** The path this handle was opened with. */
    public Path path() {
        return path;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes the file (on the blocking pool). Idempotent. Does not wait for a cancelled operation
     * still running in the background: closing ends it, except a zero-copy transfer, which the
     * transport finishes before the file's descriptor is closed (its number is never reused under
     * it). An interrupt pending on the caller does not stop the close.
     */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        resource.ownerClosed = true;
        try {
            Offload.callEvenIfInterrupted(op -> {
                if (uring != null) {
                    uring.closeHandle();
                }
                resource.letGo();
                return null;
            });
        } catch (InterruptedIOException e) {
            resource.closeQuietly();   // cancelled twice while queued: close here rather than leak
        } finally {
            cleanable.clean();
        }
    }

    @Override
    public String toString() {
        return "FileHandle[" + path + ", position " + position + (closed ? ", closed" : "") + "]";
    }

    /** A read with carrier-side calls on a transport without io_uring ({@link CarrierFiles#read}), or {@link NoWait#WOULD_BLOCK}. */
    private int carrierRead(long at, byte[] dst, int off, int len) throws IOException {
        return uring != null && seekable ? CarrierFiles.read(uring, path, at, dst, off, len) : NoWait.WOULD_BLOCK;
    }

    /** The calling task's carrier ring if this handle's reads and writes go through io_uring, else null. */
    private Ring ring() throws IOException {
        return uring != null && seekable ? Uring.ringHere() : null;
    }

    private int uringRead(Ring ring, long at, byte[] dst, int off, int len) throws IOException {
        Op op = new Op();
        try {
            int n = Uring.read(ring, uring, path, at, dst, off, len, op);
            op.ended();
            return n;
        } catch (InterruptedIOException e) {
            leftRunning(op);
            throw e;
        } catch (IOException | RuntimeException | Error e) {
            op.ended();
            throw e;
        }
    }

    /**
     * After a cancelled write at the current position, both the caller and the abandoned request's
     * completion (on the loop) report where the file's data now ends: the larger wins.
     */
    private void advancePosition(long end) {
        // A CAS loop, not a lock: the completion side runs on a carrier thread, which must never block.
        long p;
        while (end > (p = position) && !POSITION.compareAndSet(this, p, end)) {
            Thread.onSpinWait();
        }
    }

    private static final java.lang.invoke.VarHandle POSITION;

    static {
        try {
            POSITION = java.lang.invoke.MethodHandles.lookup().findVarHandle(FileHandle.class, "position", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private void uringWrite(Ring ring, long at, byte[] src, int off, int len, java.util.function.LongConsumer abandonedEnd)
            throws IOException {
        Op op = new Op();
        try {
            Uring.write(ring, uring, path, at, src, off, len, op, abandonedEnd);
            op.ended();
        } catch (InterruptedIOException e) {
            leftRunning(op);
            throw e;
        } catch (IOException | RuntimeException | Error e) {
            op.ended();
            throw e;
        }
    }

    /** The path this handle's reads and writes take now, for the calling task (for tests and diagnostics). */
    FsBackend backendHere() throws IOException {
        return ring() != null ? FsBackend.IO_URING : FsBackend.BLOCKING_POOL;
    }

    private <T> T run(Op op, Offload.Job<T> job) throws IOException {
        try {
            return Offload.call(op, job);
        } catch (InterruptedIOException e) {
            leftRunning(op);
            throw e;
        }
    }

    /** The caller walked away from {@code op}: later operations wait for it, if it may still run. */
    private void leftRunning(Op op) {
        if (!op.hasEnded()) {
            pending.removeIf(Op::hasEnded);   // keeps the queue to what still runs
            pending.add(op);
        }
    }

    private void awaitPending() throws InterruptedIOException {
        for (Op p; (p = pending.peek()) != null; ) {
            try {
                p.awaitEnded();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException(path + ": interrupted while waiting for a cancelled operation "
                        + "on this handle to end (nothing was done)");
            }
            pending.remove(p);
        }
    }

    private void ensureOpen() throws IOException {
        if (closed) {
            throw new java.nio.channels.ClosedChannelException();
        }
    }

    private static void nonNegative(String what, long v) {
        if (v < 0) {
            throw new IllegalArgumentException(what + " must be >= 0, was " + v);
        }
    }
}
