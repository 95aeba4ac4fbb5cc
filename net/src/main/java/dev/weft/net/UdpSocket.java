package dev.weft.net;

import dev.weft.core.WeftRuntime;
import dev.weft.net.internal.Conduit;
import dev.weft.net.internal.DatagramQueue;
import io.netty.buffer.ByteBuf;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Objects;

/**
 * A UDP socket used in blocking style by tasks: {@link #receive()} parks the calling task until a
 * datagram arrives. Tokio's {@code UdpSocket}, on the runtime's transport (io_uring, epoll,
 * kqueue or NIO datagram channels).
 *
 * {@snippet :
 * try (UdpSocket server = UdpSocket.bind(rt, new InetSocketAddress("127.0.0.1", 0));
 *      UdpSocket client = UdpSocket.bind(rt, new InetSocketAddress("127.0.0.1", 0))) {
 *     rt.spawn(() -> {
 *         for (;;) {
 *             Datagram d = server.receive();
 *             server.send(d.data(), d.sender());              // echo
 *         }
 *     });
 *     String reply = rt.run(() -> {
 *         client.connect(server.localAddress());             // now only the server's datagrams arrive
 *         client.send("ping".getBytes());
 *         return new String(client.receive().data());
 *     });
 * }
 * }
 *
 * <h2>The inbound queue and its overflow policy</h2>
 * The socket reads datagrams as they arrive (whether or not a task is receiving) into a bounded
 * queue of {@link Builder#receiveQueueCapacity} datagrams (default 1024). When the queue is full,
 * a new datagram is <b>dropped</b> (drop-newest: those queued stay, in order) and counted in
 * {@link #droppedDatagrams()}. UDP gives no delivery guarantee anyway; this keeps memory bounded
 * when receivers fall behind. Datagrams longer than {@link Builder#maxDatagramSize} (default
 * 65,507 bytes, the largest IPv4 UDP payload) are truncated by the operating system.
 *
 * <h2>Zero-length datagrams</h2>
 * Only the {@code IO_URING} transport sends them: on the others Netty's channel would drop one
 * unsent while reporting success, so {@code send} of an empty datagram throws
 * {@link SocketException} there. They are received (as an empty {@link Datagram}) on every
 * transport, except by a {@linkplain #connect connected} socket on {@code EPOLL}, whose Netty
 * channel reads them as "nothing read" and drops them.
 *
 * <h2>Cancellation, timeouts, closing</h2>
 * A task interrupted (cancelled) while parked in {@code receive} wakes at once with
 * {@link InterruptedIOException}, interrupt status left set, and nothing queued is lost.
 * {@link #setReceiveTimeout} bounds each receive ({@link SocketTimeoutException}, nothing lost).
 * {@link #close()} wakes parked receivers with {@link SocketException} ("socket closed") and
 * drops what is queued.
 *
 * <p>Thread-safe: any number of tasks may send and receive at once (each datagram goes to one
 * receiver). Actions of a sender before {@code send} happen-before the receiver that gets the
 * datagram (in this process) returns it.
 */
public final class UdpSocket implements AutoCloseable {
    private final DatagramQueue queue;

    private UdpSocket(DatagramQueue queue) {
        this.queue = queue;
    }

    /**
     * Binds a UDP socket to {@code address} (port 0: a free port, see {@link #localAddress()}) with
     * the default options. Parks until bound.
     *
     * @throws BindException          if the address cannot be bound (in use, not local); the message names it
     * @throws InterruptedIOException if interrupted while parked (the socket is closed)
     * @throws NullPointerException   if an argument is null
     */
    public static UdpSocket bind(WeftRuntime rt, InetSocketAddress address) throws IOException {
        return builder(rt).bind(address);
    }

    /**
     * Binds from inside a task of the current runtime; see {@link #bind(WeftRuntime, InetSocketAddress)}.
     *
     * @throws IllegalStateException if the caller is not inside a Weft runtime
     */
    public static UdpSocket bind(InetSocketAddress address) throws IOException {
        return bind(WeftRuntime.current(), address);
    }

    /** A builder for a socket with options (queue capacity, datagram size, reuse-address). */
    public static Builder builder(WeftRuntime rt) {
        return new Builder(Objects.requireNonNull(rt, "rt"));
    }

    /**
     * Sends {@code data[off..off+len)} as one datagram to {@code to}. Parks until the datagram was
     * handed to the operating system (UDP: not that it arrived).
     *
     * @throws SocketException        if the socket is closed, or the send failed (e.g. message too long, network
     *                                unreachable), or {@code len} is 0 on a transport that cannot send an empty
     *                                datagram (see the class description; nothing was sent)
     * @throws IllegalStateException  if the socket is {@linkplain #connect connected} to another address
     * @throws InterruptedIOException if interrupted while parked (the datagram may still be sent)
     * @throws IndexOutOfBoundsException if {@code off}/{@code len} do not fit {@code data}
     * @throws NullPointerException   if an argument is null
     */
    public void send(byte[] data, int off, int len, InetSocketAddress to) throws IOException {
        Objects.checkFromIndexSize(off, len, data.length);
        Objects.requireNonNull(to, "to");
        InetSocketAddress peer = peerAddress();
        if (peer != null && !peer.equals(to)) {
            throw new IllegalStateException("connected to " + peer + ": cannot send to " + to);
        }
        queue.send(copy(data, off, len), peer != null ? null : to);
    }

    /** Sends all of {@code data} to {@code to}; see {@link #send(byte[], int, int, InetSocketAddress)}. */
    public void send(byte[] data, InetSocketAddress to) throws IOException {
        send(data, 0, data.length, to);
    }

