package dev.weft.net;

import dev.weft.core.Task;
import dev.weft.core.Transport;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static dev.weft.net.NetTesting.CONNECT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Half-close over Unix sockets loses nothing, however the peers' tasks and carriers interleave:
 * 15 rounds of 20 split-half clients that write 256 KiB, close their write half and read the
 * echo to end of stream. A spy handler at the head of each pipeline records events, closes and
 * who closed the channel, printed on failure.
 *
 * <p>Disabled: it reproduces the known issue documented in {@link UnixStream} (fails in round 0
 * on epoll and io_uring, Netty 4.2.18); see that javadoc for what is known of the cause.
 */
@org.junit.jupiter.api.Disabled("reproduces the open Unix half-close loss (see UnixStream javadoc); run by hand")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UnixHalfCloseTest {
    @TempDir
    Path dir;

    static void spy(NetStream s, StringBuffer log, String who) throws Exception {
        var ch = s.channel();
        log.append(" {" + who + " cfg " + ch.config().getClass().getSimpleName() + " half=" + ((io.netty.channel.socket.DuplexChannelConfig) ch.config()).isAllowHalfClosure() + " opt=" + ch.config().getOption(io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE) + "}");
        ch.closeFuture().addListener(f -> log.append(" [" + who + " closedAt " + java.util.Arrays.toString(java.util.Arrays.copyOfRange(new Throwable().getStackTrace(), 6, 16)) + "]"));
        ch.eventLoop().submit(() -> ch.pipeline().addFirst("spy", new io.netty.channel.ChannelDuplexHandler() {
            long in, out;
            @Override public void channelRead(io.netty.channel.ChannelHandlerContext ctx, Object msg) {
                in += ((io.netty.buffer.ByteBuf) msg).readableBytes(); ctx.fireChannelRead(msg);
            }
            @Override public void userEventTriggered(io.netty.channel.ChannelHandlerContext ctx, Object evt) {
                log.append(" [" + who + " evt " + evt.getClass().getSimpleName() + " in=" + in + " out=" + out + "]"); ctx.fireUserEventTriggered(evt);
            }
            @Override public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable c) {
                log.append(" [" + who + " exc " + c + " in=" + in + "]"); ctx.fireExceptionCaught(c);
            }
            @Override public void channelInactive(io.netty.channel.ChannelHandlerContext ctx) {
                log.append(" [" + who + " inactive in=" + in + " out=" + out + "]"); ctx.fireChannelInactive();
            }
            @Override public void write(io.netty.channel.ChannelHandlerContext ctx, Object msg, io.netty.channel.ChannelPromise p) {
                out += ((io.netty.buffer.ByteBuf) msg).readableBytes(); ctx.write(msg, p);
            }
            @Override public void close(io.netty.channel.ChannelHandlerContext ctx, io.netty.channel.ChannelPromise p) {
                log.append(" [" + who + " close in=" + in + " out=" + out + "]"); ctx.close(p);
            }
        })).get();
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "KQUEUE"})
    void echoThenHalfCloseLosesNothing(Transport t) throws Exception {
        try (WeftRuntime rt = UnixSocketTest.runtime(t)) {
            for (int round = 0; round < 15; round++) {
                Path path = dir.resolve("hc" + round + ".sock");
                ConcurrentLinkedQueue<String> server = new ConcurrentLinkedQueue<>();
                try (UnixListener l = UnixListener.bind(rt, path)) {
                    rt.spawn("unix-echo", () -> {
                        l.serve(s -> {
                            StringBuffer st = new StringBuffer();
                            spy(s, st, "server");
                            long n = -1;
                            try {
                                n = NetIo.copy(s, s);
                            } catch (Exception e) {
                                server.add("failed " + e);
                                throw e;
                            } finally {
                                server.add("copied " + n + st);
                            }
                        });
                        return null;
                    });
                    List<Task<String>> clients = new ArrayList<>();
                    for (int c = 0; c < 20; c++) {
                        int seed = c + round;
                        clients.add(rt.spawn("unix-client-" + c, () -> {
                            byte[] sent = NetTesting.pattern(256 * 1024, seed);
                            try (UnixStream s = UnixStream.connect(rt, path, CONNECT)) {
                                StringBuffer state = new StringBuffer();
                                spy(s, state, "client");
                                NetStream.Split halves = s.split();
                                Task<byte[]> reader = rt.spawn(() -> {
                                    try (NetStream.ReadHalf r = halves.read()) {
                                        byte[] all = r.inputStream().readAllBytes();
                                        state.append(" active=" + s.channel().isActive() + " open=" + s.channel().isOpen()
                                                + " inShut=" + ((io.netty.channel.socket.DuplexChannel) s.channel()).isInputShutdown()
                                                + " outShut=" + ((io.netty.channel.socket.DuplexChannel) s.channel()).isOutputShutdown());
                                        return all;
                                    }
                                });
                                Task<Void> writer = rt.spawn(() -> {
                                    try (NetStream.WriteHalf w = halves.write()) {
                                        w.writeAll(sent);
                                    }
                                    return null;
                                });
                                writer.join(Duration.ofSeconds(30));
                                byte[] got = reader.join(Duration.ofSeconds(30));
                                if (got.length != sent.length) {
                                    return "client " + seed + " got " + got.length + " of " + sent.length + state;
                                }
                                assertArrayEquals(sent, got);
                            }
                            return null;
                        }));
                    }
                    List<String> bad = new ArrayList<>();
                    for (Task<String> c : clients) {
                        String r = c.join(Duration.ofSeconds(60));
                        if (r != null) {
                            bad.add(r);
                        }
                    }
                    assertTrue(bad.isEmpty(), "round " + round + ": " + bad + "; server: " + server);
                }
            }
        }
    }
}
