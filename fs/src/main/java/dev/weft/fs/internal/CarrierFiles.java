package dev.weft.fs.internal;

import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.fs.FsBackend;
import io.netty.channel.IoEventLoop;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * What the carrier-side file calls ({@link NoWait}) of one carrier share, on any transport: the
 * {@link Lane} that bounds them per loop pass, and the scratch buffer they read into and put
 * paths in. The calls never park between the call and copying the bytes out, and the tasks of a
 * carrier run one at a time, so one buffer serves them all.
 *
 * <p>Confined to the carrier's thread.
 */
public final class CarrierFiles {
    final Gate gate;
    final Lane lane;
    final ByteBuffer scratch = ChunkIo.allocate();
    final MemorySegment scratchSegment = NoWait.segment(scratch);

    CarrierFiles(IoEventLoop loop, Gate gate) {
        this.gate = gate;
        this.lane = new Lane(loop, gate, RuntimeAccess.ioWakeSignal(gate.runtime(), loop));
    }

    /**
     * The carrier-side open of {@code name} (the path's bytes, without the NUL), within the lane.
     *
     * @return the descriptor, or {@link NoWait#WOULD_BLOCK} where the caller must open it some
     *         other way (the lookup is not cached, the call is unavailable, the caller is
     *         interrupted, the lane refused)
     * @throws IOException the JDK's exception type for the errno, with the path
     */
    int tryOpen(byte[] name, Path path) throws IOException {
        if (!mayCall(NoWait.openAvailable())) {
            return NoWait.WOULD_BLOCK;
        }
        scratch.put(0, name).put(name.length, (byte) 0);
        int fd = NoWait.open(scratchSegment);
        return fd == NoWait.WOULD_BLOCK ? fd : (int) counted(fd, path);
    }

    /**
     * The carrier-side read of up to {@code want} bytes of {@code fd} at {@code position} into
     * {@link #scratch}{@code [0..]}, within the lane. The caller copies the bytes out before it
     * next parks (the buffer is the carrier's) and counts them.
     *
     * @return bytes read (0 at end of file), {@link NoWait#NOT_SEEKABLE}, or
     *         {@link NoWait#WOULD_BLOCK} where the caller must read some other way (as
     *         {@link #tryOpen})
     * @throws IOException the JDK's exception type for the errno, with the path
     */
    long tryRead(int fd, Path path, long position, int want) throws IOException {
        return mayCall(NoWait.READ_AVAILABLE) ? readHere(fd, path, position, want) : NoWait.WOULD_BLOCK;
    }

    /** Whether the calling task may make an available carrier-side call now (waits for the lane's room). */
    private boolean mayCall(boolean available) {
        return available && !Thread.currentThread().isInterrupted() && lane.enter();
    }

    /** {@link #tryRead}'s call, in the lane: {@link NoWait#WOULD_BLOCK} here is the kernel's answer. */
    private long readHere(int fd, Path path, long position, int want) throws IOException {
        long n = NoWait.read(scratchSegment, fd, position, 0, want);
        return n == NoWait.WOULD_BLOCK || n == NoWait.NOT_SEEKABLE ? n : counted(n, path);
    }

    /** Counts a completed carrier-side call; a negative result is an errno, thrown as the JDK's exception. */
    private long counted(long result, Path path) throws IOException {
        gate.noWaitOps.increment();
        if (result < 0) {
            gate.failures.increment();
            throw Posix.exception(path, (int) -result);
        }
        return result;
    }

    /**
     * {@link #tryRead} through a file handle's descriptor into {@code dst[off..]}, holding a
     * reference on it for the call; a handle is of a regular file, so anything but bytes is
     * {@link NoWait#WOULD_BLOCK}. A read of at least {@link NoWait#DIRECT_MIN} bytes goes straight
     * into the array while the descriptor's reads have always found the file cached; the caller
     * counts the bytes.
     *
     * @throws java.nio.channels.ClosedChannelException if the handle was closed
     */
    int tryRead(UringFile f, Path path, long position, byte[] dst, int off, int want) throws IOException {
        if (!f.acquire()) {
            throw new java.nio.channels.ClosedChannelException();
        }
        try {
            if (!mayCall(NoWait.READ_AVAILABLE)) {
                return NoWait.WOULD_BLOCK;
            }
            if (want >= NoWait.DIRECT_MIN && f.directReads && NoWait.directAvailable()) {
                long n = NoWait.readInto(scratchSegment, f, position, dst, off, want);
                if (n != NoWait.WOULD_BLOCK) {
                    gate.noWaitOps.increment();
                    gate.directReadBytes.add(n);
                    return (int) n;
                }
            }
            long n = readHere(f.fd, path, position, want);
            if (n == NoWait.WOULD_BLOCK) {
                f.directReads = false;   // the kernel would have waited for the disk
                return NoWait.WOULD_BLOCK;
            }
            if (n == NoWait.NOT_SEEKABLE) {
                return NoWait.WOULD_BLOCK;
            }
            scratch.get(0, dst, off, (int) n);
            return (int) n;
        } finally {
            f.release(false);
        }
    }

