package dev.weft.net.internal;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.Parking;
import dev.weft.core.spi.NettyTransport;
import dev.weft.core.spi.RuntimeAccess;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** Opening channels of the runtime's transport: connect, bind, and the options every stream gets. */
public final class Sockets {
    private Sockets() {}

    /** Options of a new stream channel: demand-driven reads, half-close, no-delay. */
    static void configureStream(Channel ch) {
        ch.config().setAutoRead(false);
        if (ch.config() instanceof io.netty.channel.socket.DuplexChannelConfig duplex) {
            // Through the typed setter: the Unix domain configs ignore the ALLOW_HALF_CLOSURE
            // option key, and without half-closure the peer's FIN closes the whole channel,
            // dropping what is still queued for writing.
            duplex.setAllowHalfClosure(true);
        } else {
            ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        }
        if (ch instanceof SocketChannel) {
            // not for Unix domain sockets, which have no Nagle
            ch.config().setOption(ChannelOption.TCP_NODELAY, true);
        }
        // Netty 4.2.18's epoll drops writes after the peer's FIN otherwise: see EpollInterest.
        EpollInterest.keepRegistered(ch);
    }

    /** Registers {@code ch} on the next carrier's loop (round-robin), as Netty's bootstraps do. */
    @SuppressWarnings("deprecation") // Netty 4.2 deprecates it for users of IoHandle; channels still register this way
    static ChannelFuture register(WeftRuntime rt, Channel ch) {
        io.netty.channel.IoEventLoop loop = RuntimeAccess.eventLoopGroup(rt).next();
        return loop.register(new io.netty.channel.DefaultChannelPromise(ch, loop));
    }

