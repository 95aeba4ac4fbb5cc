package dev.weft.fs.internal;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;

/**
 * File system calls that the kernel itself guarantees not to block, made by the calling task on
 * its carrier: {@code preadv2(RWF_NOWAIT)} (a read served from the page cache, or {@code EAGAIN})
 * and {@code openat2(RESOLVE_CACHED)} (an open whose path lookup is served from the dentry cache,
 * or {@code EAGAIN}). These are the same attempts io_uring makes inline, on the submitting
 * thread, before it punts a request to a kernel worker; making them directly saves the hop to the
 * event loop, the ring round trip and the park. Whatever would block comes back as
 * {@link #WOULD_BLOCK} and takes the io_uring request path instead.
 *
 * <p>Every call works on a pooled chunk buffer ({@link ChunkIo#take}): data at
 * {@code [0, CHUNK)}, and in its trailer the {@code iovec}, the {@code open_how} and the captured
 * {@code errno}, so an attempt allocates no native memory. Linux only; {@link #READ_AVAILABLE} is
 * false elsewhere, and {@link #openAvailable()} turns false for good the first time the kernel (or
 * a seccomp filter) refuses {@code openat2} or {@code RESOLVE_CACHED} (kernels before 5.12).
 *
 * <p>Thread-safe (stateless but for that flag); a chunk buffer is used by one caller at a time.
 */
public final class NoWait {
    /** Returned when the call would have blocked: take the io_uring path. */
    public static final int WOULD_BLOCK = Integer.MIN_VALUE;
    /** Returned by {@link #read} for a pipe, FIFO or device ({@code ESPIPE}): read it without an offset, off the carrier. */
    public static final int NOT_SEEKABLE = Integer.MIN_VALUE + 1;

    /** Trailer bytes after the data in every pooled chunk buffer. */
    static final int TRAILER = 64;
    private static final long IOV = ChunkIo.CHUNK;            // struct iovec { void *base; size_t len; }
    private static final long HOW = IOV + 16;                 // struct open_how { u64 flags, mode, resolve; }
    private static final long STATE = HOW + 24;               // the captured errno

    private static final int EPERM = 1;
    private static final int EAGAIN = 11;
    private static final int EINVAL = 22;
    private static final int ENOSYS = 38;
    private static final int EOPNOTSUPP = 95;
    private static final int E2BIG = 7;
    private static final int ESPIPE = 29;
    private static final int EINTR = 4;
    private static final int O_NONBLOCK = 0x800;   // 04000 on x86_64 and aarch64
    private static final int F_SETFL = 4;
    private static final int RWF_NOWAIT = 0x8;
    private static final long RESOLVE_CACHED = 0x20;
    /** The same number on every architecture (new syscalls share one table since 5.1). */
    private static final long SYS_OPENAT2 = 437;
    private static final int AT_FDCWD = -100;

    private static final long SYS_CACHESTAT = 451;
    /** Below this a copy through the chunk costs less than the extra {@code cachestat} call. */
    static final int DIRECT_MIN = 32 * 1024;
    /** How far ahead one {@code cachestat} looks for {@link #readInto}. */
    static final long VERIFY_BYTES = 1 << 20;
    /** How long its answer is trusted: eviction in between is what could make a read wait. */
    static final long VERIFIED_NANOS = 1_000_000;

    private static final MethodHandle PREADV2;
    /** {@code pread} into a Java array: a critical downcall, so the array cannot move during it. */
    private static final MethodHandle PREAD_ARRAY;
    private static final MethodHandle SYSCALL4;
    private static final MethodHandle FCNTL;
    private static final MethodHandle FSTATFS;
    /** Whether {@link #read} can make its attempt here. */
    public static final boolean READ_AVAILABLE;
    private static volatile boolean openAvailable;
    private static volatile boolean directAvailable;
    private static final long PAGE;

