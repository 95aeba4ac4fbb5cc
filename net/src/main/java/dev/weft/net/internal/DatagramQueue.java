package dev.weft.net.internal;

import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.NettyTransport;
import dev.weft.core.spi.Parking;
import dev.weft.core.spi.RuntimeAccess;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The datagram channel's handler and the parking logic of {@code UdpSocket}.
 *
 * <h2>Implementation overview</h2>
 * Unlike a byte stream, a datagram socket reads all the time ({@code AUTO_READ} on): a datagram
 * left in the kernel is no better than one dropped, and the kernel drops silently. Each datagram
 * is copied out of Netty's buffer at once (users never see reference counts) into a bounded
 * queue; when the queue is full the new datagram is dropped and counted (drop-newest: what was
 * queued stays in order). Receivers park until the queue is non-empty; every arrival wakes all
 * of them (there is usually one), each re-checks. Sends wait for the write's future, so errors
 * (unreachable, message too long) reach the sender. State is guarded by {@code this}, never held
 * across a park or a Netty call.
 */
public final class DatagramQueue extends ChannelInboundHandlerAdapter {
    /** One received datagram: its bytes and who sent it. */
    public record Received(byte[] data, InetSocketAddress sender) {}

    private final WeftRuntime runtime;
    private final DatagramChannel ch;
    private final int capacity;
    private final int maxDatagramSize;
    private final NetCounters counters;
    private final ArrayDeque<Received> queue = new ArrayDeque<>();
    private final List<Thread> waiters = new ArrayList<>(1);
    private long dropped;
    private boolean closed;
    private boolean inactive;
    /** A connect was started (and did not fail): Netty's NIO channel closes itself when a second one fails. */
    private boolean connecting;
    private Throwable failure;
    private volatile long receiveTimeoutNanos;

    private DatagramQueue(WeftRuntime runtime, DatagramChannel ch, int capacity, int maxDatagramSize) {
        this.runtime = runtime;
        this.ch = ch;
        this.capacity = capacity;
        this.maxDatagramSize = maxDatagramSize;
        this.counters = NetCounters.of(runtime);
    }

    /** Opens a datagram channel of the runtime's transport bound to {@code address}; parks until bound. */
    public static DatagramQueue bind(WeftRuntime rt, InetSocketAddress address, int capacity, int maxDatagramSize,
                                     boolean reuseAddress) throws IOException {
        NettyTransport t = RuntimeAccess.transport(rt);
        DatagramChannel ch = Sockets.newChannel(t.datagramChannel());
        DatagramQueue q = new DatagramQueue(rt, ch, capacity, maxDatagramSize);
        try {
            ch.config().setOption(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(maxDatagramSize));
            ch.config().setOption(ChannelOption.SO_REUSEADDR, reuseAddress);
            ch.pipeline().addLast("weft-datagrams", q);
        } catch (RuntimeException e) {
            ch.close();
            throw e;
        }
        Sockets.bindChannel(rt, ch, address, address.toString());
        return q;
    }

    public DatagramChannel channel() {
        return ch;
    }

    public WeftRuntime runtime() {
        return runtime;
    }

    public int capacity() {
        return capacity;
    }

    public void receiveTimeoutNanos(long nanos) {
        receiveTimeoutNanos = nanos;
    }

    public long receiveTimeoutNanos() {
        return receiveTimeoutNanos;
    }

    // ------------------------------------------------------------------ loop side

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Received r;
        try {
            if (msg instanceof DatagramPacket p) {
                InetSocketAddress peer = (InetSocketAddress) ch.remoteAddress();
                if (peer != null && p.sender() != null && !peer.equals(p.sender())) {
                    // Read after the connect but received before it: Linux does not purge the
                    // receive buffer on connect. Only the peer's datagrams are received now.
                    return;
                }
                r = new Received(bytes(p.content()), p.sender());
            } else if (msg instanceof ByteBuf b) {
                r = new Received(bytes(b), (InetSocketAddress) ch.remoteAddress());
            } else {
                return;
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
        offer(r);
    }

    /** Queues a received datagram, or drops and counts it when the queue is full. */
    private void offer(Received r) {
        List<Thread> wake;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (queue.size() >= capacity) {
                dropped++;
                counters.datagramsDropped.increment();
                return;
            }
            queue.add(r);
            counters.datagramsReceived.increment();
            wake = takeWaiters();
        }
        wake.forEach(Parking::unpark);
    }

    private static byte[] bytes(ByteBuf b) {
        byte[] a = new byte[b.readableBytes()];
        b.getBytes(b.readerIndex(), a);
        return a;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        List<Thread> wake;
        synchronized (this) {
            inactive = true;
            wake = takeWaiters();
        }
        wake.forEach(Parking::unpark);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // E.g. ICMP port unreachable on a connected socket: reported once by the next receive.
        List<Thread> wake;
        synchronized (this) {
            failure = cause;
            wake = takeWaiters();
        }
        wake.forEach(Parking::unpark);
    }

    private List<Thread> takeWaiters() {
        if (waiters.isEmpty()) {
            return List.of();
        }
        List<Thread> w = new ArrayList<>(waiters);
        waiters.clear();
        return w;
    }

    // ------------------------------------------------------------------ task side

