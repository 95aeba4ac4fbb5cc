package dev.weft.net.internal;

import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.Parking;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.core.spi.TimerHandle;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * The bridge between one Netty channel and the tasks that read and write it: the last handler of
 * the channel's pipeline, and the parking logic of {@code TcpStream} and {@code MessageStream}.
 *
 * <h2>Implementation overview</h2>
 * The design is {@code ../shared/DESIGN.md}, "I/O path":
 * <ul>
 *   <li><b>Read.</b> The channel has {@code AUTO_READ=false}. A reader takes what {@link #inbound}
 *       holds; when it is empty it asks for one read ({@code channel.read()}, at most one in
 *       flight: {@link #readPending}) and parks. {@code channelRead} (on the channel's loop, which
 *       is the reader's carrier when the task was placed there) queues the message and unparks the
 *       reader; {@code channelReadComplete} ends the read and unparks it too, so a read that
 *       produced nothing is asked again. Nothing is read that nobody asked for: inbound
 *       backpressure.</li>
 *   <li><b>Write.</b> A writer parks while {@code !channel.isWritable()} (the write-buffer water
 *       marks, which count writes submitted from outside the loop too) and is unparked by
 *       {@code channelWritabilityChanged}: outbound backpressure. Bytes are copied into a pooled
 *       buffer in chunks of at most {@link #WRITE_CHUNK}, so a writer that is parked holds at most
 *       the high water mark plus one chunk in memory.</li>
 *   <li><b>Forward.</b> {@link #forward} ({@code NetIo.copy} between two streams) takes received
 *       buffers whole from one conduit's {@link #inbound} and hands them to another's channel as
 *       they are, with the read's inbound and the write's outbound backpressure: a buffer is
 *       taken only when the copier wants more, handed over only while the output is writable,
 *       and put back ({@link #unread}) when it cannot be.</li>
 *   <li><b>End of input.</b> {@code ALLOW_HALF_CLOSURE} is on: the peer's FIN arrives as
 *       {@link ChannelInputShutdownEvent} and the channel stays open for writing.</li>
 *   <li><b>Halves.</b> A split stream's read half closes with {@link #closeInput()} (no more
 *       reads requested, input dropped) and its write half with {@link #shutdownOutputAsync()};
 *       the owner closes the conduit once both are.</li>
 *   <li><b>Counters.</b> {@link NetCounters} of the runtime, bumped where the event happens
 *       (bytes copied, a park, {@code channelActive}/{@code channelInactive}). After
 *       {@link #moveTo} the conduit sees messages, not bytes: a {@link MessageByteCounter} in front
 *       of the codec counts the bytes then.</li>
 * </ul>
 * State is guarded by {@code this}; the lock is held only for queue and flag updates, never
 * across a park or a Netty call that could run handlers, so a task and the loop that share a
 * carrier thread cannot deadlock on it. Nor across releasing a buffer: a release can park the
 * task (a pool's or the leak detector's lock held by another thread), and a virtual thread parks
 * with the monitor still held; the loop of its own carrier would then block on the lock at the
 * stream's next event, and the task, which only that carrier runs, would never get it back: the
 * whole carrier hangs ({@code ParkInReleaseTest}). So buffers leave {@link #inbound} under the
 * lock and are released after it. Unparks happen after the lock is released too.
 *
 * <table>
 *   <caption>Connection states seen by a reader</caption>
 *   <tr><th>state</th><th>read returns</th></tr>
 *   <tr><td>data queued</td><td>the data (also after EOF, close by the peer, or an error)</td></tr>
 *   <tr><td>open, nothing queued</td><td>parks</td></tr>
 *   <tr><td>input shut down or channel inactive, nothing queued</td><td>end of stream</td></tr>
 *   <tr><td>failed (e.g. reset), nothing queued</td><td>throws</td></tr>
 *   <tr><td>a codec failed to decode (message mode)</td><td>throws once, in order; the stream stays usable</td></tr>
 *   <tr><td>closed by its owner</td><td>throws {@code SocketException("socket closed")}</td></tr>
 * </table>
 */
public final class Conduit extends ChannelInboundHandlerAdapter {
    /** Largest buffer one write hands to the channel before checking writability again. */
    public static final int WRITE_CHUNK = 16 * 1024;
    /** The name of this handler in the pipeline. */
    public static final String NAME = "weft-conduit";
    /** A deadline that never comes. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    private final WeftRuntime runtime;
    private final Channel ch;
    private final ArrayDeque<Object> inbound = new ArrayDeque<>();
    private boolean readPending;
    private boolean inputShut;
    private boolean inactive;
    private boolean userClosed;
    private boolean moved;
    private boolean outputShut;
    private boolean inputClosed;
    private boolean countedOpen;
    private Throwable failure;
    private Thread readWaiter;
    private Thread writeWaiter;
    /**
     * Tasks parked in {@link #drain} or {@link #shutdownOutput}, which {@link #close} wakes: their
     * futures complete only once the peer took the bytes or the close linger ended.
     */
    private final java.util.ArrayList<Thread> outputWaiters = new java.util.ArrayList<>(1);
    private volatile long readTimeoutNanos;
    private volatile long writeTimeoutNanos;
    private volatile long lingerNanos = 30_000_000_000L;
    private final NetCounters counters;

    /**
     * Asks the channel for one read, on its loop, unless the input ended meanwhile: a read
     * requested after the peer's FIN was processed makes epoll fail ({@code epoll_ctl} ENOENT on
     * a half-closed socket), so the check and the request happen together on the loop.
     */
    private final Runnable readTask = () -> {
        boolean skip;
        synchronized (this) {
            skip = inputShut || inactive || userClosed || moved || inputClosed;
            if (skip) {
                readPending = false;
            }
        }
        if (!skip) {
            channel().read();
        }
    };

    /**
     * @param counters {@code runtime}'s ({@link NetCounters#of}), looked up by the caller: a
     *                 conduit made on the loop for an accepted socket must not take that lookup's
     *                 lock, which tasks take too
     */
    public Conduit(WeftRuntime runtime, Channel ch, NetCounters counters) {
        this.runtime = runtime;
        this.ch = ch;
        this.counters = counters;
    }

    /** The counters of this conduit's runtime. */
    public NetCounters counters() {
        return counters;
    }

    public Channel channel() {
        return ch;
    }

    public WeftRuntime runtime() {
        return runtime;
    }

    // ------------------------------------------------------------------ loop side (handler)

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        synchronized (this) {
            if (!countedOpen) {
                countedOpen = true;
                counters.open.increment();
            }
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Thread w;
        boolean drop;
        synchronized (this) {
            drop = userClosed || moved || inputClosed;
            if (!drop) {
                inbound.add(msg);
            }
            w = takeReader();
        }
        if (drop) {
            ReferenceCountUtil.release(msg);
        }
        wake(w);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Thread w;
        synchronized (this) {
            readPending = false;
            w = takeReader();
        }
        wake(w);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            Thread w;
            synchronized (this) {
                inputShut = true;
                w = takeReader();
            }
            wake(w);
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Thread r;
        Thread w;
        synchronized (this) {
            inactive = true;
            readPending = false;
            r = takeReader();
            w = takeWriter();
            if (countedOpen) {
                countedOpen = false;
                counters.open.decrement();
            }
        }
        wake(r);
        wake(w);
    }

    @Override
    public void channelUnregistered(ChannelHandlerContext ctx) {
        Object[] dropped = NONE;
        synchronized (this) {
            if (userClosed) {
                dropped = takeInbound();
            }
        }
        releaseAll(dropped);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Thread w;
        synchronized (this) {
            w = takeWriter();
        }
        wake(w);
    }

    /**
     * A codec's failure to decode, queued in {@link #inbound} where it happened: the receive that
     * reaches it throws, after the messages decoded before it.
     */
    private record DecodeFailure(Throwable cause) {}

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Thread r;
        Thread w;
        if (cause instanceof DecoderException) {
            // Bad input, not a broken connection: decoders recover by skipping it (a line
            // decoder drops the over-long line), and the task must still be able to send its
            // error reply. So it fails one receive, not the channel.
            synchronized (this) {
                if (!(userClosed || moved || inputClosed)) {
                    inbound.add(new DecodeFailure(cause));
                }
                r = takeReader();
            }
            wake(r);
            return;
        }
        synchronized (this) {
            if (failure == null) {
                failure = cause;
            }
            r = takeReader();
            w = takeWriter();
        }
        wake(r);
        wake(w);
    }

    private Thread takeReader() {
        Thread w = readWaiter;
        readWaiter = null;
        return w;
    }

    private Thread takeWriter() {
        Thread w = writeWaiter;
        writeWaiter = null;
        return w;
    }

    private static void wake(Thread t) {
        if (t != null) {
            Parking.unpark(t);
        }
    }

    // ------------------------------------------------------------------ options

    public void readTimeoutNanos(long nanos) {
        readTimeoutNanos = nanos;
    }

    public long readTimeoutNanos() {
        return readTimeoutNanos;
    }

    public void writeTimeoutNanos(long nanos) {
        writeTimeoutNanos = nanos;
    }

    public long writeTimeoutNanos() {
        return writeTimeoutNanos;
    }

    public void lingerNanos(long nanos) {
        lingerNanos = nanos;
    }

    public long lingerNanos() {
        return lingerNanos;
    }

    /** The deadline a timeout of {@code nanos} (0 = none) gives, from now. */
    public static long deadline(long nanos) {
        if (nanos <= 0) {
            return NO_DEADLINE;
        }
        long d = Parking.nanoTime() + nanos;
        return d < 0 ? NO_DEADLINE - 1 : d;
    }

    // ------------------------------------------------------------------ task side: reading

    /**
     * Copies up to {@code len} bytes into {@code dst}; parks while nothing is buffered.
     *
     * @return the number of bytes copied (> 0 when {@code len > 0}), or -1 at end of stream
     */
    public int read(byte[] dst, int off, int len) throws IOException {
        return len == 0 ? 0 : readInto(dst, off, len, null);
    }

    /** Like {@link #read(byte[], int, int)} into a {@link ByteBuffer}'s remaining space. */
    public int read(ByteBuffer dst) throws IOException {
        return dst.hasRemaining() ? readInto(null, 0, dst.remaining(), dst) : 0;
    }

    /**
     * The read loop of both targets: {@code array[off..off+len)} when {@code buffer} is null, else
     * {@code buffer}'s {@code len} remaining bytes. One method rather than a copy callback, so the
     * read path allocates nothing.
     */
    private int readInto(byte[] array, int off, int len, ByteBuffer buffer) throws IOException {
        long deadline = deadline(readTimeoutNanos);
        for (;;) {
            boolean ask = false;
            int n = -1;
            ByteBuf spent = null;
            synchronized (this) {
                checkReadable();
                ByteBuf b = (ByteBuf) inbound.peek();
                if (b != null) {
                    n = Math.min(len, b.readableBytes());
                    if (buffer == null) {
                        b.readBytes(array, off, n);
                    } else {
                        int limit = buffer.limit();
                        buffer.limit(buffer.position() + n);
                        b.readBytes(buffer);
                        buffer.limit(limit);
                    }
                    if (!b.isReadable()) {
                        spent = (ByteBuf) inbound.poll();
                    }
                    counters.bytesRead.add(n);
                } else if (endOfInput()) {
                    return -1;
                } else {
                    ask = prepareReadWait(deadline, "read");
                }
            }
            if (spent != null) {
                spent.release();   // after the lock: see the class comment
            }
            if (n > 0) {
                return n;
            }
            if (n < 0) {
                parkReader(ask, deadline);
            }
            // n == 0: an empty buffer was dropped; look again
        }
    }

    /**
     * Takes the next received buffer whole (ownership passes to the caller); parks while none is
     * queued, asking the channel for one read as {@link #read(byte[], int, int)} does. Empty
     * buffers are dropped. Counts nothing: {@link #forward} counts what it hands over.
     *
     * @return a readable buffer, or {@code null} at end of stream
     */
    private ByteBuf takeBuffer() throws IOException {
        long deadline = deadline(readTimeoutNanos);
        for (;;) {
            boolean ask = false;
            ByteBuf b;
            synchronized (this) {
                checkReadable();
                b = (ByteBuf) inbound.poll();
                if (b == null) {
                    if (endOfInput()) {
                        return null;
                    }
                    ask = prepareReadWait(deadline, "read");
                } else if (b.isReadable()) {
                    return b;
                }
            }
            if (b != null) {
                b.release();   // empty: after the lock (see the class comment), then look again
            } else {
                parkReader(ask, deadline);
            }
        }
    }

    /**
     * Puts back a buffer {@link #takeBuffer} returned and {@link #forward} could not hand over, at
     * the head of the queue where it came from: the next read returns its bytes. Released instead
     * when the input was closed meanwhile (nobody can read it any more). Never parks.
     */
    private void unread(ByteBuf b) {
        boolean drop;
        synchronized (this) {
            drop = userClosed || moved || inputClosed;
            if (!drop) {
                inbound.addFirst(b);
            }
        }
        if (drop) {
            b.release();   // after the lock: see the class comment
        }
    }

    /**
     * {@code NetIo.copy} between two byte-mode conduits ({@code in == out} for an echo): hands each
     * received buffer of {@code in} to {@code out}'s channel as it is, without copying, until
     * {@code in} reaches end of stream. Per buffer: take it from {@code in} (parking and asking for
     * one read when none is queued: inbound backpressure), wait until {@code out} is writable (its
     * write timeout; outbound backpressure: while parked here nothing more is read), then write and
     * flush it as {@link #writeBytes(byte[], int, int)} does. A buffer is never held across a park
     * on {@code in}, and one that cannot be handed over (interrupt, timeout, {@code out} closed or
     * failed) is put back into {@code in} ({@link #unread}), so the bytes handed over are exactly
     * those counted, and nothing taken is lost or leaked.
     *
     * @return the number of bytes handed to {@code out}
     * @throws InterruptedIOException with {@code bytesTransferred} the bytes handed over so far
     */
    public static long forward(Conduit in, Conduit out) throws IOException {
        long total = 0;
        for (;;) {
            ByteBuf b;
            try {
                b = in.takeBuffer();
            } catch (InterruptedIOException e) {
                e.bytesTransferred = (int) Math.min(Integer.MAX_VALUE, total);
                throw e;
            }
            if (b == null) {
                return total;
            }
            int n = b.readableBytes();
            try {
                out.awaitWritable(deadline(out.writeTimeoutNanos));
            } catch (Throwable e) {
                in.unread(b);
                if (e instanceof InterruptedIOException io) {
                    io.bytesTransferred = (int) Math.min(Integer.MAX_VALUE, total);
                }
                throw e;
            }
            out.send(b, true);
            in.counters.bytesRead.add(n);
            out.counters.bytesWritten.add(n);
            out.counters.bytesForwarded.add(n);
            total += n;
        }
    }

    /**
     * Takes the next inbound message; parks while none is queued.
     *
     * @param deadline {@link #NO_DEADLINE} or a {@link Parking#nanoTime()} instant
     * @return the message, or {@code null} at end of stream
     * @throws SocketTimeoutException when the deadline passes first (nothing is taken)
     */
    public Object receive(long deadline) throws IOException {
        for (;;) {
            boolean ask;
            synchronized (this) {
                checkReadable();
                Object m = inbound.poll();
                if (m instanceof DecodeFailure f) {
                    Throwable c = f.cause();
                    throw new IOException("the codec could not decode the input: " + Sockets.describe(c), c);
                }
                if (m != null) {
                    return m;
                }
                if (endOfInput()) {
                    return null;
                }
                ask = prepareReadWait(deadline, "receive");
            }
            parkReader(ask, deadline);
        }
    }

    /** Bytes (byte mode) or messages queued that a read takes without parking. */
    public synchronized int available(boolean bytes) {
        if (userClosed || moved || inputClosed) {
            return 0;
        }
        if (!bytes) {
            return inbound.size();
        }
        long n = 0;
        for (Object o : inbound) {
            n += ((ByteBuf) o).readableBytes();
        }
        return (int) Math.min(Integer.MAX_VALUE, n);
    }

    /** Nothing queued: end of input (returns true), failure (throws), or wait (returns false). */
    private boolean endOfInput() throws IOException {
        if (failure != null) {
            throw failureException("connection failed");
        }
        return inputShut || inactive;
    }

    /** Holds the lock; registers the caller as the reader. Returns whether to ask for a read. */
    private boolean prepareReadWait(long deadline, String op) throws IOException {
        Thread me = Thread.currentThread();
        if (me.isInterrupted()) {
            throw new InterruptedIOException(op + " interrupted (nothing was lost: buffered data stays readable)");
        }
        if (deadline != NO_DEADLINE && deadline - Parking.nanoTime() <= 0) {
            throw new SocketTimeoutException(op + " timed out");
        }
        if (readWaiter != null && readWaiter != me) {
            throw new IllegalStateException("another task (" + readWaiter.getName() + ") is already reading this socket");
        }
        readWaiter = me;
        if (readPending) {
            return false;
        }
        readPending = true;
        return true;
    }

    private void parkReader(boolean ask, long deadline) {
        counters.readsParked.increment();
        if (ask) {
            try {
                EventLoop loop = ch.eventLoop();
                if (RuntimeAccess.enterLoop(loop)) {
                    try {
                        readTask.run();   // this task is on the channel's carrier: ask now
                    } finally {
                        RuntimeAccess.exitLoop(loop);
                    }
                } else {
                    loop.execute(readTask);
                }
            } catch (RejectedExecutionException e) {
                // The loop is gone (runtime closed): the channel is closed too; channelInactive may
                // never run, so settle here, and do not park: nothing would wake this reader.
                synchronized (this) {
                    inactive = true;
                    readPending = false;
                    if (readWaiter == Thread.currentThread()) {
                        readWaiter = null;
                    }
                }
                return;
            }
        }
        park(deadline);
        synchronized (this) {
            if (readWaiter == Thread.currentThread()) {
                readWaiter = null;
            }
        }
    }

    private void park(long deadline) {
        if (deadline == NO_DEADLINE) {
            Parking.park(this);
        } else {
            Waits.parkNanos(this, deadline - Parking.nanoTime());
        }
    }

    // ------------------------------------------------------------------ task side: writing

    /** Writes {@code len} bytes, in chunks, parking while the channel is not writable. */
    public void writeBytes(byte[] src, int off, int len) throws IOException {
        writeChunks(src, off, len, null);
    }

    /** Writes the remaining bytes of {@code src}, in chunks, parking while not writable. */
    public void writeBytes(ByteBuffer src) throws IOException {
        writeChunks(null, 0, src.remaining(), src);
    }

    /**
     * The task in {@link #writeChunks} now, or null: a write of another task that starts meanwhile
     * is refused before it sends a byte (two writes' chunks would interleave on the wire).
     */
    @SuppressWarnings("unused") // through WRITER
    private volatile Thread writer;
    private static final java.lang.invoke.VarHandle WRITER;

    static {
        try {
            WRITER = java.lang.invoke.MethodHandles.lookup().findVarHandle(Conduit.class, "writer", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The write loop of both sources, as {@link #readInto} for reads. */
    private void writeChunks(byte[] array, int off, int len, ByteBuffer buffer) throws IOException {
        Thread me = Thread.currentThread();
        Thread other = (Thread) WRITER.compareAndExchange(this, null, me);
        if (other != null) {
            throw new IllegalStateException("another task (" + (other.getName().isEmpty() ? "#" + other.threadId()
                    : other.getName()) + ") is already writing this socket");
        }
        try {
            writeChunksAlone(array, off, len, buffer);
        } finally {
            WRITER.setRelease(this, null);
        }
    }

    private void writeChunksAlone(byte[] array, int off, int len, ByteBuffer buffer) throws IOException {
        long deadline = deadline(writeTimeoutNanos);
        int done = 0;
        while (done < len) {
            try {
                awaitWritable(deadline);
            } catch (InterruptedIOException e) {
                e.bytesTransferred = done;
                throw e;
            }
            int n = Math.min(WRITE_CHUNK, len - done);
            ByteBuf b = ch.alloc().ioBuffer(n);
            if (buffer == null) {
                b.writeBytes(array, off + done, n);
            } else {
                int limit = buffer.limit();
                buffer.limit(buffer.position() + n);
                b.writeBytes(buffer);
                buffer.limit(limit);
            }
            send(b, true);
            counters.bytesWritten.add(n);
            done += n;
        }
    }

    /** Writes one message (ownership passes: released if it cannot be written). */
    public void writeMessage(Object msg, boolean flush) throws IOException {
        try {
            awaitWritable(deadline(writeTimeoutNanos));
        } catch (IOException | RuntimeException e) {
            ReferenceCountUtil.release(msg);
            throw e;
        }
        send(msg, flush);
    }

    /**
     * Hands {@code msg} to the channel: in place when this task runs on the channel's carrier
     * (the write reaches the transport now, not in the loop's next pass), else queued for the
     * loop by Netty. Failures reach the pipeline (the void promise), as in both cases before.
     *
     * <p>A task on the channel's carrier is not let in while another task is the loop's guest
     * and parked inside it; its write is then queued. Until the loop has run that write, every
     * later write of this conduit is queued behind it too: once the guest left, the same task
     * would otherwise write in place and overtake its own earlier bytes on the wire.
     */
    private void send(Object msg, boolean flush) {
        EventLoop loop = ch.eventLoop();
        boolean guest = queuedOnOwnCarrier.get() == 0 && RuntimeAccess.enterLoop(loop);
        boolean queuedHere = !guest && RuntimeAccess.currentEventLoop(runtime) == loop;
        if (queuedHere) {
            queuedOnOwnCarrier.incrementAndGet();
        }
        try {
            if (flush) {
                ch.writeAndFlush(msg, ch.voidPromise());
            } else {
                ch.write(msg, ch.voidPromise());
            }
        } finally {
            if (guest) {
                RuntimeAccess.exitLoop(loop);
            }
            if (queuedHere) {
                try {
                    loop.execute(queuedOnOwnCarrier::decrementAndGet); // runs after the write: the loop's queue is FIFO
                } catch (RejectedExecutionException stopped) {
                    queuedOnOwnCarrier.decrementAndGet(); // the loop runs nothing more; the write failed with it
                }
            }
        }
    }

    /**
     * Writes of this conduit that a task on the channel's carrier queued for the loop and the
     * loop has not run yet (see {@link #send}).
     */
    private final java.util.concurrent.atomic.AtomicInteger queuedOnOwnCarrier = new java.util.concurrent.atomic.AtomicInteger();

    private void awaitWritable(long deadline) throws IOException {
        for (;;) {
            synchronized (this) {
                checkUsable();
                if (outputShut) {
                    throw new SocketException("output shut down");
                }
                if (inactive || failure != null) {
                    throw failure != null ? failureException("connection failed")
                            : new SocketException("connection closed");
                }
                if (ch.isWritable()) {
                    return;
                }
                Thread me = Thread.currentThread();
                if (me.isInterrupted()) {
                    throw new InterruptedIOException("write interrupted");
                }
                if (deadline != NO_DEADLINE && deadline - Parking.nanoTime() <= 0) {
                    throw new SocketTimeoutException("write timed out (the peer does not read)");
                }
                if (writeWaiter != null && writeWaiter != me) {
                    throw new IllegalStateException("another task (" + writeWaiter.getName() + ") is already writing this socket");
                }
                writeWaiter = me;
            }
            counters.writesParked.increment();
            park(deadline);
            synchronized (this) {
                if (writeWaiter == Thread.currentThread()) {
                    writeWaiter = null;
                }
            }
        }
    }

    /** Flushes and parks until everything written so far has been handed to the OS. */
    public void drain() throws IOException {
        synchronized (this) {
            checkUsable();
            if (outputShut) {
                return;
            }
        }
        ChannelFuture f = ch.writeAndFlush(Unpooled.EMPTY_BUFFER);
        awaitOutput(f, deadline(writeTimeoutNanos), "flush");
    }

    /**
     * {@link Futures#await} for {@link #drain} and {@link #shutdownOutput}, also woken by
     * {@link #close}: a peer that does not read would otherwise hold the caller for the whole
     * close linger, although the stream was closed under it.
     *
     * @throws SocketException "socket closed" if closed before {@code f} completed (it goes on)
     */
    private void awaitOutput(ChannelFuture f, long deadline, String what) throws IOException {
        if (f.isDone()) {
            Futures.checkSuccess(f, what);
            return;
        }
        Thread me = Thread.currentThread();
        synchronized (this) {
            outputWaiters.add(me);
        }
        boolean done;
        try {
            done = Futures.awaitDone(f, deadline, what, this::isClosed);
        } finally {
            synchronized (this) {
                outputWaiters.remove(me);
            }
        }
        if (!done) {
            throw new SocketException("socket closed");
        }
        Futures.checkSuccess(f, what);
    }

    /** Flushes what was written without waiting. */
    public void flushAsync() {
        ch.flush();
    }

    /** Bytes written and not yet handed to the OS (including writes still on their way to the loop). */
    public long pendingWriteBytes() {
        ChannelOutboundBuffer buf = ch.unsafe().outboundBuffer();
        return buf == null ? 0 : buf.totalPendingWriteBytes();
    }

    /**
     * Half-close: flushes what was written, then shuts the output down; parks until done. The
     * shutdown is chained to the flush rather than issued after the wait, so a caller woken early
     * (interrupt, write timeout) leaves it going on: the peer still reads the pending bytes and
     * then end of stream, as later calls (which return at once) claim.
     */
    public void shutdownOutput() throws IOException {
        if (!(ch instanceof DuplexChannel duplex)) {
            throw new UnsupportedOperationException("half-close needs a duplex channel, not " + ch.getClass().getSimpleName());
        }
        synchronized (this) {
            checkUsable();
            if (outputShut) {
                return;
            }
            outputShut = true;
        }
        long deadline = deadline(writeTimeoutNanos);
        ChannelPromise shut = ch.newPromise();
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(flushed -> {
            if (flushed.isSuccess()) {
                duplex.shutdownOutput(shut);
            } else {
                // Report the flush's failure (the cause the caller can act on), but still stop
                // the output if the channel survived it.
                shut.tryFailure(flushed.cause());
                if (duplex.isActive()) {
                    duplex.shutdownOutput();
                }
            }
        });
        awaitOutput(shut, deadline, "shutdownOutput");
    }

    /**
     * Stops reading for good (the read half was closed): drops buffered input, wakes a parked
     * reader (it throws "read half closed") and asks the channel for nothing more, so the peer's
     * further bytes stay in the kernel (its writes eventually park). Never parks. Idempotent.
     */
    public void closeInput() {
        Thread r;
        Object[] dropped;
        synchronized (this) {
            if (inputClosed || userClosed) {
                return;
            }
            inputClosed = true;
            dropped = takeInbound();
            r = takeReader();
        }
        releaseAll(dropped);
        wake(r);
    }

    /**
     * Half-close without waiting (the write half was closed): flushes what was written, then
     * shuts the output down; a parked writer wakes and throws "output shut down". Never parks.
     * Idempotent; does nothing once closed.
     */
    public void shutdownOutputAsync() {
        Thread w;
        synchronized (this) {
            if (outputShut || userClosed || moved) {
                return;
            }
            outputShut = true;
            w = takeWriter();
        }
        wake(w);
        if (ch instanceof DuplexChannel duplex && ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> {
                if (duplex.isActive()) {
                    duplex.shutdownOutput();
                }
            });
        }
    }

    // ------------------------------------------------------------------ lifecycle

    private void checkReadable() throws SocketException {
        checkUsable();
        if (inputClosed) {
            throw new SocketException("read half closed");
        }
    }

    private void checkUsable() throws SocketException {
        if (userClosed) {
            throw new SocketException("socket closed");
        }
        if (moved) {
            throw new SocketException("socket was turned into a message stream");
        }
    }

    private IOException failureException(String what) {
        Throwable f = failure;
        String msg = Sockets.describe(f);
        if (f instanceof IOException) {
            SocketException e = new SocketException(msg);
            e.initCause(f);
            return e;
        }
        return new IOException(what + ": " + msg, f);
    }

    private static final Object[] NONE = {};

    /** Empties {@link #inbound} (holds the lock); release what it returns after the lock (see the class comment). */
    private Object[] takeInbound() {
        if (inbound.isEmpty()) {
            return NONE;
        }
        Object[] all = inbound.toArray();
        inbound.clear();
        return all;
    }

    private static void releaseAll(Object[] messages) {
        for (Object m : messages) {
            ReferenceCountUtil.release(m);
        }
    }

    public synchronized boolean isClosed() {
        return userClosed;
    }

    /**
     * Closes: drops buffered input, wakes waiting tasks (they throw "socket closed"), flushes what
     * was written, then closes the channel; if the peer does not take the pending bytes within the
     * linger time, the channel is closed anyway. Never parks. Idempotent.
     */
    public void close() {
        Thread r;
        Thread w;
        Thread[] flushers;
        Object[] dropped;
        boolean wasMoved;
        synchronized (this) {
            if (userClosed) {
                return;
            }
            userClosed = true;
            // Read with the flag set: a move not yet done now sees userClosed and gives up
            // (moveTo), so exactly one of the two owns the channel.
            wasMoved = moved;
            dropped = takeInbound();
            r = takeReader();
            w = takeWriter();
            flushers = outputWaiters.toArray(new Thread[0]);
        }
        releaseAll(dropped);
        wake(r);
        wake(w);
        for (Thread t : flushers) {
            wake(t);
        }
        if (wasMoved) {
            return;   // the channel belongs to the message stream now
        }
        if (!ch.isActive()) {
            ch.close();
            return;
        }
        try {
            long now = RuntimeAccess.nanoTime(runtime);
            long linger = lingerNanos;
            // A linger so long that its end overflows the clock (~292 years) has no end: no timer
            // (an overflowed deadline would lie in the past and close at once, dropping the bytes).
            if (now + linger >= now) {
                TimerHandle force = RuntimeAccess.schedule(runtime, now + linger, ch::close);
                ch.closeFuture().addListener(f -> force.cancel());
            }
        } catch (RejectedExecutionException e) {
            ch.close();
            return;
        }
        ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> ch.close());
    }

    /**
     * Replaces this conduit by the handlers {@code codec} adds followed by a new conduit, on the
     * channel's loop; bytes already buffered here are fed through the new handlers, end of input
     * too, so nothing is lost. Parks until done. This conduit is unusable afterwards; if
     * {@code codec} throws, the channel is closed (and this conduit with it).
     */
    public Conduit moveTo(Consumer<ChannelPipeline> codec) throws IOException {
        synchronized (this) {
            checkUsable();
            if (readWaiter != null || writeWaiter != null) {
                throw new IllegalStateException("a task is reading or writing this socket");
            }
        }
        Conduit next = new Conduit(runtime, ch, counters);
        next.readTimeoutNanos = readTimeoutNanos;
        next.writeTimeoutNanos = writeTimeoutNanos;
        next.lingerNanos = lingerNanos;
        var f = ch.eventLoop().submit(() -> {
            ArrayDeque<Object> carried;
            boolean pending;
            boolean eof;
            boolean dead;
            Thread r;
            Thread w;
            synchronized (this) {
                if (userClosed) {
                    return false;   // closed after the check above: close() closes the channel
                }
                moved = true;
                // A read or write begun after the check above parked here; what it waits for now
                // reaches the next conduit, so it is woken to fail as any later call does.
                r = takeReader();
                w = takeWriter();
                carried = new ArrayDeque<>(inbound);
                inbound.clear();
                pending = readPending;
                eof = inputShut;
                dead = inactive;
                next.outputShut = outputShut;
                next.failure = failure;
                next.inputClosed = inputClosed;
                next.countedOpen = countedOpen;
                countedOpen = false;
            }
            wake(r);
            wake(w);
            ChannelPipeline p = ch.pipeline();
            p.remove(this);
            // Where this conduit counted bytes, in front of the codec (see MessageByteCounter).
            p.addLast(MessageByteCounter.NAME, new MessageByteCounter(counters));
            try {
                codec.accept(p);
            } catch (RuntimeException e) {
                carried.forEach(ReferenceCountUtil::release);
                // This conduit left the pipeline and the next never joins it: nobody would read,
                // close or count the channel any more, so it is closed here, and this stream with it.
                synchronized (this) {
                    userClosed = true;
                }
                if (next.countedOpen) {
                    next.countedOpen = false;
                    counters.open.decrement();
                }
                ch.close();
                throw e;
            }
            synchronized (next) {
                next.readPending = pending;
                next.inactive = dead;
            }
            p.addLast(NAME, next);
            for (Object m : carried) {
                p.fireChannelRead(m);
            }
            if (!carried.isEmpty()) {
                p.fireChannelReadComplete();
                synchronized (next) {
                    next.readPending = pending;
                }
            }
            if (pending && !eof && !dead) {
                // The pending read may be a request of this conduit still queued on the loop,
                // which now sees 'moved' and skips it: ask again, or the next conduit would wait
                // for a read nobody asked for (a second request for a read in flight is harmless).
                ch.read();
            }
            if (eof) {
                p.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            }
            return true;
        });
        Futures.await(f, NO_DEADLINE, "messages");
        if (!f.getNow()) {
            throw new SocketException("socket closed");
        }
        successor = next;
        return next;
    }

    /** The conduit {@link #moveTo} handed the channel to, or null. */
    private volatile Conduit successor;

    /**
     * Closes the connection whoever holds it now: this conduit, or the one it was moved to (a
     * message stream), with that conduit's {@link #close()} semantics. Never parks.
     */
    public void closeConnection() {
        Conduit c = this;
        for (Conduit next; (next = c.successor) != null; ) {
            c = next;
        }
        close();
        if (c != this) {
            c.close();
        }
    }
}
