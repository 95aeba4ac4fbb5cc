package dev.weft.net.internal;

import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelException;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Field;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The count of accepted children still registering, which holds back accept's next read. */
@Timeout(60)
class AcceptQueueRegisteringTest {

    /** A child whose configuration throws, as a socket option set on a connection already reset can. */
    static final class FailingConfigChannel extends EmbeddedChannel {
        volatile boolean fail;

        @Override
        public ChannelConfig config() {
            if (fail) {
                throw new ChannelException("setsockopt failed: connection reset (simulated)");
            }
            return super.config();
        }
    }

    static int registering(AcceptQueue q) throws ReflectiveOperationException {
        Field f = AcceptQueue.class.getDeclaredField("registering");
        f.setAccessible(true);
        synchronized (q) {   // guarded by the queue
            return f.getInt(q);
        }
    }

    /**
     * A child that fails to configure while another is still registering leaves that one counted:
     * once its registration completes the count is back at zero, not below.
     */
    @Test
    void aChildThatFailsToConfigureDoesNotTakeBackAnotherChildsCount() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("accept-count").carriers(1).build()) {
            // Hold the one carrier loop, so the first child's registration outcome waits there.
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch letGo = new CountDownLatch(1);
            RuntimeAccess.eventLoopGroup(rt).next().execute(() -> {
                holding.countDown();
                try {
                    letGo.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            assertTrue(holding.await(10, TimeUnit.SECONDS), "the carrier loop did not run the holding task");
            AcceptQueue q = new AcceptQueue(rt, null);
            EmbeddedChannel pending = new EmbeddedChannel();
            CountDownLatch pendingClosed = new CountDownLatch(1);
            pending.closeFuture().addListener(f -> pendingClosed.countDown());
            FailingConfigChannel failing = new FailingConfigChannel();
            try {
                q.channelRead(null, pending);
                assertEquals(1, registering(q), "the first child is registering");
                failing.fail = true;
                q.channelRead(null, failing);
                assertEquals(1, registering(q), "the child that failed to configure took back the first one's count");
                assertTrue(!failing.isOpen(), "the failed child is closed");
            } finally {
                letGo.countDown();
            }
            // The first child's registration fails on the loop (it belongs to another loop) and is closed.
            assertTrue(pendingClosed.await(10, TimeUnit.SECONDS), "the first child's registration did not complete");
            assertEquals(0, registering(q), "no child is registering any more");
        }
    }
}
