package dev.weft.fs.internal;

import dev.weft.core.Transport;
import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.fs.FsBackend;
import io.netty.channel.IoEventLoop;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;

/**
 * The io_uring backend: which runtimes use it, and the read and write loops that run file
 * requests on the calling task's own carrier ring. Reads and whole-file opens first try the
 * carrier-side calls ({@link NoWait}, within the carrier's {@link Lane}); what would block
 * becomes a request.
 *
 * <h2>Implementation overview</h2>
 * A request is taken through: a slot of the runtime's {@link Gate} (the same cap as the blocking
 * pool's), a reference on the file's {@link UringFile} descriptor, a pooled direct buffer
 * ({@link ChunkIo}) that the kernel reads or writes, then {@link Ring#submit} and a park until the
 * completion. The caller's array is copied into the buffer before submission (writes) or out of
 * it after the completion (reads), always by the caller itself: the kernel never sees the
 * caller's memory, and a request the caller walks away from keeps its buffer, descriptor and slot
 * until the kernel's completion, which then releases them on the loop.
 */
public final class Uring {
    private static final String CLASS_CAUSE;

    static {
        String cause = null;
        try {
            if (!io.netty.channel.uring.IoUring.isAvailable()) {
                Throwable t = io.netty.channel.uring.IoUring.unavailabilityCause();
                cause = "Netty's io_uring transport is not available here: " + t;
            }
        } catch (Throwable t) {   // the classes are missing (a trimmed class path) or fail to load
            cause = "Netty's io_uring classes cannot be loaded: " + t;
        }
        if (cause == null && !Posix.AVAILABLE) {
            cause = Posix.UNAVAILABLE_CAUSE;
        }
        CLASS_CAUSE = cause;
    }

    private Uring() {}

    /** Why {@code rt} cannot use io_uring for files, or null if it can. */
    public static String unavailabilityCause(WeftRuntime rt) {
        if (CLASS_CAUSE != null) {
            return CLASS_CAUSE;
        }
        Transport t = RuntimeAccess.transport(rt).kind();
        if (t != Transport.IO_URING) {
            return "the runtime's carriers use the " + t + " transport, not io_uring (WeftRuntime.builder().transport(...))";
        }
        return null;
    }

    /**
     * Why a file-to-socket transfer on {@code rt} cannot be zero-copy without touching the disk on
     * a carrier, or null if it can: the carriers run io_uring and the kernel has
     * {@code IORING_OP_SPLICE}, so Netty splices a {@code DefaultFileRegion} asynchronously.
     */
    public static String zeroCopyCause(WeftRuntime rt) {
        if (CLASS_CAUSE != null) {
            return CLASS_CAUSE;
        }
        if (RuntimeAccess.transport(rt).kind() != Transport.IO_URING) {
            return "the runtime's transport is " + RuntimeAccess.transport(rt).kind() + ": sendfile would read the disk on the carrier";
        }
        if (backend(rt) != FsBackend.IO_URING) {
            return "the blocking-pool backend was chosen with Fs.setBackend";
        }
        return SPLICE ? null : "the kernel's io_uring has no IORING_OP_SPLICE";
    }

    private static final boolean SPLICE = spliceSupported();

    private static boolean spliceSupported() {
        try {
            return CLASS_CAUSE == null && io.netty.channel.uring.IoUring.isSpliceSupported();
        } catch (Throwable t) {
            return false;
        }
    }

    /** Why io_uring cannot be used in this process at all, or null. */
    public static String processUnavailabilityCause() {
        return CLASS_CAUSE;
    }

    /** The backend {@code rt}'s file reads and writes take. */
    public static FsBackend backend(WeftRuntime rt) {
        Gate g = Gate.of(rt);
        FsBackend req = g.requested;
        if (req == FsBackend.BLOCKING_POOL) {
            return FsBackend.BLOCKING_POOL;
        }
        return unavailabilityCause(rt) == null ? FsBackend.IO_URING : FsBackend.BLOCKING_POOL;
    }