    static <C extends Channel> C newChannel(Class<? extends C> type) throws IOException {
        try {
            return type.getConstructor().newInstance();
        } catch (InvocationTargetException e) {
            throw new IOException("cannot open a " + type.getSimpleName() + ": " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot instantiate " + type.getName(), e);
        }
    }

    /**
     * Opens a connection to {@code address}; parks until it is established.
     *
     * @param timeoutNanos 0 for no limit
     */
    public static Conduit connect(WeftRuntime rt, InetSocketAddress address, long timeoutNanos) throws IOException {
        long deadline = Conduit.deadline(timeoutNanos);
        if (!address.isUnresolved()) {
            return connectStream(rt, newChannel(RuntimeAccess.transport(rt).socketChannel()), address,
                    address.toString(), deadline);
        }
        // Every address the name resolves to, in turn, as Tokio's connect and browsers do: a name
        // with an IPv6 and an IPv4 address, one of them not served, still connects.
        ConnectException refused = null;
        for (InetSocketAddress a : resolveAll(rt, address, deadline)) {
            try {
                return connectStream(rt, newChannel(RuntimeAccess.transport(rt).socketChannel()), a, a.toString(), deadline);
            } catch (ConnectException e) {
                if (refused != null) {
                    e.addSuppressed(refused);
                }
                refused = e;   // the last one is thrown, the earlier ones suppressed in it
            }
        }
        throw refused;
    }

    /**
     * Connects a new stream channel of either kind to {@code address} ({@code name} in messages);
     * parks until it is established or {@code deadline} passes. The channel is closed on failure.
     */
    private static Conduit connectStream(WeftRuntime rt, Channel ch, SocketAddress address, String name, long deadline)
            throws IOException {
        Conduit c = new Conduit(rt, ch, NetCounters.of(rt));
        try {
            configureStream(ch);
            ch.pipeline().addLast(Conduit.NAME, c);
            Futures.await(register(rt, ch), deadline, "connect to " + name);
            // Netty's own connect timer (30 s unless set) would otherwise cut longer timeouts
            // short. Rounded up, so the deadline above normally fires first; when Netty's does,
            // its ConnectTimeoutException becomes the documented SocketTimeoutException below.
            ch.config().setConnectTimeoutMillis(connectTimeoutMillis(deadline));
            ChannelFuture cf = ch.connect(address);
            Futures.awaitDone(cf, deadline, "connect to " + name);
            if (!cf.isSuccess()) {
                Throwable cause = cf.cause();
                if (cause instanceof InterruptedIOException) {
                    throw (InterruptedIOException) cause;
                }
                if (cause instanceof ConnectTimeoutException) {
                    SocketTimeoutException e = new SocketTimeoutException("connect to " + name + " timed out");
                    e.initCause(cause);
                    throw e;
                }
                ConnectException e = new ConnectException("connect to " + name + " failed: " + describe(cause));
                e.initCause(cause);
                throw e;
            }
            c.counters().connected.increment();
            return c;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Registers {@code ch} (its handlers already in place) and binds it to {@code address}
     * ({@code name} in messages); parks until bound. The channel is closed on failure.
     *
     * @throws BindException naming {@code name} when it cannot be bound
     */
    static void bindChannel(WeftRuntime rt, Channel ch, SocketAddress address, String name) throws IOException {
        try {
            Futures.await(register(rt, ch), Conduit.NO_DEADLINE, "bind " + name);
            ChannelFuture bf = ch.bind(address);
            Futures.awaitDone(bf, Conduit.NO_DEADLINE, "bind " + name);
            if (!bf.isSuccess()) {
                Throwable cause = bf.cause();
                BindException e = new BindException("cannot bind " + name + ": " + describe(cause));
                e.initCause(cause);
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * The {@code CONNECT_TIMEOUT_MILLIS} for a connect that must end by {@code deadline}: the time
     * left rounded up to whole milliseconds (at least 1), or 0 (Netty: no timer) for no deadline.
     */
    static int connectTimeoutMillis(long deadline) {
        if (deadline == Conduit.NO_DEADLINE) {
            return 0;
        }
        long left = deadline - Parking.nanoTime();
        long millis = left <= 0 ? 1 : (left - 1) / 1_000_000 + 1;   // rounded up, without overflow
        return (int) Math.min(Integer.MAX_VALUE, millis);
    }

    /** A failure's message, or its type when it has none. */
    static String describe(Throwable cause) {
        return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
    }

    /**
     * Resolves a host name on the blocking pool ({@code InetAddress} would block the carrier),
     * waiting until {@code deadline} at most. A lookup given up on (timeout, interrupt) is
     * cancelled, but the JDK's resolver does not answer interrupts: it ends on its own and its
     * result is dropped.
     *
     * @throws SocketTimeoutException if the deadline passes first (a slow resolver, or a blocking pool busy with other jobs)
     */
    private static InetSocketAddress resolve(WeftRuntime rt, InetSocketAddress unresolved, long deadline) throws IOException {
        return resolveAll(rt, unresolved, deadline).getFirst();
    }

    /** As {@link #resolve}, every address of the name, in the resolver's order (never empty). */
    private static java.util.List<InetSocketAddress> resolveAll(WeftRuntime rt, InetSocketAddress unresolved, long deadline)
            throws IOException {
        String host = unresolved.getHostString();
        int port = unresolved.getPort();
        Task<java.util.List<InetSocketAddress>> lookup = rt.spawnBlocking("resolve " + host, () -> {
            try {
                return java.util.Arrays.stream(java.net.InetAddress.getAllByName(host))
                        .map(a -> new InetSocketAddress(a, port)).toList();
            } catch (java.net.UnknownHostException e) {
                return java.util.List.<InetSocketAddress>of();
            }
        });
        java.util.List<InetSocketAddress> r;
        try {
            r = deadline == Conduit.NO_DEADLINE ? lookup.join()
                    : lookup.join(Duration.ofNanos(Math.max(1, deadline - Parking.nanoTime())));
        } catch (TimeoutException e) {
            lookup.cancel();
            throw new SocketTimeoutException("resolving " + host + " timed out");
        } catch (InterruptedException e) {
            lookup.cancel();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("resolving " + host + " interrupted");
        }
        if (r.isEmpty()) {
            throw new java.net.UnknownHostException(host);
        }
        return r;
    }

    /**
     * Opens a listening socket; parks until it is bound.
     *
     * @throws BindException naming the address when it cannot be bound (e.g. in use)
     */
    public static AcceptQueue bind(WeftRuntime rt, InetSocketAddress address, int backlog, boolean reuseAddress)
            throws IOException {
        if (address.isUnresolved()) {
            address = resolve(rt, address, Conduit.NO_DEADLINE);   // binding has no timeout
        }
        ServerSocketChannel sc = newChannel(RuntimeAccess.transport(rt).serverSocketChannel());
        return listen(rt, sc, address, address.toString(), backlog, reuseAddress);
    }

    /**
     * Binds a new server channel of either kind as a listener ({@code reuseAddress} null: the
     * option is left alone); parks until bound. The channel is closed on failure.
     */
    private static AcceptQueue listen(WeftRuntime rt, io.netty.channel.ServerChannel sc, SocketAddress address, String name,
                                      int backlog, Boolean reuseAddress) throws IOException {
        AcceptQueue q = new AcceptQueue(rt, sc);
        try {
            sc.config().setAutoRead(false);
            sc.config().setOption(ChannelOption.SO_BACKLOG, backlog);
            if (reuseAddress != null) {
                sc.config().setOption(ChannelOption.SO_REUSEADDR, reuseAddress);
            }
            sc.pipeline().addLast("weft-accept", q);
        } catch (RuntimeException e) {
            sc.close();
            throw e;
        }
        bindChannel(rt, sc, address, name);
        return q;
    }

    // ------------------------------------------------------------------ Unix domain sockets

    /**
     * Whether the runtime's transport has Unix domain stream sockets Weft can use: the native
     * ones. Netty 4.2's NIO has domain channels, but they ignore half-closure (its NIO byte
     * channel checks for {@code SocketChannelConfig}, which the domain config is not): the peer's
     * FIN closes the whole channel and drops what is still queued for writing, so they are not
     * offered.
     */
    public static boolean supportsUnix(WeftRuntime rt) {
        return RuntimeAccess.transport(rt).domainSocketChannel() != null;
    }

    private static void checkUnix(WeftRuntime rt) {
        if (!supportsUnix(rt)) {
            throw new UnsupportedOperationException("the " + RuntimeAccess.transport(rt).kind()
                    + " transport has no Unix domain sockets");
        }
    }

    /** The native transports' address type for {@code path}. */
    private static SocketAddress unixAddress(NettyTransport t, Path path) {
        return new io.netty.channel.unix.DomainSocketAddress(path.toString());
    }

    /** A channel address as the JDK's type ({@code null} stays {@code null}). */
    public static UnixDomainSocketAddress jdkUnixAddress(SocketAddress a) {
        if (a == null || a instanceof UnixDomainSocketAddress) {
            return (UnixDomainSocketAddress) a;
        }
        if (a instanceof io.netty.channel.unix.DomainSocketAddress d) {
            return UnixDomainSocketAddress.of(d.path());
        }
        throw new IllegalStateException("not a Unix domain address: " + a);
    }

    /**
     * A channel address as the JDK's types show it: Unix domain addresses become
     * {@link UnixDomainSocketAddress}, anything else ({@code InetSocketAddress}, {@code null}) is
     * returned as it is.
     */
    public static SocketAddress jdkAddress(SocketAddress a) {
        return a instanceof io.netty.channel.unix.DomainSocketAddress ? jdkUnixAddress(a) : a;
    }

    /** Opens a Unix domain stream connection to {@code path}; parks until it is established. */
    public static Conduit connectUnix(WeftRuntime rt, Path path, long timeoutNanos) throws IOException {
        checkUnix(rt);
        long deadline = Conduit.deadline(timeoutNanos);
        NettyTransport t = RuntimeAccess.transport(rt);
        Channel ch = newChannel(t.domainSocketChannel());
        return connectStream(rt, ch, unixAddress(t, path), path.toString(), deadline);
    }

    /**
     * Opens a listening Unix domain socket at {@code path}; parks until it is bound.
     *
     * @throws BindException naming the path when it cannot be bound (e.g. the file exists)
     */
    public static AcceptQueue bindUnix(WeftRuntime rt, Path path, int backlog) throws IOException {
        checkUnix(rt);
        if (java.nio.file.Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            // Netty's Unix server channels would replace the file, stealing a live socket's path.
            throw new BindException("cannot bind " + path + ": the file exists (a live socket, or a stale one: delete it first)");
        }
        NettyTransport t = RuntimeAccess.transport(rt);
        io.netty.channel.ServerChannel sc = newChannel(t.domainServerChannel());
        return listen(rt, sc, unixAddress(t, path), path.toString(), backlog, null);
    }
}
