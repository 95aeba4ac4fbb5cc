package dev.weft.net;

import dev.weft.core.WeftRuntime;
import io.netty.channel.Channel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static dev.weft.net.NetTesting.CONNECT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link NetStream#close()} racing {@link NetStream#messages}: the close is decided (the stream
 * is marked closed and its buffered input dropped) before the move to a message stream happens
 * on the loop. Either order is fine, a mix is not: the close must close the socket and
 * {@code messages()} must then fail with "socket closed", not hand out a live message stream
 * over a socket whose owner closed it (and whose buffered bytes the close dropped).
 *
 * <p>Deterministic: the loop is held until the close is past its locked section (parked in the
 * release of the input it dropped), and the move runs to completion before the close goes on.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CloseRacingMoveTest {

    /** Direct buffers whose release by {@link #closer}, once armed, waits for {@link #open}. */
    static final class GatedAllocator extends ParkInReleaseTest.GatedAllocator {
        volatile Thread closer;

        @Override
        boolean parks() {
            if (Thread.currentThread() == closer) {
                closer = null;
                return true;
            }
            return false;
        }
    }

    @Test
    void closeDecidedBeforeTheMoveClosesTheSocket() throws Exception {
        GatedAllocator alloc = new GatedAllocator();
        try (WeftRuntime rt = WeftRuntime.builder().name("close-vs-move").carriers(2).closeTimeout(Duration.ofSeconds(2)).build();
             ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            TcpStream s = rt.run(() -> TcpStream.connect(rt, (InetSocketAddress) server.getLocalSocketAddress(), CONNECT));
            MessageStream<?>[] moved = new MessageStream<?>[1];
            CountDownLatch loopGate = new CountDownLatch(1);
            try (Socket peer = server.accept()) {
                Channel ch = s.channel();
                ch.config().setAllocator(alloc);
                peer.getOutputStream().write(new byte[100]);
                // One byte read: the rest of the received buffer stays queued in the stream.
                assertEquals(1, rt.run(() -> s.read(new byte[1])));
                assertTrue(s.available() > 0, "bytes stay buffered in the stream");

                NetTesting.holdLoop(ch, loopGate);   // the move then waits in the loop's queue

                AtomicReference<Throwable> moveFailure = new AtomicReference<>();
                Thread mover = new Thread(() -> {
                    try {
                        moved[0] = s.messages(Object.class, p -> {});
                    } catch (Throwable e) {
                        moveFailure.set(e);
                    }
                }, "mover");
                mover.start();
                long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!(LockSupport.getBlocker(mover) instanceof io.netty.util.concurrent.Future<?>)) {
                    if (System.nanoTime() - until > 0) {
                        fail("messages() never parked waiting for the loop (state " + mover.getState() + ")");
                    }
                    Thread.sleep(1);
                }

                Thread closer = new Thread(s::close, "closer");
                alloc.closer = closer;
                closer.start();
                assertTrue(alloc.parked.await(10, TimeUnit.SECONDS), "close() drops the buffered input");
                assertTrue(s.isClosed(), "close() is decided: the stream says it is closed");

                loopGate.countDown();             // the move runs now, after the close was decided
                mover.join(10_000);
                assertTrue(!mover.isAlive(), "messages() returns once the loop ran the move");
                alloc.open.countDown();           // the close goes on
                closer.join(10_000);
                assertTrue(!closer.isAlive(), "close() never parks for long");

                boolean socketClosed = ch.closeFuture().await(5, TimeUnit.SECONDS);
                assertTrue(socketClosed, "close() was called first, yet the socket is still open"
                        + (moved[0] != null ? " under the live message stream messages() returned" : ""));
                Throwable e = moveFailure.get();
                assertInstanceOf(SocketException.class, e, "messages() after the close was decided: " + e);
                assertEquals("socket closed", e.getMessage());
            } finally {
                loopGate.countDown();
                alloc.open.countDown();
                if (moved[0] != null) {
                    moved[0].close();
                }
                s.close();
            }
        }
    }
}
