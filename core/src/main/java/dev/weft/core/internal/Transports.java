package dev.weft.core.internal;

import dev.weft.core.Transport;
import dev.weft.core.spi.NettyTransport;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * Probes the native transports and builds the {@link NettyTransport} for one. Each probe touches
 * the transport's classes only inside its own method, so a missing native artifact surfaces as a
 * reason string, never as a {@link LinkageError} elsewhere.
 */
public final class Transports {
    private Transports() {}

    /** The transport {@code requested} resolves to, or an exception naming why it cannot load. */
    public static NettyTransport resolve(Transport requested) {
        if (requested != Transport.AUTO) {
            String reason = unavailabilityReason(requested);
            if (reason != null) {
                throw new IllegalStateException("transport " + requested + " is not available here: " + reason);
            }
            return load(requested);
        }
        for (Transport t : new Transport[] {Transport.IO_URING, Transport.EPOLL, Transport.KQUEUE}) {
            if (unavailabilityReason(t) == null) {
                return load(t);
            }
        }
        return load(Transport.NIO);
    }

    /** {@code null} when {@code t} loads here, else why not (Netty's unavailability cause). */
    public static String unavailabilityReason(Transport t) {
        try {
            Throwable cause = switch (t) {
                case IO_URING -> io.netty.channel.uring.IoUring.isAvailable()
                        ? null : io.netty.channel.uring.IoUring.unavailabilityCause();
                case EPOLL -> io.netty.channel.epoll.Epoll.isAvailable()
                        ? null : io.netty.channel.epoll.Epoll.unavailabilityCause();
                case KQUEUE -> io.netty.channel.kqueue.KQueue.isAvailable()
                        ? null : io.netty.channel.kqueue.KQueue.unavailabilityCause();
                case NIO -> null;
                case AUTO -> null;
            };
            return cause == null ? null : String.valueOf(cause);
        } catch (Throwable e) {
            return e.toString();
        }
    }

    private static NettyTransport load(Transport t) {
        return switch (t) {
            case IO_URING -> new NettyTransport(t, io.netty.channel.uring.IoUringIoHandler.newFactory(),
                    io.netty.channel.uring.IoUringServerSocketChannel.class,
                    io.netty.channel.uring.IoUringSocketChannel.class,
                    io.netty.channel.uring.IoUringDatagramChannel.class,
                    io.netty.channel.uring.IoUringServerDomainSocketChannel.class,
                    io.netty.channel.uring.IoUringDomainSocketChannel.class);
            case EPOLL -> new NettyTransport(t, io.netty.channel.epoll.EpollIoHandler.newFactory(),
                    io.netty.channel.epoll.EpollServerSocketChannel.class,
                    io.netty.channel.epoll.EpollSocketChannel.class,
                    io.netty.channel.epoll.EpollDatagramChannel.class,
                    io.netty.channel.epoll.EpollServerDomainSocketChannel.class,
                    io.netty.channel.epoll.EpollDomainSocketChannel.class);
            case KQUEUE -> new NettyTransport(t, io.netty.channel.kqueue.KQueueIoHandler.newFactory(),
                    io.netty.channel.kqueue.KQueueServerSocketChannel.class,
                    io.netty.channel.kqueue.KQueueSocketChannel.class,
                    io.netty.channel.kqueue.KQueueDatagramChannel.class,
                    io.netty.channel.kqueue.KQueueServerDomainSocketChannel.class,
                    io.netty.channel.kqueue.KQueueDomainSocketChannel.class);
            case NIO, AUTO -> new NettyTransport(Transport.NIO, NioIoHandler.newFactory(),
                    NioServerSocketChannel.class, NioSocketChannel.class, NioDatagramChannel.class,
                    null, null);
        };
    }
}
