package dev.weft.fs.internal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The libc calls the io_uring backend needs that neither the JDK nor Netty offers publicly:
 * {@code open(2)} for a read-only or read-write descriptor (never Netty's
 * {@code FileDescriptor.from}, which opens write-only and truncates), {@code fcntl(2)} to clear
 * {@code O_NONBLOCK}, and {@code close(2)}.
 * Linux only; {@link #AVAILABLE} is false elsewhere or when native access is refused.
 *
 * <p>Thread-safe (stateless). {@code open} and {@code close} may block (a slow file system): callers run them on the
 * blocking pool or on a platform thread, never on a carrier.
 */
public final class Posix {
    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    /** The same value on x86_64 and aarch64 (02000000). */
    static final int O_CLOEXEC = 0x80000;
    /** These four have the same values on x86_64 and aarch64 (the generic ones). */
    public static final int O_CREAT = 0x40;
    public static final int O_EXCL = 0x80;
    public static final int O_TRUNC = 0x200;
    public static final int O_NONBLOCK = 0x800;
    private static final int F_SETFL = 4;

    public static final int ENOENT = 2;
    public static final int EACCES = 13;
    public static final int ENOTDIR = 20;
    public static final int EEXIST = 17;
    public static final int ELOOP = 40;
    public static final int EISDIR = 21;
    public static final int ECANCELED = 125;

    private static final MethodHandle OPEN;
    private static final MethodHandle CLOSE;
    private static final MethodHandle FCNTL;
    private static final MethodHandle STRERROR;
    /** Whether this is Linux, the one system whose calls this package makes itself. */
    static final boolean LINUX = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
    /** The layout of a downcall's captured {@code errno} ({@code captureCallState}), or null where unavailable. */
    static final MemoryLayout CALL_STATE;
    /** Reads {@code errno} from a segment of {@link #CALL_STATE}, or null where unavailable. */
    static final VarHandle ERRNO;
    /** Whether {@link #open} and {@link #close} work here. */
    public static final boolean AVAILABLE;
    /** Why not, when {@link #AVAILABLE} is false. */
    public static final String UNAVAILABLE_CAUSE;

    static {
        MethodHandle open = null;
        MethodHandle close = null;
        MethodHandle fcntl = null;
        MethodHandle strerror = null;
        MemoryLayout state = null;
        VarHandle errno = null;
        String cause = null;
        try {
            if (!LINUX) {
                throw new UnsupportedOperationException("not Linux");
            }
            Linker linker = Linker.nativeLinker();
            state = Linker.Option.captureStateLayout();
            errno = state.varHandle(MemoryLayout.PathElement.groupElement("errno"));
            var lookup = linker.defaultLookup();
            open = linker.downcallHandle(lookup.find("open").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                    Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(2));
            close = linker.downcallHandle(lookup.find("close").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
            fcntl = linker.downcallHandle(lookup.find("fcntl").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
                    Linker.Option.captureCallState("errno"), Linker.Option.firstVariadicArg(2));
            strerror = linker.downcallHandle(lookup.find("strerror").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)),
                            ValueLayout.JAVA_INT));
        } catch (Throwable t) {
            cause = "native open(2) unavailable: " + t;
        }
        OPEN = open;
        CLOSE = close;
        FCNTL = fcntl;
        STRERROR = strerror;
        CALL_STATE = state;
        ERRNO = errno;
        AVAILABLE = cause == null;
        UNAVAILABLE_CAUSE = cause;
    }

    private Posix() {}

    /**
     * Opens an existing file with {@code flags} ({@link #O_RDONLY}, {@link #O_WRONLY} or
     * {@link #O_RDWR}; close-on-exec is added). Never creates or truncates.
     *
     * @return the descriptor
     * @throws IOException the JDK exception type for the errno, with the path
     */
    public static int open(Path path, int flags) throws IOException {
        return open(path, flags, 0);
    }

    /**
     * Opens {@code path} with {@code flags} (any of this class's {@code O_} constants;
     * close-on-exec is added) and, where {@link #O_CREAT} creates the file, {@code mode} (less
     * the umask).
     *
     * @return the descriptor
     * @throws IOException the JDK exception type for the errno, with the path
     */
    public static int open(Path path, int flags, int mode) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment cpath = arena.allocateFrom(path.toString());
            MemorySegment st = arena.allocate(CALL_STATE);
            int fd = (int) OPEN.invokeExact(st, cpath, flags | O_CLOEXEC, mode);
            if (fd < 0) {
                throw exception(path, (int) ERRNO.get(st, 0L));
            }
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(path + ": open(2) failed: " + t, t);
        }
    }

    /**
     * Clears the file status flags of {@code fd}'s open file description ({@code O_NONBLOCK}
     * among them; {@code fcntl(F_SETFL, 0)}).
     *
     * @throws IOException if the call failed
     */
    public static void clearStatusFlags(int fd) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment st = arena.allocate(CALL_STATE);
            if ((int) FCNTL.invokeExact(st, fd, F_SETFL, 0) < 0) {
                throw new IOException("fcntl(F_SETFL) failed: " + strerror((int) ERRNO.get(st, 0L)));
            }
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException("fcntl(F_SETFL) failed: " + t, t);
        }
    }

    /** Closes {@code fd}, ignoring errors (a descriptor of a regular file opened for I/O we already finished). */
    public static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            // nothing a caller could do
        }
    }

    /** The JDK's exception type for {@code errno} (positive), naming {@code path}. */
    public static IOException exception(Path path, int errno) {
        String file = String.valueOf(path);
        // The JDK's own mapping (UnixException.translateToIOException), so Fs's calls fail as
        // Files's do: ENOTDIR on a path's component is no NotDirectoryException there.
        return switch (errno) {
            case ENOENT -> new NoSuchFileException(file);
            case EACCES -> new AccessDeniedException(file);
            case EEXIST -> new java.nio.file.FileAlreadyExistsException(file);
            case ELOOP -> new FileSystemException(file, null, strerror(errno) + " or unable to access attributes of symbolic link");
            default -> new FileSystemException(file, null, strerror(errno));
        };
    }

    /** The C library's message for {@code errno}. */
    public static String strerror(int errno) {
        try {
            MemorySegment s = (MemorySegment) STRERROR.invokeExact(errno);
            return s.getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }
}