    /**
     * Chooses {@code rt}'s backend; null restores the automatic choice (io_uring where usable).
     *
     * @throws IllegalStateException if io_uring is asked for and cannot be used (with the cause)
     */
    public static void requestBackend(WeftRuntime rt, FsBackend backend) {
        if (backend == FsBackend.IO_URING) {
            String cause = unavailabilityCause(rt);
            if (cause != null) {
                throw new IllegalStateException("io_uring file backend unavailable: " + cause);
            }
        }
        Gate.of(rt).requested = backend;
    }

    /**
     * Whether a handle opened now by the calling thread should get an io_uring descriptor: the
     * caller is a task of a runtime whose backend is io_uring.
     */
    public static boolean wantDescriptor() {
        WeftRuntime rt = taskRuntime();
        return rt != null && backend(rt) == FsBackend.IO_URING;
    }

    /**
     * The ring of the calling task's carrier, registering it on first use; null where the call
     * should take the blocking pool (not a carrier-homed task of an io_uring runtime).
     */
    public static Ring ringHere() throws IOException {
        WeftRuntime rt = taskRuntime();
        if (rt == null || backend(rt) != FsBackend.IO_URING) {
            return null;
        }
        IoEventLoop loop = RuntimeAccess.currentEventLoop(rt);
        if (loop == null) {
            return null;
        }
        Gate g = Gate.of(rt);
        Ring ring = g.rings.get(loop);
        if (ring == null) {
            ring = g.rings.computeIfAbsent(loop, l -> new Ring(l, g));
        }
        ring.awaitRegistered();
        return ring.isDead() ? null : ring;
    }

    static WeftRuntime taskRuntime() {
        Thread me = Thread.currentThread();
        if (!me.isVirtual() || dev.weft.core.Weft.currentTask().isEmpty()) {
            return null;
        }
        return WeftRuntime.current();
    }

    /**
     * Reads up to {@code len} bytes at {@code position} into {@code dst[off..]} through the ring,
     * one request of at most {@link ChunkIo#CHUNK} bytes at a time; stops at a short read.
     *
     * @return bytes delivered, or -1 at end of file with nothing delivered
     * @throws InterruptedIOException if cancelled; {@code bytesTransferred} bytes were delivered,
     *                                the request in flight delivers nothing; {@code op} ends when
     *                                its completion arrives
     */
    public static int read(Ring ring, UringFile f, Path path, long position, byte[] dst, int off, int len, Op op)
            throws IOException {
        int done = 0;
        while (done < len) {
            int want = Math.min(ChunkIo.CHUNK, len - done);
            int n = ring.files.tryRead(f, path, position + done, dst, off + done, want);
            if (n != NoWait.WOULD_BLOCK) {
                ring.files.gate.bytesRead.add(n);
            } else {
                ByteBuffer buf = ChunkIo.take();
                Ring.Req req;
                try {
                    req = submit(ring, f, Ring.OP_READ, position + done, buf, 0, want, op, path, null);
                } catch (InterruptedIOException e) {
                    e.bytesTransferred = done;
                    throw e;
                }
                try {
                    n = req.await();
                } catch (InterruptedIOException e) {
                    e.bytesTransferred = done;
                    throw e;
                }
                try {
                    if (n < 0) {
                        throw Posix.exception(path, -n);
                    }
                    buf.get(0, dst, off + done, n);
                    req.gate.bytesRead.add(n);
                } finally {
                    finish(req, f);
                }
            }
            if (n == 0) {
                return done == 0 ? -1 : done;
            }
            done += n;
            op.progress(done);
            if (n < want) {
                break;
            }
        }
        return done;
    }

