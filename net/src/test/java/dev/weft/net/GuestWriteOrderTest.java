package dev.weft.net;

import dev.weft.core.Task;
import dev.weft.core.Transport;
import dev.weft.core.WeftRuntime;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static dev.weft.net.NetTesting.ANY_LOCAL;
import static dev.weft.net.NetTesting.CONNECT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The bytes one task writes to one stream reach the peer in the order it wrote them, also when
 * one write had to be queued for the loop and the next could go in place. On one carrier: task G
 * is the loop's guest and parks inside a pipeline handler of another connection, so the writer's
 * first write (byte 2i) is queued for the loop; G then leaves the loop and wakes the writer, whose
 * second write (byte 2i+1) could go in place before the loop has run the first. Before the fix,
 * 60-90% of the rounds swapped the two bytes on every transport.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GuestWriteOrderTest {
    private static final int ROUNDS = 100;

    @AllTransports
    void writesOfOneTaskReachThePeerInOrder(Transport t) throws Exception {
        Semaphore gate = new Semaphore(0);          // the guest's handler waits here, parked in the loop
        Semaphore inHandler = new Semaphore(0);
        Semaphore guestParked = new Semaphore(0);
        Semaphore firstWritten = new Semaphore(0);
        Semaphore guestDone = new Semaphore(0);
        Semaphore roundDone = new Semaphore(0);
        AtomicReference<Thread> guestThread = new AtomicReference<>();
        AtomicReference<Thread> writerThread = new AtomicReference<>();
        try (WeftRuntime rt = TcpTransportConformanceTest.runtime(t, 1);
             TcpListener l = TcpListener.bind(rt, ANY_LOCAL);
             Socket guestPeer = new Socket();
             ServerSocket peerA = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            TcpStream a = rt.run(() -> TcpStream.connect(rt, (InetSocketAddress) peerA.getLocalSocketAddress(), CONNECT));
            try (Socket aPeer = peerA.accept()) {
                Task<Void> guest = rt.spawn("guest", () -> {
                    guestThread.set(Thread.currentThread());
                    try (TcpStream s = l.accept()) {
                        MessageStream<Object> m = s.messages(Object.class, p -> p.addLast(new ChannelOutboundHandlerAdapter() {
                            @Override
                            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                                inHandler.release();
                                gate.acquireUninterruptibly();
                                ctx.write(msg, promise);
                            }
                        }));
                        for (int i = 0; i < ROUNDS; i++) {
                            m.send(Unpooled.wrappedBuffer(new byte[] {1}));
                            guestDone.release();   // wakes the writer on this carrier, before the loop's next pass
                            roundDone.acquire();
                        }
                        gate.release(ROUNDS);
                        m.close();
                    }
                    return null;
                });
                Task<Void> writer = rt.spawn("writer", () -> {
                    writerThread.set(Thread.currentThread());
                    for (int i = 0; i < ROUNDS; i++) {
                        guestParked.acquire();
                        a.write(new byte[] {(byte) (2 * i)}, 0, 1);       // a guest is parked in the loop: queued
                        firstWritten.release();
                        guestDone.acquire();
                        a.write(new byte[] {(byte) (2 * i + 1)}, 0, 1);   // the guest left: may go in place
                        roundDone.release();
                    }
                    return null;
                });
                guestPeer.connect(l.localAddress(), 5_000);
                for (int i = 0; i < ROUNDS; i++) {
                    assertTrue(inHandler.tryAcquire(10, TimeUnit.SECONDS), "round " + i + ": the guest did not reach the handler");
                    awaitParked(guestThread, "the guest, in the handler");
                    guestParked.release();
                    assertTrue(firstWritten.tryAcquire(10, TimeUnit.SECONDS), "round " + i + ": the first write did not return");
                    awaitParked(writerThread, "the writer, after its first write");
                    gate.release();
                }
                guest.join(Duration.ofSeconds(10));
                writer.join(Duration.ofSeconds(10));

                aPeer.setSoTimeout(10_000);
                InputStream in = aPeer.getInputStream();
                byte[] got = in.readNBytes(2 * ROUNDS);
                assertEquals(2 * ROUNDS, got.length, "bytes lost");
                for (int i = 0; i < got.length; i++) {
                    assertEquals((byte) i, got[i], "byte " + i + ": one task's writes reached the peer out of order");
                }
            } finally {
                a.close();
            }
        }
    }

    /** Waits (bounded) until the task whose thread {@code ref} holds is parked. */
    private static void awaitParked(AtomicReference<Thread> ref, String who) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (true) {
            Thread th = ref.get();
            if (th != null && th.getState() == Thread.State.WAITING) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                fail(who + " did not park within 10 s; state " + (th == null ? "not started" : th.getState()));
            }
            Thread.onSpinWait();
        }
    }
}
