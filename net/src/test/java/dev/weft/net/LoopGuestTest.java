package dev.weft.net;

import dev.weft.core.Task;
import dev.weft.core.Transport;
import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

import static dev.weft.net.NetTesting.ANY_LOCAL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A task on its channel's carrier writes in place (as the loop's guest), and a guest that parks
 * inside the pipeline holds the loop off until it is back, while the carrier's other tasks run.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LoopGuestTest {

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"NIO", "EPOLL", "IO_URING", "KQUEUE"})
    void guestParkedInAHandlerHoldsTheLoopOffAndEverythingCompletes(Transport t) throws Exception {
        ReentrantLock gate = new ReentrantLock();
        gate.lock();   // the handler's write waits for this: the writing task parks inside the pipeline
        AtomicReference<Thread> handlerThread = new AtomicReference<>();
        CountDownLatch inHandler = new CountDownLatch(1);
        try (WeftRuntime rt = TcpTransportConformanceTest.runtime(t, 1);
             TcpListener l = TcpListener.bind(rt, ANY_LOCAL);
             Socket client = new Socket()) {
            Task<Thread> server = rt.spawn("guest-writer", () -> {
                try (TcpStream s = l.accept()) {
                    MessageStream<String> m = s.messages(String.class, p -> {
                        NetTesting.lines(p);
                        p.addLast(new ChannelOutboundHandlerAdapter() {
                            @Override
                            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                                handlerThread.compareAndSet(null, Thread.currentThread());   // close() writes too, later
                                inHandler.countDown();
                                gate.lock();
                                try {
                                    ctx.write(msg, promise);
                                } finally {
                                    gate.unlock();
                                }
                            }
                        });
                    });
                    m.send("hello\n");
                    m.close();
                }
                return Thread.currentThread();
            });
            client.connect(l.localAddress(), 5_000);
            client.setSoTimeout(10_000);
            assertTrue(inHandler.await(10, TimeUnit.SECONDS), "the handler's write was not reached");

            // The loop must not run while its guest is parked in the pipeline; other tasks must.
            EventLoop loop = RuntimeAccess.eventLoopGroup(rt).next();
            AtomicBoolean loopRanWhileGuestParked = new AtomicBoolean();
            CountDownLatch loopRan = new CountDownLatch(1);
            loop.execute(() -> {
                loopRanWhileGuestParked.set(gate.isLocked());
                loopRan.countDown();
            });
            Task<String> other = rt.spawn("other", () -> "ran");
            assertEquals("ran", other.join(Duration.ofSeconds(10)), "the carrier's other tasks must keep running");
            gate.unlock();

            assertTrue(loopRan.await(10, TimeUnit.SECONDS), "the loop did not resume after its guest left");
            assertFalse(loopRanWhileGuestParked.get(), "the loop ran while its guest was parked inside the pipeline");
            Thread writer = server.join(Duration.ofSeconds(10));
            InputStream in = client.getInputStream();
            assertEquals("hello\n", new String(in.readAllBytes(), StandardCharsets.UTF_8));
            if (rt.schedulerMode() == dev.weft.core.SchedulerMode.CARRIER) {
                assertSame(writer, handlerThread.get(), "a task on its channel's carrier writes in place");
            }
        }
    }
}