    /**
     * Writes all of {@code src[off..off+len)} at {@code position} through the ring.
     *
     * @throws InterruptedIOException if cancelled; {@code bytesTransferred} bytes are known
     *                                written; the request in flight (at most one chunk) still
     *                                lands, in full or in part, after the call has returned
     */
    public static void write(Ring ring, UringFile f, Path path, long position, byte[] src, int off, int len, Op op,
                             java.util.function.LongConsumer abandonedEnd) throws IOException {
        if (!f.writable()) {
            throw new java.nio.channels.NonWritableChannelException();
        }
        long done = 0;
        while (done < len) {
            int want = (int) Math.min(ChunkIo.CHUNK, len - done);
            ByteBuffer buf = ChunkIo.take();
            buf.put(0, src, off + (int) done, want);
            int written = 0;
            while (written < want) {
                Ring.Req req;
                int n;
                try {
                    req = submit(ring, f, Ring.OP_WRITE, position + done + written, buf, written, want - written, op, path,
                            abandonedEnd);
                    n = req.await();
                } catch (InterruptedIOException e) {
                    e.bytesTransferred = (int) Math.min(Integer.MAX_VALUE, done + written);
                    throw e;
                }
                boolean last = n <= 0 || written + n >= want;
                if (n < 0) {
                    finish(req, f);
                    throw Posix.exception(path, -n);
                }
                if (n == 0) {
                    finish(req, f);
                    throw new IOException(path + ": write(2) wrote nothing at offset " + (position + done + written));
                }
                req.gate.bytesWritten.add(n);
                written += n;
                if (last) {
                    finish(req, f);
                } else {
                    finishKeepingBuffer(req, f);
                }
            }
            done += want;
            op.progress(done);
        }
    }

    private static final int AT_FDCWD = -100;
    private static final java.nio.charset.Charset JNU = jnuCharset();

    private static java.nio.charset.Charset jnuCharset() {
        try {
            return java.nio.charset.Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return java.nio.charset.StandardCharsets.UTF_8;
        }
    }

    /**
     * Reads a whole file: opens it ({@code openat2(RESOLVE_CACHED)} on the carrier, else an
     * {@code OPENAT} request), reads until a read returns 0 ({@code preadv2(RWF_NOWAIT)} into the
     * ring's scratch buffer, else a {@code READ} request into a pooled buffer that the request
     * keeps until its completion), and closes it with a {@code CLOSE} request nobody waits for. A
     * cancelled caller leaves at once; a request in flight completes in the background and its
     * clean-up closes the descriptor.
     *
     * @throws InterruptedIOException if cancelled (nothing changes; the bytes are dropped)
     * @throws IOException            the JDK's exception type for the errno, with the path
     */
    public static byte[] readAllBytes(Ring ring, Path path) throws IOException {
        CarrierFiles here = ring.files;
        Gate gate = here.gate;
        byte[] name = nativePath(path);
        int fd = here.tryOpen(name, path);
        if (fd == NoWait.WOULD_BLOCK) {
            ByteBuffer pathBuf = ChunkIo.take();
            pathBuf.put(0, name).put(name.length, (byte) 0);
            Ring.Req open = new Ring.Req(Ring.OP_OPENAT, AT_FDCWD, 0, NoWait.segment(pathBuf).address(), 0,
                    Posix.O_RDONLY | Posix.O_CLOEXEC, pathBuf, r -> {
                        if (!r.orphaned) {   // else the kernel may still use it: the graveyard keeps it
                            ChunkIo.give(pathBuf);
                        }
                        if (r.completed && r.res >= 0) {
                            UringFile.closeLater(r.res);
                        }
                    });
            fd = run(ring, gate, open);   // returned: the request is done with the buffer
            if (!open.orphaned) {
                ChunkIo.give(pathBuf);
            }
        }
        if (fd < 0) {
            throw Posix.exception(path, -fd);
        }
        final int file = fd;
        byte[] out = new byte[8192];
        int total = 0;
        ByteBuffer buf = null;   // pooled, for read requests only
        boolean handedOff = false;   // an abandoned read's clean-up owns the buffer and the descriptor
        boolean probed = false;
        try {
            while (true) {
                // Before the array grows large, one byte at MAX_ARRAY says whether the file fits at
                // all: growing by doubling would otherwise allocate up to 2 GiB before the limit is met.
                boolean probing = !probed && mustProbe(out.length, total);
                long at = probing ? MAX_ARRAY : total;
                int want = probing ? 1 : ChunkIo.CHUNK;
                long got = here.tryRead(file, path, at, want);
                if (got == NoWait.NOT_SEEKABLE) {
                    if (total == 0) {
                        // A pipe or device: both opens above are non-blocking (io_uring's inline
                        // open is too), so a FIFO's did not wait for a writer. The pool reads it
                        // with the JDK's blocking open, while this descriptor stays open.
                        handedOff = true;
                        return here.readOnPool(file, path);
                    }
                    got = NoWait.WOULD_BLOCK;
                }
                int n = (int) got;
                ByteBuffer from = here.scratch;
                if (n == NoWait.WOULD_BLOCK) {
                    if (buf == null) {
                        buf = ChunkIo.take();
                    }
                    final ByteBuffer b = buf;
                    Ring.Req read = new Ring.Req(Ring.OP_READ, file, at, NoWait.segment(b).address(), want, 0, b, r -> {
                        if (!r.orphaned) {   // else the kernel may still write it: the graveyard keeps it
                            ChunkIo.give(b);
                        }
                        UringFile.closeLater(file);
                    });
                    try {
                        n = run(ring, gate, read);
                    } catch (IOException e) {   // cancelled, or never submitted: the clean-up has run or will
                        handedOff = true;
                        throw e;
                    }
                    if (read.orphaned) {   // completed by a dying loop: the kernel may still write it
                        buf = null;
                    }
                    from = b;
                }
                if (n < 0) {
                    throw Posix.exception(path, -n);
                }
                if (probing) {
                    probed = true;
                    if (n > 0) {
                        throw tooLarge(path);
                    }
                    continue;
                }
                if (n == 0) {
                    break;
                }
                out = append(out, total, from, n, path);
                total += n;
                gate.bytesRead.add(n);
            }
        } finally {
            if (!handedOff) {
                if (buf != null) {
                    ChunkIo.give(buf);
                }
                closeDetached(ring, gate, file);
            }
        }
        return total == out.length ? out : java.util.Arrays.copyOf(out, total);
    }

