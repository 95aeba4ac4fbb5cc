package dev.weft.net;

import dev.weft.core.Task;
import dev.weft.core.Transport;
import dev.weft.core.WeftRuntime;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;
import io.netty.buffer.UnpooledHeapByteBuf;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static dev.weft.net.NetTesting.CONNECT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A task parked while it releases a buffer it read must not hold the stream's lock: its own
 * carrier's loop takes that lock for every event of the stream, and a carrier thread blocked on a
 * lock whose owner can only run on that carrier never wakes (the whole carrier hangs). Releasing
 * can park for real: a pooled allocator's locks, the leak detector's map under paranoid
 * detection, when another thread holds them (more often on a loaded machine). Here an allocator
 * parks the reader on purpose.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ParkInReleaseTest {

    /**
     * Buffers whose release by a virtual thread, once armed, parks it until {@link #open} is counted
     * down; {@link #parks()} picks the release that parks (other tests override it).
     */
    static class GatedAllocator extends AbstractByteBufAllocator {
        final CountDownLatch parked = new CountDownLatch(1);
        final CountDownLatch open = new CountDownLatch(1);
        volatile boolean armed;

        GatedAllocator() {
            super(true);
        }

        /** Whether the release running now is the one to park: the first by a virtual thread once armed. */
        boolean parks() {
            if (armed && Thread.currentThread().isVirtual()) {
                armed = false;
                return true;
            }
            return false;
        }

        void gate() {
            if (parks()) {
                parked.countDown();
                try {
                    if (!open.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("gate never opened");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return new UnpooledDirectByteBuf(this, initialCapacity, maxCapacity) {
                @Override
                protected void deallocate() {
                    gate();
                    super.deallocate();
                }
            };
        }

        /** Not gated: the transports read into direct buffers ({@code ioBuffer}). */
        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"NIO", "EPOLL", "IO_URING", "KQUEUE"})
    void readerParkedInReleaseDoesNotBlockItsCarrier(Transport t) throws Exception {
        GatedAllocator alloc = new GatedAllocator();
        // One carrier: the reader and the connection's loop share its thread.
        try (WeftRuntime rt = TcpTransportConformanceTest.runtime(t, 1);
             ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            TcpStream s = rt.run(() -> TcpStream.connect(rt, (InetSocketAddress) server.getLocalSocketAddress(), CONNECT));
            try (Socket peer = server.accept()) {
                s.setCloseLinger(Duration.ZERO);
                s.channel().config().setAllocator(alloc);
                peer.getOutputStream().write(new byte[100]);
                alloc.armed = true;
                Task<Integer> reader = rt.spawn("reader", () -> s.read(new byte[4096]));
                boolean stuck = false;
                try {
                    assertTrue(alloc.parked.await(10, TimeUnit.SECONDS), "the reader released the buffer it read");
                    // Meanwhile the loop raises an event on the stream: bytes written by another
                    // thread (the peer does not read them) make the channel unwritable.
                    s.channel().writeAndFlush(Unpooled.wrappedBuffer(new byte[4 << 20]));
                    try {
                        assertEquals(42, rt.spawn("bystander", () -> 42).join(Duration.ofSeconds(10)));
                    } catch (TimeoutException e) {
                        stuck = true;
                    }
                } finally {
                    alloc.open.countDown();
                }
                if (stuck) {
                    // Not closing the stream: that would wait for the lock for good too. Closing the
                    // runtime gives up on the stuck carrier after its close timeout.
                    fail("the carrier is stuck: its loop waits for the stream's lock, held by the reader parked in release");
                }
                assertEquals(100, reader.join(Duration.ofSeconds(10)), "the reader got the bytes");
                s.close();
            }
        }
    }
}
