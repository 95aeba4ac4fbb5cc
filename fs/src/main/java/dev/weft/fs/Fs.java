package dev.weft.fs;

import dev.weft.core.WeftRuntime;
import dev.weft.fs.internal.ChunkIo;
import dev.weft.fs.internal.Gate;
import dev.weft.fs.internal.Offload;
import dev.weft.fs.internal.Uring;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.util.HashSet;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Whole-file operations that park the calling task instead of blocking its carrier: Tokio's
 * {@code tokio::fs}, with the names and exceptions of {@link java.nio.file.Files}.
 *
 * <pre>{@code
 * rt.run(() -> {
 *     Fs.write(dir.resolve("a.txt"), "hello".getBytes(UTF_8));
 *     String s = Fs.readString(dir.resolve("a.txt"));
 *     try (DirStream entries = Fs.list(dir)) {
 *         for (Path p : entries) { ... }
 *     }
 *     return s;
 * });
 * }</pre>
 *
 * <h2>Where the call runs</h2>
 * <ul>
 *   <li><b>In a task</b> (a virtual thread of a {@link WeftRuntime}): the task takes one of the
 *       runtime's file-operation slots ({@linkplain #setMaxInFlight 64 by default}, FIFO; waiting
 *       for one parks the task, it costs no thread), the JDK call runs on the runtime's blocking
 *       pool ({@link WeftRuntime#spawnBlocking}), and the task parks until it is done. The carrier
 *       never makes a blocking file system call. Where the runtime's {@linkplain #backend(WeftRuntime)
 *       backend} is io_uring, {@link #readAllBytes} instead opens and reads the file on the task's
 *       own carrier with calls the kernel answers without waiting (a file in the page cache: no
 *       park at all), or as io_uring requests completed on that carrier's loop where the data
 *       must come from the disk, and closes it with a request nobody waits for (see the package
 *       documentation). On other transports (epoll, NIO) it tries the same carrier-side calls
 *       first, and the pool reads the file if any of them would block.</li>
 *   <li><b>On any other thread</b> (a plain platform or virtual thread, a blocking-pool job):
 *       the JDK call runs directly on the caller, exactly as {@code Files} would.</li>
 *   <li><b>On a carrier thread outside a task</b> (a Netty handler, a timer action):
 *       {@link IllegalStateException}; spawn a task.</li>
 * </ul>
 *
 * <h2>Errors</h2>
 * The JDK's own exception, unwrapped, with the path in its message: {@link NoSuchFileException},
 * {@link java.nio.file.AccessDeniedException}, {@link java.nio.file.FileAlreadyExistsException},
 * {@link DirectoryNotEmptyException}, {@link NotDirectoryException} and so on. Code can branch
 * on the types exactly as with {@code Files}.
 *
 * <h2>Cancellation</h2>
 * A task cancelled (interrupted) while an operation waits or runs wakes at once with
 * {@link InterruptedIOException}, its interrupt status still set. If the operation had not yet
 * started, nothing was done. If it had, the blocking job goes on in the background until its next
 * chunk boundary ({@value dev.weft.fs.internal.ChunkIo#CHUNK} bytes) and its result is dropped:
 * <ul>
 *   <li>{@code write}/{@code append}: the file holds a prefix of the data made of whole chunks
 *       (possibly all of it, possibly none; a {@code write} may already have truncated the file).
 *       The caller's array is never read after the call has returned.</li>
 *   <li>{@code readAllBytes}/{@code readString}: nothing changes; the bytes are dropped.</li>
 *   <li>{@code copy}, {@code move}, {@code removeDirAll}, others: the single JDK call completes
 *       (or, for {@code removeDirAll}, stops between entries), as if it had run just before or
 *       just after the cancellation.</li>
 * </ul>
 *
 * <p><b>Memory consistency</b>: actions of the caller before an operation happen-before the file
 * system call, and the call happens-before the caller's return. Thread-safe: all methods are static
 * and keep no state but the per-runtime slot counters.
 */
public final class Fs {
    private static final Set<OpenOption> WRITE_DEFAULT = Set.of(StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    private static final Set<OpenOption> APPEND_DEFAULT = Set.of(StandardOpenOption.CREATE,
            StandardOpenOption.APPEND, StandardOpenOption.WRITE);

    private Fs() {}

    // ------------------------------------------------------------------ backend and limits

    /**
     * The backend {@code rt}'s file-handle reads and writes take: {@link FsBackend#IO_URING} when
     * its carriers run the io_uring transport (and Netty's io_uring and the C library's
     * {@code open(2)} load), unless {@link #setBackend} chose the blocking pool; else
     * {@link FsBackend#BLOCKING_POOL}. Other operations (open, metadata, directories, whole-file
     * helpers) always take the blocking pool.
     */
    public static FsBackend backend(WeftRuntime rt) {
        return Uring.backend(Objects.requireNonNull(rt, "rt"));
    }

    /**
     * {@link #backend(WeftRuntime)} of the calling task's runtime; outside a task, the backend a
     * runtime built with the default transport would take in this process.
     */
    public static FsBackend backend() {
        if (dev.weft.core.Weft.currentTask().isPresent()) {
            try {
                return backend(WeftRuntime.current());
            } catch (IllegalStateException notInRuntime) {
                // fall through
            }
        }
        return Uring.processUnavailabilityCause() == null ? FsBackend.IO_URING : FsBackend.BLOCKING_POOL;
    }

    /** Why {@code rt} does not use {@link FsBackend#IO_URING}, or null if it does. */
    public static String backendUnavailabilityCause(WeftRuntime rt) {
        Objects.requireNonNull(rt, "rt");
        if (Uring.backend(rt) == FsBackend.IO_URING) {
            return null;
        }
        String cause = Uring.unavailabilityCause(rt);
        return cause != null ? cause : "the blocking pool was chosen with Fs.setBackend";
    }

    /** Why io_uring cannot be used for files in this process at all, or null if it can. */
    public static String backendUnavailabilityCause() {
        return Uring.processUnavailabilityCause();
    }

    /**
     * Chooses the backend of {@code rt}'s file-handle reads and writes from now on (handles opened
     * under the blocking pool keep it); null restores the automatic choice. Meant for comparisons
     * and diagnostics: the automatic choice is the fast one.
     *
     * @throws IllegalStateException if {@code IO_URING} is asked for where it cannot be used
     */
    public static void setBackend(WeftRuntime rt, FsBackend backend) {
        Uring.requestBackend(Objects.requireNonNull(rt, "rt"), backend);
    }

    /**
     * Sets how much carrier time the io_uring backend's carrier-side calls (reads from the page
     * cache, cached-path opens: see the package documentation) may take between two I/O passes of
     * a carrier's loop; default 50 µs. More lets a storm of cached file reads go faster at the
     * cost of the carrier's sockets and timers, which wait up to that long per loop pass (an echo
     * round trip spans about five passes); less does the opposite. {@link Duration#ZERO} turns
     * the calls off: every read and open is an io_uring request and the carrier makes no file
     * system call itself. Takes effect for the next call. No effect on the blocking-pool backend.
     *
     * @throws IllegalArgumentException if {@code perPass} is negative or over one second
     * @throws NullPointerException     if an argument is null
     */
    public static void setCarrierTimePerPass(WeftRuntime rt, Duration perPass) {
        Objects.requireNonNull(rt, "rt");
        Objects.requireNonNull(perPass, "perPass");
        if (perPass.isNegative() || perPass.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("perPass must be between 0 and 1 s, was " + perPass);
        }
        Gate.of(rt).carrierNanosPerPass = perPass.toNanos();
    }

    /** The carrier time per loop pass {@code rt}'s carrier-side file calls may take ({@link #setCarrierTimePerPass}). */
    public static Duration carrierTimePerPass(WeftRuntime rt) {
        return Duration.ofNanos(Gate.of(Objects.requireNonNull(rt, "rt")).carrierNanosPerPass);
    }

    /**
     * Sets how many file operations of {@code rt} may run on its blocking pool at once (default
     * 64); more wait in FIFO order, parked. Lowering the cap lets operations in flight finish.
     *
     * @throws IllegalArgumentException if {@code max < 1}
     * @throws NullPointerException     if {@code rt} is null
     */
    public static void setMaxInFlight(WeftRuntime rt, int max) {
        Objects.requireNonNull(rt, "rt");
        if (max < 1) {
            throw new IllegalArgumentException("max must be >= 1, was " + max);
        }
        Gate.of(rt).setMax(max);
    }

    /** A snapshot of {@code rt}'s file-operation counters. */
    public static FsStats stats(WeftRuntime rt) {
        Gate g = Gate.of(Objects.requireNonNull(rt, "rt"));
        return new FsStats(g.max(), g.running(), g.queued(), g.peak(), g.completed(), Uring.backend(rt),
                g.uringOps.sum(), g.uringNanos.sum(), g.poolOps.sum(), g.poolNanos.sum(),
                g.bytesRead.sum(), g.bytesWritten.sum(), g.failures.sum(), g.zeroCopyBytes.sum(),
                g.noWaitOps.sum(), g.directReadBytes.sum());
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads a whole file. Parks until done. Cancelled: nothing changes, the bytes are dropped.
     *
     * @throws NoSuchFileException if there is no such file (the path is the message)
     * @throws IOException         as {@link Files#readAllBytes}
     * @throws OutOfMemoryError    if the file is over 2 GiB
     */
    public static byte[] readAllBytes(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        // The carrier-side and io_uring opens name the file by its string: only a path of the
        // default file system means the same file to the kernel (a zip file's would not).
        if (path.getFileSystem() == FileSystems.getDefault()) {
            dev.weft.fs.internal.Ring ring = Uring.ringHere();
            if (ring != null) {
                return Uring.readAllBytes(ring, path);
            }
            byte[] cached = dev.weft.fs.internal.CarrierFiles.readAllBytes(path);   // epoll, NIO: the page cache first
            if (cached != null) {
                return cached;
            }
        }
        return Offload.call(op -> readAllOnPool(path, op));
    }

    private static byte[] readAllOnPool(Path path, dev.weft.fs.internal.Op op) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return ChunkIo.readAll(ch, op);
        }
    }

    /** Reads a whole file as UTF-8 text; as {@link #readString(Path, Charset)}. */
    public static String readString(Path path) throws IOException {
        return readString(path, StandardCharsets.UTF_8);
    }

    /**
     * Reads a whole file as text. Parks until done; the bytes are read and decoded on the
     * blocking pool. Cancelled: nothing changes, the text is dropped.
     *
     * @throws java.nio.charset.MalformedInputException if the bytes are not valid in {@code cs}
     * @throws java.nio.charset.UnmappableCharacterException if they hold a character {@code cs}
     *         cannot map
     * @throws IOException as {@link Files#readString(Path, Charset)}
     */
    public static String readString(Path path, Charset cs) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(cs, "cs");
        // Read by the chunk loop rather than Files.readString: it stops when the caller walks
        // away, and its bytes count in FsStats.bytesRead.
        return Offload.call(op -> cs.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(readAllOnPool(path, op)))
                .toString());
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes {@code bytes} to a file: by default creating it or truncating it first ({@code
     * CREATE, TRUNCATE_EXISTING, WRITE}); {@code options} replace the default as in
     * {@link Files#write(Path, byte[], OpenOption...)}. Parks until all bytes are written.
     * Cancellation: see the class comment (a prefix of whole chunks is written; {@code bytes} is
     * not read after return).
     *
     * @throws IOException as {@link Files#write(Path, byte[], OpenOption...)}
     */
    public static void write(Path path, byte[] bytes, OpenOption... options) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(bytes, "bytes");
        Set<OpenOption> opts = writeOptions(options, WRITE_DEFAULT);
        Offload.call(op -> {
            try (FileChannel ch = FileChannel.open(path, opts)) {
                // At the channel's own position (0 after open, the end with APPEND): works for FIFOs too.
                return ChunkIo.write(ch, -1, bytes, 0, bytes.length, op);
            }
        });
    }

    /** Writes {@code text} as UTF-8; as {@link #write(Path, byte[], OpenOption...)}. */
    public static void writeString(Path path, CharSequence text, OpenOption... options) throws IOException {
        writeString(path, text, StandardCharsets.UTF_8, options);
    }

    /**
     * Writes {@code text} encoded with {@code cs} (encoded by the caller before the hand-off);
     * as {@link #write(Path, byte[], OpenOption...)}.
     *
     * @throws java.nio.charset.UnmappableCharacterException if {@code text} holds a character
     *         {@code cs} cannot encode, and {@link java.nio.charset.MalformedInputException} if it
     *         holds an unpaired surrogate (as {@link Files#writeString}); the file is not opened
     */
    public static void writeString(Path path, CharSequence text, Charset cs, OpenOption... options) throws IOException {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(cs, "cs");
        // Reported, not replaced by '?' as String.getBytes would: Files.writeString refuses them too.
        ByteBuffer encoded = cs.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .encode(CharBuffer.wrap(text));
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        write(path, bytes, options);
    }

    /**
     * Appends {@code bytes} to a file, creating it if missing. Parks until all bytes are written.
     *
     * @throws IOException as {@link Files#write(Path, byte[], OpenOption...)} with {@code APPEND}
     */
    public static void append(Path path, byte[] bytes) throws IOException {
        write(path, bytes, APPEND_DEFAULT.toArray(new OpenOption[0]));
    }

    private static Set<OpenOption> writeOptions(OpenOption[] options, Set<OpenOption> dflt) {
        if (options.length == 0) {
            return dflt;
        }
        Set<OpenOption> s = new HashSet<>();
        for (OpenOption o : options) {
            s.add(Objects.requireNonNull(o, "options"));
        }
        if (s.contains(StandardOpenOption.READ)) {
            throw new IllegalArgumentException("READ not allowed for write, was " + s);
        }
        s.add(StandardOpenOption.WRITE);
        return s;
    }

    // ------------------------------------------------------------------ copy, move, remove

    /**
     * Copies a file as {@link Files#copy(Path, Path, CopyOption...)} (the kernel's copy where the
     * JDK uses one). Fails with {@link java.nio.file.FileAlreadyExistsException} if {@code target}
     * exists, unless {@code REPLACE_EXISTING}.
     *
     * @return {@code target}
     */
    public static Path copy(Path source, Path target, CopyOption... options) throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        return Offload.call(op -> Files.copy(source, target, options));
    }

    /**
     * Moves or renames as {@link Files#move(Path, Path, CopyOption...)}.
     *
     * @return {@code target}
     */
    public static Path move(Path source, Path target, CopyOption... options) throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(target, "target");
        return Offload.call(op -> Files.move(source, target, options));
    }

    /**
     * Renames {@code from} to {@code to}, replacing {@code to} if it exists, in one step: POSIX
     * {@code rename(2)}, Tokio's {@code rename} ({@link Files#move} with {@code ATOMIC_MOVE}). A
     * reader of {@code to} sees the old file or the new one, never none. A file does not replace
     * a directory, and a directory replaces only an empty directory.
     *
     * @throws NoSuchFileException if {@code from} does not exist
     * @throws java.nio.file.AtomicMoveNotSupportedException if the two are on different file
     *         systems (use {@link #move})
     * @throws FileSystemException if the kernel refuses it otherwise (a file onto a directory,
     *         a directory onto a file or a non-empty directory), its reason the system's message
     */
    public static void rename(Path from, Path to) throws IOException {
        // Not REPLACE_EXISTING: the JDK carries that out as unlink, then rename, and in between
        // the target is missing, which the write-then-rename pattern relies on never happening.
        move(from, to, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Removes a file or symbolic link (never a directory: Tokio's {@code remove_file}).
     *
     * @throws NoSuchFileException if it does not exist
     * @throws FileSystemException if it is a directory
     */
    public static void removeFile(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        Offload.call(op -> {
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                throw new FileSystemException(path.toString(), null, "Is a directory (use removeDir or removeDirAll)");
            }
            Files.delete(path);
            return null;
        });
    }

    /**
     * Removes an empty directory.
     *
     * @throws NoSuchFileException        if it does not exist
     * @throws NotDirectoryException      if it is not a directory
     * @throws DirectoryNotEmptyException if it is not empty
     */
    public static void removeDir(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        Offload.call(op -> {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isDirectory()) {
                throw new NotDirectoryException(path.toString());
            }
            Files.delete(path);
            return null;
        });
    }

    /**
     * Removes a directory and everything under it, without following symbolic links (a link is
     * removed, not what it points to). Runs as one blocking job; cancelled, it stops between two
     * entries, leaving part of the tree.
     *
     * @throws NoSuchFileException   if {@code path} does not exist
     * @throws NotDirectoryException if {@code path} is not a directory
     */
    public static void removeDirAll(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        Offload.call(op -> {
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!a.isDirectory()) {
                throw new NotDirectoryException(path.toString());
            }
            Files.walkFileTree(path, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    if (op.abandoned()) {
                        return FileVisitResult.TERMINATE;
                    }
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    if (op.abandoned()) {
                        return FileVisitResult.TERMINATE;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
            return null;
        });
    }

    // ------------------------------------------------------------------ directories

    /**
     * Creates one directory.
     *
     * @throws java.nio.file.FileAlreadyExistsException if something exists at {@code path}
     * @throws NoSuchFileException                       if the parent does not exist
     * @return {@code path}
     */
    public static Path createDir(Path path, FileAttribute<?>... attrs) throws IOException {
        Objects.requireNonNull(path, "path");
        return Offload.call(op -> Files.createDirectory(path, attrs));
    }

    /**
     * Creates a directory and any missing parents; succeeds if it already exists as a directory.
     *
     * @throws java.nio.file.FileAlreadyExistsException if a non-directory exists at {@code path}
     * @return {@code path}
     */
    public static Path createDirs(Path path, FileAttribute<?>... attrs) throws IOException {
        Objects.requireNonNull(path, "path");
        return Offload.call(op -> Files.createDirectories(path, attrs));
    }

    /**
     * Opens a directory for streaming its entries; they are fetched in batches on the blocking pool
     * as the stream is iterated, never all at once. Close it (try-with-resources).
     *
     * @throws NoSuchFileException   if the directory does not exist
     * @throws NotDirectoryException if {@code dir} is not a directory
     */
    public static DirStream list(Path dir) throws IOException {
        return DirStream.open(dir, null);
    }

    /**
     * Like {@link #list(Path)}, keeping only the entries whose file name matches {@code glob}
     * (as {@link Files#newDirectoryStream(Path, String)}).
     */
    public static DirStream list(Path dir, String glob) throws IOException {
        return DirStream.open(dir, Objects.requireNonNull(glob, "glob"));
    }

    // ------------------------------------------------------------------ metadata

    /**
     * A snapshot of a file's basic attributes (size, times, kind); follows symbolic links unless
     * {@code NOFOLLOW_LINKS} is given.
     *
     * @throws NoSuchFileException if there is no such file
     */
    public static BasicFileAttributes metadata(Path path, LinkOption... options) throws IOException {
        return readAttributes(path, BasicFileAttributes.class, options);
    }

    /** The attributes of {@code type} (e.g. {@code PosixFileAttributes}), as {@link Files#readAttributes(Path, Class, LinkOption...)}. */
    public static <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        return Offload.call(op -> Files.readAttributes(path, type, options));
    }

    /** A file's size in bytes. @throws NoSuchFileException if there is no such file */
    public static long size(Path path) throws IOException {
        return metadata(path).size();
    }

    /**
     * Whether a file exists (following links unless {@code NOFOLLOW_LINKS}); {@code false} also
     * when that cannot be told (as {@link Files#exists}).
     *
     * @throws InterruptedIOException if cancelled while waiting
     */
    public static boolean exists(Path path, LinkOption... options) throws IOException {
        Objects.requireNonNull(path, "path");
        return Offload.call(op -> Files.exists(path, options));
    }

    /**
     * The absolute path with symbolic links, {@code .} and {@code ..} resolved
     * ({@link Path#toRealPath}).
     *
     * @throws NoSuchFileException if the path (or a link on it) does not resolve
     */
    public static Path canonicalize(Path path) throws IOException {
        Objects.requireNonNull(path, "path");
        return Offload.call(op -> path.toRealPath());
    }

    // ------------------------------------------------------------------ links

    /**
     * Creates a symbolic link {@code link} pointing at {@code target} (which need not exist).
     *
     * @throws java.nio.file.FileAlreadyExistsException if {@code link} exists
     * @return {@code link}
     */
    public static Path createSymlink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
        Objects.requireNonNull(link, "link");
        Objects.requireNonNull(target, "target");
        return Offload.call(op -> Files.createSymbolicLink(link, target, attrs));
    }

    /**
     * The target of a symbolic link, as stored (may be relative).
     *
     * @throws java.nio.file.NotLinkException if {@code link} is not a symbolic link
     */
    public static Path readSymlink(Path link) throws IOException {
        Objects.requireNonNull(link, "link");
        return Offload.call(op -> Files.readSymbolicLink(link));
    }

    /** Creates a hard link {@code link} to the existing file {@code existing}. @return {@code link} */
    public static Path createHardLink(Path link, Path existing) throws IOException {
        Objects.requireNonNull(link, "link");
        Objects.requireNonNull(existing, "existing");
        return Offload.call(op -> Files.createLink(link, existing));
    }

    // ------------------------------------------------------------------ temporary files

    /** Creates a new empty file in {@code dir}, as {@link Files#createTempFile(Path, String, String, FileAttribute...)}. */
    public static Path createTempFile(Path dir, String prefix, String suffix, FileAttribute<?>... attrs) throws IOException {
        Objects.requireNonNull(dir, "dir");
        return Offload.call(op -> Files.createTempFile(dir, prefix, suffix, attrs));
    }

    /** Creates a new empty file in the default temporary directory. */
    public static Path createTempFile(String prefix, String suffix, FileAttribute<?>... attrs) throws IOException {
        return Offload.call(op -> Files.createTempFile(prefix, suffix, attrs));
    }

    /** Creates a new directory in {@code dir}, as {@link Files#createTempDirectory(Path, String, FileAttribute...)}. */
    public static Path createTempDir(Path dir, String prefix, FileAttribute<?>... attrs) throws IOException {
        Objects.requireNonNull(dir, "dir");
        return Offload.call(op -> Files.createTempDirectory(dir, prefix, attrs));
    }

    /** Creates a new directory in the default temporary directory. */
    public static Path createTempDir(String prefix, FileAttribute<?>... attrs) throws IOException {
        return Offload.call(op -> Files.createTempDirectory(prefix, attrs));
    }
}