    /** The largest array a whole-file read returns (as the JDK's {@code Files.readAllBytes}). */
    static final int MAX_ARRAY = Integer.MAX_VALUE - 16;
    /** An array that must grow beyond this first has the file's size checked ({@link #mustProbe}). */
    private static final int PROBE_FROM = 1 << 20;

    /**
     * Whether a whole-file read must check that the file fits in one array (a byte at
     * {@link #MAX_ARRAY} means it does not) before reading on: once, as soon as the next chunk
     * may need an array of more than {@link #PROBE_FROM} bytes. Small files never pay for it.
     */
    static boolean mustProbe(int capacity, int total) {
        return (long) total + ChunkIo.CHUNK > capacity && (long) total + ChunkIo.CHUNK > PROBE_FROM;
    }

    /** The documented error of a whole-file read of a file over {@link #MAX_ARRAY} bytes. */
    static OutOfMemoryError tooLarge(Path path) {
        return new OutOfMemoryError("file too large for one array: " + path);
    }

    /** {@code out} with {@code src[0..n)} put at {@code total}, grown (doubling) if it has no room. */
    static byte[] append(byte[] out, int total, ByteBuffer src, int n, Path path) {
        if ((long) total + n > MAX_ARRAY) {
            throw tooLarge(path);
        }
        if (total + n > out.length) {
            out = java.util.Arrays.copyOf(out, Math.max(total + n, (int) Math.min(MAX_ARRAY, 2L * out.length)));
        }
        src.get(0, out, total, n);
        return out;
    }

    /** The bytes of {@code path} as the JDK hands them to the kernel. */
    static byte[] nativePath(Path path) throws java.nio.file.FileSystemException {
        byte[] name = path.toAbsolutePath().toString().getBytes(JNU);
        if (name.length + 1 > ChunkIo.CHUNK) {
            throw new java.nio.file.FileSystemException(path.toString(), null, "File name too long");
        }
        return name;
    }

