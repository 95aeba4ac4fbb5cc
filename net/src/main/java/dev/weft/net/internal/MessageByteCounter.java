package dev.weft.net.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;

/**
 * Counts the bytes of a message stream in {@link NetCounters}: placed where the plain stream's
 * {@link Conduit} was, in front of the codec's handlers, it counts the bytes the codec decodes
 * (as they pass in) and the bytes it encodes (as they are handed to the channel, as a plain
 * write counts them). A message stream's conduit sees messages and counts no bytes, and the
 * bytes the plain stream had counted never pass here (they were read, or written before the
 * move was queued on the loop), so every byte is counted once.
 */
@ChannelHandler.Sharable
final class MessageByteCounter extends ChannelDuplexHandler {
    static final String NAME = "weft-bytes";

    private final NetCounters counters;

    MessageByteCounter(NetCounters counters) {
        this.counters = counters;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        long n = bytes(msg);
        if (n > 0) {
            counters.bytesRead.add(n);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        long n = bytes(msg);
        if (n > 0) {
            counters.bytesWritten.add(n);
        }
        ctx.write(msg, promise);
    }

    private static long bytes(Object msg) {
        if (msg instanceof ByteBuf b) {
            return b.readableBytes();
        }
        if (msg instanceof ByteBufHolder h) {
            return h.content().readableBytes();
        }
        if (msg instanceof FileRegion f) {
            return f.count() - f.transferred();
        }
        return 0;
    }
}