    /** Takes the next datagram; parks until there is one. */
    public Received receive(long deadline) throws IOException {
        Thread me = Thread.currentThread();
        boolean parked = false;
        try {
            for (;;) {
                synchronized (this) {
                    if (closed) {
                        throw new SocketException("socket closed");
                    }
                    Received r = queue.poll();
                    if (r != null) {
                        counters.bytesRead.add(r.data().length);
                        return r;
                    }
                    if (failure != null) {
                        Throwable f = failure;
                        failure = null;
                        if (f instanceof IOException io) {
                            SocketException e = new SocketException(Sockets.describe(io));
                            e.initCause(io);
                            throw e;
                        }
                        throw new IOException("receive failed: " + f, f);
                    }
                    if (inactive) {
                        throw new SocketException("socket closed");
                    }
                    if (me.isInterrupted()) {
                        throw new InterruptedIOException("receive interrupted");
                    }
                    if (deadline != Conduit.NO_DEADLINE && deadline - Parking.nanoTime() <= 0) {
                        throw new SocketTimeoutException("receive timed out");
                    }
                    if (!waiters.contains(me)) {
                        waiters.add(me);
                    }
                }
                if (!parked) {
                    parked = true;
                    counters.readsParked.increment();
                }
                if (deadline == Conduit.NO_DEADLINE) {
                    Parking.park(this);
                } else {
                    Waits.parkNanos(this, deadline - Parking.nanoTime());
                }
            }
        } finally {
            synchronized (this) {
                waiters.remove(me);
            }
        }
    }

    /** Sends one datagram ({@code to} null: to the connected peer); parks until it was handed to the OS. */
    public void send(ByteBuf data, InetSocketAddress to) throws IOException {
        boolean refused;
        synchronized (this) {
            refused = closed;
        }
        if (refused) {
            data.release();   // after the lock, as Conduit releases: a release can park the task
            throw new SocketException("socket closed");
        }
        int n = data.readableBytes();
        if (n == 0 && !ch.getClass().getName().startsWith("io.netty.channel.uring.")) {
            // Netty's epoll, kqueue and NIO datagram channels complete the write of an empty
            // datagram without sending it: fail rather than report a send that did not happen.
            data.release();
            throw new SocketException("cannot send a zero-length datagram on the " + runtime.transport()
                    + " transport: its Netty channel drops it unsent (only IO_URING sends it)");
        }
        ChannelFuture f = ch.writeAndFlush(to == null ? data : new DatagramPacket(data, to));
        Futures.await(f, Conduit.NO_DEADLINE, to == null ? "send" : "send to " + to);
        counters.datagramsSent.increment();
        counters.bytesWritten.add(n);
    }

    /** Connects to {@code peer} (only its datagrams are received from then on); parks until done. */
    public void connect(InetSocketAddress peer) throws IOException {
        if (peer.isUnresolved()) {
            // Refused here: a failed connect closes Netty's NIO datagram channel.
            throw new java.net.UnknownHostException("unresolved address " + peer + ": resolve it first");
        }
        synchronized (this) {
            if (connecting) {
                throw new SocketException("already connected (to " + ch.remoteAddress() + "): cannot connect to " + peer);
            }
            connecting = true;
        }
        ChannelPromise f = ch.newPromise();
        if (ch.getClass().getName().startsWith("io.netty.channel.epoll.")) {
            // On the loop as the connect completes, before the channel reads again.
            f.addListener(done -> {
                if (done.isSuccess()) {
                    EpollBacklog.sort(this, peer);
                }
            });
        }
        ch.connect(peer, f);
        try {
            Futures.await(f, Conduit.NO_DEADLINE, "connect to " + peer);
        } catch (IOException e) {
            if (f.isDone() && !f.isSuccess()) {
                synchronized (this) {
                    connecting = false;
                }
            }
            throw e;
        }
        // Datagrams from others queued before the connect are dropped: after connect() only the peer's arrive.
        synchronized (this) {
            queue.removeIf(r -> !peer.equals(r.sender()));
        }
    }

    public synchronized int queued() {
        return queue.size();
    }

    public synchronized long dropped() {
        return dropped;
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** Closes: drops the queue, wakes receivers ("socket closed"), closes the channel. Never parks. */
    public void close() {
        List<Thread> wake;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            queue.clear();
            wake = takeWaiters();
        }
        wake.forEach(Parking::unpark);
        try {
            ch.close();
        } catch (java.util.concurrent.RejectedExecutionException e) {
            ch.unsafe().closeForcibly();
        }
    }

    /**
     * Datagrams still in the kernel's receive buffer when an epoll channel connects: Linux keeps
     * them, and Netty's epoll channel reads a connected socket without source addresses, so they
     * would all be received as the peer's. Read here, on the loop as the connect completes, with
     * their senders: the peer's are queued, the others dropped. Touched only for epoll channels
     * (the native classes are then present).
     */
    private static final class EpollBacklog {
        static void sort(DatagramQueue q, InetSocketAddress peer) {
            if (!(q.ch instanceof io.netty.channel.unix.UnixChannel u
                    && u.fd() instanceof io.netty.channel.unix.Socket socket)) {
                return;
            }
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocateDirect(q.maxDatagramSize);
            for (;;) {
                io.netty.channel.unix.DatagramSocketAddress from;
                try {
                    from = socket.recvFrom(buf, 0, buf.capacity());
                } catch (IOException e) {
                    return;   // an error (none is expected: Linux reports ICMP errors to connected sockets only)
                }
                if (from == null) {
                    return;   // nothing more queued
                }
                if (peer.equals(from)) {
                    byte[] data = new byte[Math.min(from.receivedAmount(), buf.capacity())];
                    buf.get(0, data);
                    q.offer(new Received(data, peer));
                }
            }
        }
    }
}