    /**
     * {@code Fs.readAllBytes} without io_uring (epoll, NIO transports): opens and reads the file
     * with carrier-side calls only, and returns null (having read nothing the caller needs) where
     * the pool must do it: a call that would block, an interrupted caller, a runtime that chose the
     * blocking pool with {@code Fs.setBackend} or gives carrier-side calls no time, a caller that
     * is not a carrier task, a system without the calls.
     *
     * @throws IOException the JDK's exception type for the errno, with the path
     */
    public static byte[] readAllBytes(Path path) throws IOException {
        CarrierFiles here = here();
        if (here == null) {
            return null;
        }
        int fd = here.tryOpen(Uring.nativePath(path), path);
        if (fd == NoWait.WOULD_BLOCK) {
            return null;
        }
        byte[] out = new byte[8192];
        int total = 0;
        boolean probed = false;
        try {
            while (true) {
                // As Uring.readAllBytes: whether the file fits in one array, before the array grows large.
                boolean probing = !probed && Uring.mustProbe(out.length, total);
                long got = probing ? here.tryRead(fd, path, Uring.MAX_ARRAY, 1) : here.tryRead(fd, path, total, ChunkIo.CHUNK);
                if (got == NoWait.WOULD_BLOCK || got == NoWait.NOT_SEEKABLE) {
                    // Not in the page cache, or a pipe or device: the pool reads the file whole,
                    // while this descriptor stays open (a FIFO's writer must not see its reader go).
                    int handed = fd;
                    fd = -1;
                    return here.readOnPool(handed, path);
                }
                if (probing) {
                    probed = true;
                    if (got > 0) {
                        throw Uring.tooLarge(path);
                    }
                    continue;
                }
                if (got == 0) {
                    break;
                }
                out = Uring.append(out, total, here.scratch, (int) got, path);
                total += (int) got;
            }
        } finally {
            if (fd >= 0) {
                here.close(fd);
            }
        }
        here.gate.bytesRead.add(total);
        return total == out.length ? out : java.util.Arrays.copyOf(out, total);
    }

    /**
     * Reads {@code path} whole on the blocking pool (the JDK's blocking open and reads) while
     * {@code fd}, our non-blocking open of it, stays open: for a FIFO that open already let a
     * waiting writer in, and closing it first would leave that writer with no reader. The job
     * closes {@code fd} when it is done; if it never starts (the caller was cancelled first), the
     * caller does: exactly one of the two.
     */
    byte[] readOnPool(int fd, Path path) throws IOException {
        java.util.concurrent.atomic.AtomicBoolean owned = new java.util.concurrent.atomic.AtomicBoolean();
        try {
            byte[] b = Offload.call(op -> {
                if (!owned.compareAndSet(false, true)) {
                    throw new java.io.InterruptedIOException("abandoned before it started");
                }
                try {
                    return java.nio.file.Files.readAllBytes(path);
                } finally {
                    Posix.close(fd);
                }
            });
            gate.bytesRead.add(b.length);
            return b;
        } finally {
            if (owned.compareAndSet(false, true)) {
                close(fd);
            }
        }
    }

    /**
     * Closes a descriptor of a regular file read through the carrier-side calls: on the carrier
     * where its file system closes without flushing (local disk and memory file systems: io_uring
     * closes those inline too), else off the carrier.
     */
    private void close(int fd) {
        if (NoWait.closesWithoutFlush(scratchSegment, fd)) {
            Posix.close(fd);
        } else {
            UringFile.closeLater(fd);
        }
    }

    /**
     * The calling task's carrier files if it may make carrier-side calls without io_uring: a
     * carrier task, on Linux with the calls, of a runtime whose backend is the pool only because
     * its transport is not io_uring, which gives the calls time. Else null.
     */
    private static CarrierFiles here() {
        if (!NoWait.READ_AVAILABLE) {
            return null;
        }
        WeftRuntime rt = Uring.taskRuntime();
        if (rt == null) {
            return null;
        }
        Gate gate = Gate.of(rt);
        if (gate.requested == FsBackend.BLOCKING_POOL || gate.carrierNanosPerPass == 0 || Uring.backend(rt) != FsBackend.BLOCKING_POOL) {
            return null;
        }
        IoEventLoop loop = RuntimeAccess.currentEventLoop(rt);
        return loop == null ? null : gate.filesOf(loop);
    }

    /** Whether a file handle opened now by the calling task should get a raw descriptor for {@link #read}. */
    public static boolean wantDescriptor() {
        return here() != null;
    }

    /**
     * {@code FileHandle} reads without io_uring: up to {@code len} bytes at {@code at} into
     * {@code dst[off..]} with carrier-side calls, stopping at a short read.
     *
     * @return bytes read; -1 at end of file with nothing read; {@link NoWait#WOULD_BLOCK} when
     *         nothing was read and the pool must do it (a call that would block, an interrupted
     *         caller, a runtime or caller the calls are not for)
     * @throws IOException the JDK's exception type for the errno, with the path; closed handle
     */
    public static int read(UringFile f, Path path, long at, byte[] dst, int off, int len) throws IOException {
        CarrierFiles here = here();
        if (here == null) {
            return NoWait.WOULD_BLOCK;
        }
        int done = 0;
        while (done < len) {
            int want = Math.min(ChunkIo.CHUNK, len - done);
            int n = here.tryRead(f, path, at + done, dst, off + done, want);
            if (n == NoWait.WOULD_BLOCK) {
                break;
            }
            if (n == 0) {
                if (done == 0) {
                    return -1;
                }
                break;
            }
            done += n;
            if (n < want) {
                break;
            }
        }
        if (done == 0) {
            return NoWait.WOULD_BLOCK;
        }
        here.gate.bytesRead.add(done);
        return done;
    }
}
