package dev.weft.net;

import dev.weft.core.WeftRuntime;
import dev.weft.core.sync.ReceiveResult;
import dev.weft.net.internal.Conduit;
import io.netty.channel.Channel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import static dev.weft.net.NetTesting.CONNECT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A read that starts after {@link NetStream#messages}' check for a reader, while the move waits
 * for the connection's loop, parks on the plain stream's conduit. The move must wake it: it then
 * fails with "socket was turned into a message stream" (as any later read does) instead of
 * staying parked for good, since what arrives goes to the message stream from then on.
 *
 * <p>Deterministic: the loop is held until the move and the read are both parked.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MoveWakesRacingReaderTest {

    @Test
    void readerParkedBeforeTheMoveRanIsWoken() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("move-vs-read").carriers(2).closeTimeout(Duration.ofSeconds(2)).build();
             ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            TcpStream s = rt.run(() -> TcpStream.connect(rt, (InetSocketAddress) server.getLocalSocketAddress(), CONNECT));
            CountDownLatch loopGate = new CountDownLatch(1);
            Thread reader = null;
            MessageStream<?>[] moved = new MessageStream<?>[1];
            try (Socket peer = server.accept()) {
                Channel ch = s.channel();
                NetTesting.holdLoop(ch, loopGate);   // the move then waits in the loop's queue

                AtomicReference<Throwable> moveFailure = new AtomicReference<>();
                Thread mover = new Thread(() -> {
                    try {
                        moved[0] = s.messages(String.class, NetTesting::lines);
                    } catch (Throwable e) {
                        moveFailure.set(e);
                    }
                }, "mover");
                mover.start();
                awaitBlocker(mover, b -> b instanceof io.netty.util.concurrent.Future<?>, "messages() parks waiting for the loop");

                AtomicReference<Object> readOutcome = new AtomicReference<>();
                CountDownLatch readDone = new CountDownLatch(1);
                reader = new Thread(() -> {
                    try {
                        readOutcome.set(s.read(new byte[16]));
                    } catch (Throwable e) {
                        readOutcome.set(e);
                    }
                    readDone.countDown();
                }, "reader");
                reader.setDaemon(true);
                reader.start();
                awaitBlocker(reader, b -> b instanceof Conduit, "the read parks on the plain stream");

                loopGate.countDown();             // the move runs now, with the reader parked
                mover.join(10_000);
                assertFalse(mover.isAlive(), "messages() returns once the loop ran the move");
                assertEquals(null, moveFailure.get(), "messages() succeeds");

                if (!readDone.await(5, TimeUnit.SECONDS)) {
                    fail("the read is still parked 5 s after the stream was turned into a message stream");
                }
                Object r = readOutcome.get();
                assertInstanceOf(SocketException.class, r, "the woken read: " + r);
                assertEquals("socket was turned into a message stream", ((SocketException) r).getMessage());

                // What arrives now belongs to the message stream.
                peer.getOutputStream().write("hi\n".getBytes(StandardCharsets.US_ASCII));
                MessageStream<?> m = moved[0];
                assertEquals(new ReceiveResult.Value<>("hi"), rt.run(() -> m.receive(Duration.ofSeconds(10))));
            } finally {
                loopGate.countDown();
                if (moved[0] != null) {
                    moved[0].close();
                }
                s.close();
                if (reader != null) {
                    reader.interrupt();
                }
            }
        }
    }

    private static void awaitBlocker(Thread t, Predicate<Object> blocker, String what) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!blocker.test(LockSupport.getBlocker(t))) {
            if (System.nanoTime() - until > 0) {
                fail("not within 10 s: " + what + " (state " + t.getState() + ", blocker " + LockSupport.getBlocker(t) + ")");
            }
            Thread.sleep(1);
        }
    }
}
