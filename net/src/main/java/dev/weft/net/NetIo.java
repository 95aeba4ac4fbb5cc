package dev.weft.net;

import dev.weft.core.Task;
import dev.weft.core.TaskFailedException;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.net.internal.Conduit;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Moving bytes between connections: {@link #copy} (Tokio's {@code io::copy}) and
 * {@link #copyBidirectional} (Tokio's {@code io::copy_bidirectional}), a TCP proxy in two lines.
 *
 * {@snippet :
 * listener.serve(client -> {
 *     try (TcpStream upstream = TcpStream.connect(backend, Duration.ofSeconds(5))) {
 *         NetIo.copyBidirectional(client, upstream);     // until both directions reach EOF
 *     }
 * });
 * }
 */
public final class NetIo {
    /** The copy buffer: one write chunk of the conduit, so a full buffer is one channel write. */
    private static final int BUFFER = 16 * 1024;

    private NetIo() {}

    /**
     * Copies everything {@code in} yields to {@code out} until {@code in} reaches end of stream,
     * parking as reads and writes do (the copy runs at the pace of the slower side: a slow reader
     * of {@code out} parks it, and then nothing more is read from {@code in}). Does not shut
     * {@code out}'s output down at the end and closes neither side. Copying a stream to itself
     * ({@code copy(s, s)}) is an echo.
     *
     * <p><b>Forwarding without copying.</b> {@code in} and {@code out} are Weft streams (a
     * {@link NetStream} or its {@linkplain NetStream.ReadHalf read} and
     * {@linkplain NetStream.WriteHalf write} halves), so each buffer received from {@code in}'s
     * socket is handed to {@code out}'s socket as it is, with no copy into a byte array and no
     * new buffer: the bytes go out in the pieces they arrived in, each written and flushed as
     * {@link ByteOutput#write(byte[], int, int)} flushes. What the caller can observe is the same
     * as a loop of {@code read} and {@code write}, with these differences:
     * <ul>
     *   <li>Outbound backpressure is checked before each buffer is handed over, so while the
     *       copier is parked on a slow reader of {@code out} at most the high water mark plus
     *       one received buffer (at most 64 KiB with Netty's default receive allocator, instead
     *       of one 16 KiB write chunk) is queued for {@code out}; nothing more is read from
     *       {@code in} meanwhile.</li>
     *   <li>Bytes taken from {@code in} but not handed to {@code out} when the copy stops
     *       (interrupt, {@code out}'s write timeout, {@code out} closed, shut down or failed)
     *       are put back into {@code in}: a later read of {@code in} returns them, unless
     *       {@code in} was closed meanwhile. A read-and-write loop would have lost them.</li>
     *   <li>A stream that was {@linkplain NetStream#split() split} is refused
     *       ({@link IllegalStateException}) before anything is read.</li>
     * </ul>
     *
     * <p><b>Blocking and cancellation.</b> The calling task parks while nothing is buffered in
     * {@code in} (for at most {@code in}'s read timeout each time) and while {@code out} is not
     * writable (for at most {@code out}'s write timeout each time); a carrier is never blocked.
     * If the task is interrupted (cancelled) while parked, or a timeout passes, the copy stops
     * with {@link InterruptedIOException} (or its subclass {@link java.net.SocketTimeoutException})
     * whose {@code bytesTransferred} is exactly the number of bytes handed to {@code out} so far:
     * those bytes will be sent (unless the connection fails), and the peer of {@code out}
     * receives them and nothing more from this copy. The thread's interrupt status stays set.
     * Both streams stay usable. An interrupt that arrives while the copy is not parked takes
     * effect at its next park, as for a single read or write: a copy that never has to wait
     * (input always buffered, output always writable) goes on until it does.
     *
     * @return the number of bytes copied
     * @throws InterruptedIOException if interrupted while parked, or a read or write timeout
     *                                passed; {@code bytesTransferred} is the number of bytes copied
     *                                (handed to {@code out}) so far
     * @throws IOException            if reading or writing failed (e.g. a side was closed or reset,
     *                                or {@code out}'s output was shut down)
     * @throws IllegalStateException  if another task is reading {@code in} or writing {@code out},
     *                                or a whole stream that was split is passed
     * @throws NullPointerException   if an argument is null
     */
    public static long copy(ByteInput in, ByteOutput out) throws IOException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(out, "out");
        Conduit from = conduit(in);
        Conduit to = conduit(out);
        if (from != null && to != null) {
            return Conduit.forward(from, to);
        }
        return copyBytes(in, out);
    }

    /** The conduit a Weft stream or one of its halves reads or writes through, or null for any other input or output. */
    private static Conduit conduit(Object end) {
        return switch (end) {
            case NetStream s -> s.wholeConduit();
            case NetStream.ReadHalf h -> h.stream.conduit;
            case NetStream.WriteHalf h -> h.stream.conduit;
            default -> null;
        };
    }

    /**
     * The copy loop through a byte array, for inputs and outputs that are not Weft streams (none
     * today: both interfaces are sealed to them; kept for the day another implementation is
     * permitted, and for the tests, which compare it with forwarding).
     */
    static long copyBytes(ByteInput in, ByteOutput out) throws IOException {
        byte[] buf = new byte[BUFFER];
        long total = 0;
        for (;;) {
            int n;
            try {
                n = in.read(buf, 0, buf.length);
            } catch (InterruptedIOException e) {
                e.bytesTransferred = (int) Math.min(Integer.MAX_VALUE, total);
                throw e;
            }
            if (n < 0) {
                return total;
            }
            try {
                out.write(buf, 0, n);
            } catch (InterruptedIOException e) {
                e.bytesTransferred = (int) Math.min(Integer.MAX_VALUE, total + e.bytesTransferred);
                throw e;
            }
            total += n;
        }
    }

    /** Bytes copied each way by {@link #copyBidirectional}. */
    public record Transferred(long aToB, long bToA) {}

    /**
     * Copies {@code a}'s input to {@code b} and {@code b}'s input to {@code a} at once, until
     * both reach end of stream, and propagates half-closes: when {@code a}'s input ends,
     * {@code b}'s output is shut down (after everything was written), and the other way round.
     * One direction runs in the calling task, the other in a task spawned on the same carrier;
     * both have ended when this returns. The streams are not closed. Each direction is a
     * {@link #copy}, so the received buffers are forwarded without copying.
     *
     * <p>If a direction fails (a side reset, closed, or timed out), the other is cancelled and
     * the failure is thrown once both have stopped; the streams are then in an unknown state:
     * close them.
     *
     * @return the bytes copied each way
     * @throws InterruptedIOException if the calling task is interrupted (cancelled); both directions are stopped first
     * @throws IOException            the first failure of either direction
     * @throws IllegalStateException  if a task is already reading or writing one of the streams, or one was split
     * @throws IllegalArgumentException if {@code a} and {@code b} are the same stream
     * @throws NullPointerException   if an argument is null
     */
    public static Transferred copyBidirectional(NetStream a, NetStream b) throws IOException {
        Objects.requireNonNull(a, "a");
        Objects.requireNonNull(b, "b");
        if (a == b) {
            throw new IllegalArgumentException("a and b are the same stream");
        }
        Thread caller = Thread.currentThread();
        // The first failure of either direction; the one that records it stops the other.
        AtomicReference<Throwable> first = new AtomicReference<>();
        Task<Long> back = RuntimeAccess.spawnOn(b.runtime(), b.channel().eventLoop(),
                "copy " + b.peerAddress() + " -> " + a.peerAddress(), () -> {
                    try {
                        return oneWay(b, a);
                    } catch (IOException | RuntimeException e) {
                        if (first.compareAndSet(null, e)) {
                            caller.interrupt(); // the caller may be parked in a read that never ends
                        }
                        throw e;
                    }
                });
        long forward;
        try {
            forward = oneWay(a, b);
        } catch (IOException | RuntimeException e) {
            if (first.compareAndSet(null, e)) {
                back.cancel();
                awaitQuietly(back);
                throw e;
            }
            // The other direction failed first and interrupted us to stop this one.
            awaitQuietly(back);
            Thread.interrupted();
            throw rethrow(first.get());
        }
        for (;;) {
            try {
                return new Transferred(forward, back.join());
            } catch (InterruptedException e) {
                if (first.get() != null) {
                    continue; // the other direction failed and interrupted us: its failure comes from join
                }
                back.cancel();
                awaitQuietly(back);
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("copyBidirectional interrupted");
            } catch (TaskFailedException e) {
                Thread.interrupted(); // the interrupt the failing direction sent us
                throw rethrow(e.getCause());
            } catch (CancellationException e) {
                throw new InterruptedIOException("copyBidirectional cancelled");
            }
        }
    }

    private static IOException rethrow(Throwable t) {
        if (t instanceof IOException io) {
            return io;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error err) {
            throw err;
        }
        return new IOException(t);
    }

    private static long oneWay(NetStream from, NetStream to) throws IOException {
        long n = copy(from, to);
        to.shutdownOutput();
        return n;
    }

    private static void awaitQuietly(Task<?> t) {
        boolean interrupted = false;
        for (;;) {
            try {
                t.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (RuntimeException e) {
                break; // failed or cancelled: it has ended
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