    /**
     * Closes {@code fd} with an io_uring request nobody waits for. It takes no slot of the gate:
     * the caller does not wait, and the kernel closes a local file inline (it punts only files
     * whose file system flushes on close). A request that never reached the kernel (no ring slot,
     * a ring going away) closes the descriptor off the carrier instead; one the kernel may have
     * seen is never closed twice, since the number may already belong to another file.
     */
    private static void closeDetached(Ring ring, Gate gate, int fd) {
        Ring.Req close = new Ring.Req(Ring.OP_CLOSE, fd, 0, 0L, 0, 0, null, r -> {
            if (!r.orphaned && (r.res == -Posix.ECANCELED || r.res == -Ring.EAGAIN)) {
                UringFile.closeLater(fd);
            } else if (r.res < 0) {
                gate.failures.increment();
            }
        });
        close.detach();
        try {
            ring.submit(close);
        } catch (IOException e) {
            UringFile.closeLater(fd);
        }
    }

    /**
     * Takes a slot, submits {@code req} and parks for its result. If the caller is cancelled the
     * request's own clean-up runs at its completion (and the slot is given back then).
     */
    private static int run(Ring ring, Gate gate, Ring.Req req) throws IOException {
        try {
            gate.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            req.cleanup.accept(req);   // never submitted: res is 0, so nothing was opened
            throw new InterruptedIOException("file operation interrupted while queued");
        }
        gate.started();
        long t0 = System.nanoTime();
        java.util.function.Consumer<Ring.Req> own = req.cleanup;
        req.onAbandon(r -> {
            own.accept(r);
            record(gate, t0, r.res);
            gate.ended();
        });
        try {
            ring.submit(req);
        } catch (IOException e) {
            gate.ended();
            own.accept(req);
            throw e;
        }
        int res = req.await();
        record(gate, t0, res);
        gate.ended();
        return res;
    }

    /** Takes a slot and a descriptor reference, and hands the request to the ring. */
    private static Ring.Req submit(Ring ring, UringFile f, byte opcode, long position, ByteBuffer buf, int bufOff, int len,
                                   Op op, Path path, java.util.function.LongConsumer abandonedEnd) throws IOException {
        Gate gate = ring.files.gate;   // the ring is of the calling task's runtime
        try {
            gate.acquire();
        } catch (InterruptedException e) {
            ChunkIo.give(buf);
            op.ended();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("file operation interrupted while queued (nothing more was done)");
        }
        if (!f.acquire()) {
            gate.release();
            ChunkIo.give(buf);
            throw new ClosedChannelException();
        }
        gate.started();
        long t0 = System.nanoTime();
        Ring.Req req = new Ring.Req(opcode, f.fd, position, buf, bufOff, len, r -> {
            // The caller walked away: the kernel is done with the buffer only now (on the loop thread).
            if (!r.orphaned) {
                ChunkIo.give(buf);
            }
            f.release(false);
            record(gate, t0, r.res);
            gate.ended();
            if (abandonedEnd != null) {   // where the file now ends, for the handle's position
                abandonedEnd.accept(r.offset + (r.completed && r.res > 0 && !r.orphaned ? r.res : 0));
            }
            op.ended();
        });
        req.startNanos = t0;
        req.gate = gate;
        try {
            ring.submit(req);
        } catch (IOException e) {
            ChunkIo.give(buf);
            f.release(false);
            gate.ended();
            throw e;
        }
        return req;
    }

    /** The caller got the result and is done with the buffer. */
    private static void finish(Ring.Req req, UringFile f) {
        if (!req.orphaned) {
            ChunkIo.give(req.buffer);
        }
        end(req, f);
    }

    private static void finishKeepingBuffer(Ring.Req req, UringFile f) {
        end(req, f);
    }

    private static void end(Ring.Req req, UringFile f) {
        f.release(false);
        record(req.gate, req.startNanos, req.res);
        req.gate.ended();
    }

    private static void record(Gate gate, long t0, int res) {
        gate.uringOps.increment();
        gate.uringNanos.add(System.nanoTime() - t0);
        if (res < 0) {
            gate.failures.increment();
        }
    }
}
