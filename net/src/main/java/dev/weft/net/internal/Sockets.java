package dev.weft.net.internal;

import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.NettyTransport;
import dev.weft.core.spi.RuntimeAccess;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.reflect.InvocationTargetException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;

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
        if (address.isUnresolved()) {
            address = resolve(rt, address);
        }
        NettyTransport t = RuntimeAccess.transport(rt);
        SocketChannel ch = newChannel(t.socketChannel());
        Conduit c = new Conduit(rt, ch);
        try {
            configureStream(ch);
            ch.pipeline().addLast(Conduit.NAME, c);
            Futures.await(register(rt, ch), deadline, "connect to " + address);
            ChannelFuture cf = ch.connect(address);
            Futures.awaitDone(cf, deadline, "connect to " + address);
            if (!cf.isSuccess()) {
                Throwable cause = cf.cause();
                if (cause instanceof InterruptedIOException) {
                    throw (InterruptedIOException) cause;
                }
                ConnectException e = new ConnectException("connect to " + address + " failed: "
                        + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()));
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

    /** Resolves a host name on the blocking pool ({@code InetAddress} would block the carrier). */
    private static InetSocketAddress resolve(WeftRuntime rt, InetSocketAddress unresolved) throws IOException {
        try {
            InetSocketAddress r = rt.spawnBlocking("resolve " + unresolved.getHostString(),
                    () -> new InetSocketAddress(unresolved.getHostString(), unresolved.getPort())).join();
            if (r.isUnresolved()) {
                throw new java.net.UnknownHostException(unresolved.getHostString());
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("resolving " + unresolved.getHostString() + " interrupted");
        }
    }

    /**
     * Opens a listening socket; parks until it is bound.
     *
     * @throws BindException naming the address when it cannot be bound (e.g. in use)
     */
    public static AcceptQueue bind(WeftRuntime rt, InetSocketAddress address, int backlog, boolean reuseAddress)
            throws IOException {
        if (address.isUnresolved()) {
            address = resolve(rt, address);
        }
        NettyTransport t = RuntimeAccess.transport(rt);
        ServerSocketChannel sc = newChannel(t.serverSocketChannel());
        AcceptQueue q = new AcceptQueue(rt, sc);
        try {
            sc.config().setAutoRead(false);
            sc.config().setOption(ChannelOption.SO_BACKLOG, backlog);
            sc.config().setOption(ChannelOption.SO_REUSEADDR, reuseAddress);
            sc.pipeline().addLast("weft-accept", q);
            Futures.await(register(rt, sc), Conduit.NO_DEADLINE, "bind " + address);
            ChannelFuture bf = sc.bind(address);
            Futures.awaitDone(bf, Conduit.NO_DEADLINE, "bind " + address);
            if (!bf.isSuccess()) {
                Throwable cause = bf.cause();
                BindException e = new BindException("cannot bind " + address + ": "
                        + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()));
                e.initCause(cause);
                throw e;
            }
            return q;
        } catch (IOException | RuntimeException e) {
            sc.close();
            throw e;
        }
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

    /** Opens a Unix domain stream connection to {@code path}; parks until it is established. */
    public static Conduit connectUnix(WeftRuntime rt, Path path, long timeoutNanos) throws IOException {
        checkUnix(rt);
        long deadline = Conduit.deadline(timeoutNanos);
        NettyTransport t = RuntimeAccess.transport(rt);
        Channel ch = newChannel(t.domainSocketChannel());
        Conduit c = new Conduit(rt, ch);
        try {
            configureStream(ch);
            ch.pipeline().addLast(Conduit.NAME, c);
            Futures.await(register(rt, ch), deadline, "connect to " + path);
            ChannelFuture cf = ch.connect(unixAddress(t, path));
            Futures.awaitDone(cf, deadline, "connect to " + path);
            if (!cf.isSuccess()) {
                Throwable cause = cf.cause();
                ConnectException e = new ConnectException("connect to " + path + " failed: "
                        + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()));
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
        AcceptQueue q = new AcceptQueue(rt, sc);
        try {
            sc.config().setAutoRead(false);
            sc.config().setOption(ChannelOption.SO_BACKLOG, backlog);
            sc.pipeline().addLast("weft-accept", q);
            Futures.await(register(rt, sc), Conduit.NO_DEADLINE, "bind " + path);
            ChannelFuture bf = sc.bind(unixAddress(t, path));
            Futures.awaitDone(bf, Conduit.NO_DEADLINE, "bind " + path);
            if (!bf.isSuccess()) {
                Throwable cause = bf.cause();
                BindException e = new BindException("cannot bind " + path + ": "
                        + (cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName()));
                e.initCause(cause);
                throw e;
            }
            return q;
        } catch (IOException | RuntimeException e) {
            sc.close();
            throw e;
        }
    }
}
