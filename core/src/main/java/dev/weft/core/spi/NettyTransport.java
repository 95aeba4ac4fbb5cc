package dev.weft.core.spi;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.Channel;
import io.netty.channel.ServerChannel;

/**
 * The Netty classes of one transport, so that modules open channels of the kind the carriers
 * drive. {@code domainSocketChannel} and {@code domainServerChannel} are {@code null} where the
 * transport has no Unix domain sockets.
 */
public record NettyTransport(
        dev.weft.core.Transport kind,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerSocketChannel> serverSocketChannel,
        Class<? extends SocketChannel> socketChannel,
        Class<? extends DatagramChannel> datagramChannel,
        Class<? extends ServerChannel> domainServerChannel,
        Class<? extends Channel> domainSocketChannel) {
}