    /**
     * Sends all of {@code data} to the peer this socket is {@linkplain #connect connected} to;
     * see {@link #send(byte[], int, int, InetSocketAddress)}.
     *
     * @throws IllegalStateException if not connected
     * @throws SocketException       if closed or the send failed (on a connected socket, a peer
     *                               port nobody listens on may be reported here or by the next receive)
     */
    public void send(byte[] data) throws IOException {
        if (peerAddress() == null) {
            throw new IllegalStateException("not connected: use send(data, to)");
        }
        queue.send(copy(data, 0, data.length), null);
    }

    private ByteBuf copy(byte[] data, int off, int len) {
        ByteBuf b = queue.channel().alloc().ioBuffer(len);
        b.writeBytes(data, off, len);
        return b;
    }

    /**
     * Returns the next datagram, parking until one arrives (at most the receive timeout, if set).
     *
     * @return the datagram and its sender
     * @throws InterruptedIOException if interrupted while parked; nothing is lost
     * @throws SocketTimeoutException if the receive timeout passed first; nothing is lost
     * @throws SocketException        if the socket is (or gets) closed; or, once, the operating
     *                                system reported an error for this socket (e.g. on a connected
     *                                socket, {@link java.net.PortUnreachableException} as the cause
     *                                when the peer's port is closed)
     */
    public Datagram receive() throws IOException {
        DatagramQueue.Received r = queue.receive(Conduit.deadline(queue.receiveTimeoutNanos()));
        return new Datagram(r.data(), r.sender());
    }

    /**
     * Connects to {@code peer}: from then on only {@code peer}'s datagrams are received (those from
     * others already queued are dropped) and {@link #send(byte[])} sends to it. Parks until done.
     * Once connected, a socket cannot connect elsewhere.
     *
     * @throws SocketException        if closed, or the connect failed (e.g. already connected); the
     *                                socket stays as it was
     * @throws java.net.UnknownHostException if {@code peer} is unresolved (resolve it first)
     * @throws InterruptedIOException if interrupted while parked
     */
    public void connect(InetSocketAddress peer) throws IOException {
        Objects.requireNonNull(peer, "peer");
        if (isClosed()) {
            throw new SocketException("socket closed");
        }
        queue.connect(peer);
    }

    /**
     * Sets the longest a {@link #receive()} may park; {@code null} for no limit (the default).
     *
     * @throws IllegalArgumentException if not positive
     */
    public void setReceiveTimeout(Duration timeout) {
        queue.receiveTimeoutNanos(timeout == null ? 0 : NetStream.positiveNanos("receiveTimeout", timeout));
    }

    /** The receive timeout, or {@code null} when none. */
    public Duration receiveTimeout() {
        long n = queue.receiveTimeoutNanos();
        return n == 0 ? null : Duration.ofNanos(n);
    }

    /** Datagrams dropped because the inbound queue was full (see the class comment). Never parks. */
    public long droppedDatagrams() {
        return queue.dropped();
    }

    /** Datagrams queued that {@link #receive()} returns without parking. Never parks. */
    public int available() {
        return queue.queued();
    }

    /** The bound address (with the real port when bound to port 0). */
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) queue.channel().localAddress();
    }

    /** The connected peer, or {@code null} when not connected. */
    public InetSocketAddress peerAddress() {
        return (InetSocketAddress) queue.channel().remoteAddress();
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return queue.isClosed();
    }

    /** The runtime whose carrier drives this socket. */
    public WeftRuntime runtime() {
        return queue.runtime();
    }

    /**
     * Closes the socket: tasks parked in {@link #receive()} wake with {@link SocketException}
     * ("socket closed"), queued datagrams are dropped, the port is released. Never parks. Idempotent.
     */
    @Override
    public void close() {
        queue.close();
    }

    @Override
    public String toString() {
        InetSocketAddress peer = peerAddress();
        return "UdpSocket[" + localAddress() + (peer != null ? " -> " + peer : "") + (isClosed() ? ", closed" : "") + "]";
    }

    /** Options of a {@link UdpSocket}. Not thread-safe; reusable. */
    public static final class Builder {
        private final WeftRuntime rt;
        private int capacity = 1024;
        private int maxDatagramSize = 65_507;
        private boolean reuseAddress;

        private Builder(WeftRuntime rt) {
            this.rt = rt;
        }

        /**
         * The most datagrams queued for receivers (default 1024); when full, new ones are dropped
         * and counted.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder receiveQueueCapacity(int datagrams) {
            if (datagrams <= 0) {
                throw new IllegalArgumentException("receiveQueueCapacity must be > 0, was " + datagrams);
            }
            this.capacity = datagrams;
            return this;
        }

        /**
         * The largest datagram received whole (default 65,507 bytes); longer ones are truncated.
         *
         * @throws IllegalArgumentException if not in [1, 65535]
         */
        public Builder maxDatagramSize(int bytes) {
            if (bytes <= 0 || bytes > 65_535) {
                throw new IllegalArgumentException("maxDatagramSize must be in [1, 65535], was " + bytes);
            }
            this.maxDatagramSize = bytes;
            return this;
        }

        /** {@code SO_REUSEADDR} (default off: binding a port in use fails). */
        public Builder reuseAddress(boolean on) {
            this.reuseAddress = on;
            return this;
        }

        /**
         * Binds the socket; see {@link UdpSocket#bind(WeftRuntime, InetSocketAddress)}.
         *
         * @throws BindException if the address cannot be bound; the message names it
         */
        public UdpSocket bind(InetSocketAddress address) throws IOException {
            Objects.requireNonNull(address, "address");
            if (address.isUnresolved()) {
                throw new java.net.UnknownHostException("unresolved address " + address + ": resolve it first");
            }
            return new UdpSocket(DatagramQueue.bind(rt, address, capacity, maxDatagramSize, reuseAddress));
        }
    }
}