    static {
        MethodHandle preadv2 = null;
        MethodHandle preadArray = null;
        MethodHandle pageSize = null;
        MethodHandle syscall = null;
        MethodHandle fcntl = null;
        MethodHandle fstatfs = null;
        try {
            // errno is read with Posix's handle from the captured state in the scratch trailer.
            if (Posix.LINUX && Posix.ERRNO != null && Posix.CALL_STATE.byteSize() <= TRAILER - (STATE - IOV)) {
                Linker linker = Linker.nativeLinker();
                var lookup = linker.defaultLookup();
                Linker.Option capture = Linker.Option.captureCallState("errno");
                preadv2 = linker.downcallHandle(lookup.find("preadv2").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                                ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT), capture);
                preadArray = linker.downcallHandle(lookup.find("pread").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
                                ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), Linker.Option.critical(true));
                pageSize = linker.downcallHandle(lookup.find("getpagesize").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT));
                syscall = linker.downcallHandle(lookup.find("syscall").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT,
                                ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
                        capture, Linker.Option.firstVariadicArg(1));
                fcntl = linker.downcallHandle(lookup.find("fcntl").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                                ValueLayout.JAVA_INT), Linker.Option.firstVariadicArg(2));
                fstatfs = linker.downcallHandle(lookup.find("fstatfs").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
            }
        } catch (Throwable t) {   // native access refused, or a libc without these symbols
            preadv2 = null;
            preadArray = null;
            pageSize = null;
            syscall = null;
            fcntl = null;
            fstatfs = null;
        }
        PREADV2 = preadv2;
        PREAD_ARRAY = preadArray;
        SYSCALL4 = syscall;
        FCNTL = fcntl;
        FSTATFS = fstatfs;
        READ_AVAILABLE = preadv2 != null;
        openAvailable = syscall != null && fcntl != null;
        long page = 0;
        if (pageSize != null) {
            try {
                page = (int) pageSize.invokeExact();
            } catch (Throwable t) {
                page = 0;
            }
        }
        PAGE = page;
        directAvailable = preadArray != null && syscall != null && page > 0;
    }

    private NoWait() {}

    /** Whether {@link #open} can still make its attempt here. */
    public static boolean openAvailable() {
        return openAvailable;
    }

    /** The whole of a pooled chunk buffer, trailer included. */
    static MemorySegment segment(ByteBuffer chunk) {
        return MemorySegment.ofBuffer(chunk.duplicate().clear()).reinterpret(ChunkIo.CHUNK + TRAILER);
    }

    /**
     * Reads up to {@code len} bytes at file offset {@code position} into {@code chunk[at..]}, if
     * the kernel can do it without waiting for the disk.
     *
     * @return bytes read (0 at end of file), {@link #WOULD_BLOCK}, {@link #NOT_SEEKABLE}, or a
     *         negative errno
     */
    static long read(MemorySegment chunk, int fd, long position, int at, int len) {
        chunk.set(ValueLayout.JAVA_LONG, IOV, chunk.address() + at);
        chunk.set(ValueLayout.JAVA_LONG, IOV + 8, len);
        MemorySegment state = chunk.asSlice(STATE);
        long n;
        try {
            n = (long) PREADV2.invokeExact(state, fd, chunk.asSlice(IOV), 1, position, RWF_NOWAIT);
        } catch (Throwable t) {
            throw new IllegalStateException("preadv2 downcall failed", t);
        }
        if (n >= 0) {
            return n;
        }
        int e = (int) Posix.ERRNO.get(state, 0L);
        if (e == ESPIPE) {
            return NOT_SEEKABLE;
        }
        // EOPNOTSUPP: the file system cannot promise not to block (e.g. some network file systems).
        return e == EAGAIN || e == EOPNOTSUPP || e == EINTR ? WOULD_BLOCK : -e;
    }

    /** Whether {@link #readInto} can still make its attempt here. */
    static boolean directAvailable() {
        return directAvailable;
    }

    /**
     * Reads up to {@code len} bytes at file offset {@code position} of {@code f} straight into
     * {@code dst[off..]}, without the copy through a chunk buffer, if {@code cachestat(2)} reports
     * every page of the range in the page cache. Uses {@code chunk[0..56)} for the call's structs.
     *
     * <p>One {@code cachestat} covers {@link #VERIFY_BYTES} from {@code position} where that much
     * is cached; reads inside that range within {@link #VERIFIED_NANOS} of the check make none.
     * {@code cachestat} counts a page the kernel is still reading in (a request in flight) as
     * cached, and {@code pread} then waits for that read: the caller tries this only on a
     * descriptor whose reads have always found the file cached ({@link UringFile#directReads}),
     * so the readahead of its own reads is never in the way; what is left is a page evicted and
     * being read back by another reader of the same file in those microseconds. The call is
     * critical (the array cannot move during it), so it is never made for more than a chunk.
     *
     * @return bytes read (0 at end of file), or {@link #WOULD_BLOCK}: not all cached, past the end
     *         of the file, or any error (the chunk path then reports it)
     */
    static long readInto(MemorySegment chunk, UringFile f, long position, byte[] dst, int off, int len) {
        UringFile.CachedRange known = f.cached;
        long now = System.nanoTime();
        if (known == null || position < known.from() || position + len > known.until()
                || now - known.checkedAt() > VERIFIED_NANOS) {
            if (allCached(chunk, f.fd, position, VERIFY_BYTES)) {
                f.cached = new UringFile.CachedRange(position, position + VERIFY_BYTES, now);
            } else if (!allCached(chunk, f.fd, position, len)) {
                return WOULD_BLOCK;
            }
        }
        long n;
        try {
            n = (long) PREAD_ARRAY.invokeExact(f.fd, MemorySegment.ofArray(dst).asSlice(off, len), (long) len, position);
        } catch (Throwable t) {
            throw new IllegalStateException("pread downcall failed", t);
        }
        return n < 0 ? WOULD_BLOCK : n;
    }

    /** Whether {@code cachestat(2)} counts every page of {@code [position, position + len)} of {@code fd} as cached. */
    private static boolean allCached(MemorySegment chunk, int fd, long position, long len) {
        chunk.set(ValueLayout.JAVA_LONG, 0, position);   // struct cachestat_range { u64 off, len; }
        chunk.set(ValueLayout.JAVA_LONG, 8, len);
        MemorySegment state = chunk.asSlice(STATE);
        long r;
        try {
            r = (long) SYSCALL4.invokeExact(state, SYS_CACHESTAT, fd, chunk, chunk.asSlice(16), 0L);
        } catch (Throwable t) {
            throw new IllegalStateException("cachestat downcall failed", t);
        }
        if (r != 0) {
            int e = (int) Posix.ERRNO.get(state, 0L);
            if (e == ENOSYS || e == EPERM) {
                directAvailable = false;   // a kernel before 6.5, or a seccomp filter: never again
            }
            return false;
        }
        long pages = (position + len - 1) / PAGE - position / PAGE + 1;
        return chunk.get(ValueLayout.JAVA_LONG, 16) >= pages;   // struct cachestat's nr_cache
    }

    /**
     * Opens read-only (close-on-exec) the NUL-terminated path at {@code chunk[0..]}, if every
     * component of it is in the dentry cache. The open itself is non-blocking, as io_uring's
     * inline attempt is (a FIFO with no writer would otherwise block it); the descriptor's
     * {@code O_NONBLOCK} is cleared before it is returned, so later reads behave as on any
     * descriptor.
     *
     * @return the descriptor, {@link #WOULD_BLOCK}, or a negative errno
     */
    static int open(MemorySegment chunk) {
        chunk.set(ValueLayout.JAVA_LONG, HOW, (long) (Posix.O_RDONLY | Posix.O_CLOEXEC | O_NONBLOCK));
        chunk.set(ValueLayout.JAVA_LONG, HOW + 8, 0L);
        chunk.set(ValueLayout.JAVA_LONG, HOW + 16, RESOLVE_CACHED);
        MemorySegment state = chunk.asSlice(STATE);
        long fd;
        try {
            fd = (long) SYSCALL4.invokeExact(state, SYS_OPENAT2, AT_FDCWD, chunk, chunk.asSlice(HOW), 24L);
        } catch (Throwable t) {
            throw new IllegalStateException("openat2 downcall failed", t);
        }
        if (fd >= 0) {
            try {
                int ignored = (int) FCNTL.invokeExact((int) fd, F_SETFL, 0);
            } catch (Throwable t) {
                throw new IllegalStateException("fcntl downcall failed", t);
            }
            return (int) fd;
        }
        int e = (int) Posix.ERRNO.get(state, 0L);
        if (e == EAGAIN || e == EINTR) {
            return WOULD_BLOCK;
        }
        if (e == ENOSYS || e == EINVAL || e == E2BIG || e == EPERM) {
            // No openat2, no RESOLVE_CACHED, or a seccomp filter: never try again.
            openAvailable = false;
            return WOULD_BLOCK;
        }
        return -e;
    }

    /**
     * Whether the file system of {@code fd} is one whose {@code close(2)} cannot wait for the disk
     * or the network (no {@code flush} on close): ext2/3/4, XFS, Btrfs, F2FS, ZFS, tmpfs, ramfs
     * and overlayfs over them. Uses {@code chunk[0..120)} ({@code struct statfs}).
     */
    static boolean closesWithoutFlush(MemorySegment chunk, int fd) {
        if (FSTATFS == null) {
            return false;
        }
        int r;
        try {
            r = (int) FSTATFS.invokeExact(fd, chunk);
        } catch (Throwable t) {
            return false;
        }
        if (r != 0) {
            return false;
        }
        long type = chunk.get(ValueLayout.JAVA_LONG, 0);   // f_type, the first field on 64-bit Linux
        return type == 0xEF53L || type == 0x58465342L || type == 0x9123683EL || type == 0xF2F52010L
                || type == 0x2FC12FC1L || type == 0x01021994L || type == 0x858458F6L || type == 0x794C7630L;
    }
}
