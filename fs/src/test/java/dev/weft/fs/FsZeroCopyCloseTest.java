package dev.weft.fs;

import dev.weft.core.Task;
import dev.weft.core.Transport;
import dev.weft.core.WeftRuntime;
import dev.weft.net.TcpStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

import static dev.weft.fs.FsTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closing a handle while its zero-copy transfer is still being sent: the descriptor number the
 * transport splices from must never be freed under it, or a file opened meanwhile (which gets the
 * same number) is what the peer receives.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class FsZeroCopyCloseTest {
    private static final int SIZE = 32 << 20;
    private static final byte MINE = 'A';
    private static final byte OTHER = 'S';
    private static final int ROUNDS = 20;

    @TempDir
    Path dir;

    @Test
    void closeDuringZeroCopyNeverSendsAnotherFile() throws Exception {
        FsUringTest.assumeUring();
        Path mine = dir.resolve("mine");
        Path other = dir.resolve("other");
        byte[] a = new byte[SIZE];
        Arrays.fill(a, MINE);
        Files.write(mine, a);
        Arrays.fill(a, OTHER);
        Files.write(other, a);
        WeftRuntime rt = WeftRuntime.builder().name("fs-zc-close").transport(Transport.IO_URING).carriers(1).build();
        int leaks = 0;
        int complete = 0;
        try {
            org.junit.jupiter.api.Assumptions.assumeTrue(Uring0.zeroCopy(rt), "no zero-copy transfer here");
            for (int round = 0; round < ROUNDS; round++) {
                Outcome o = round(rt, mine, other);
                if (o.foreign > 0) {
                    leaks++;
                }
                if (o.received == SIZE) {
                    complete++;
                }
            }
        } finally {
            rt.shutdown(Duration.ofSeconds(5));
        }
        assertEquals(0, leaks, leaks + " of " + ROUNDS + " rounds sent the peer bytes of a file opened after the close");
        assertEquals(ROUNDS, complete, "a transfer under way when its handle was closed still sends the whole range ("
                + complete + " of " + ROUNDS + " did)");
    }

    private record Outcome(long received, long foreign) {}

    private Outcome round(WeftRuntime rt, Path mine, Path other) throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.setReceiveBufferSize(64 * 1024);   // the peer's pause holds the transfer well short of its end
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            AtomicLong received = new AtomicLong();
            AtomicLong foreign = new AtomicLong();
            CountDownLatch paused = new CountDownLatch(1);
            CountDownLatch resume = new CountDownLatch(1);
            Thread peer = Thread.ofPlatform().start(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    byte[] buf = new byte[64 * 1024];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        for (int i = 0; i < n; i++) {
                            if (buf[i] != MINE) {
                                foreign.incrementAndGet();
                            }
                        }
                        if (received.addAndGet(n) >= SIZE / 8 && paused.getCount() > 0) {
                            paused.countDown();
                            if (!resume.await(60, TimeUnit.SECONDS)) {
                                return;
                            }
                        }
                    }
                } catch (java.io.IOException | InterruptedException e) {
                    // a failed connection: what arrived is counted
                }
            });
            FileHandle h = rt.run(() -> FileHandle.open(mine));
            Task<Long> sender = rt.spawn(() -> {
                try (TcpStream s = TcpStream.connect((InetSocketAddress) server.getLocalSocketAddress(), Duration.ofSeconds(5))) {
                    long n = h.transferTo(s);
                    s.flush();
                    return n;
                }
            });
            List<FileChannel> others = new ArrayList<>();
            try {
                assertTrue(paused.await(30, TimeUnit.SECONDS), "the transfer never got under way");
                assertFalse(sender.isDone(), "the transfer ended while the peer paused");
                h.close();   // while the transport still splices from the handle's descriptor
                for (int i = 0; i < 4; i++) {   // take the number a close would free (the lowest free one)
                    others.add(FileChannel.open(other));
                }
                resume.countDown();
                try {
                    await("the sender to end", Duration.ofSeconds(20), sender::isDone);
                } catch (AssertionError e) {
                    throw new AssertionError("the transfer hung after the handle was closed; received "
                            + received.get() + " of " + SIZE + ", " + foreign.get() + " of them another file's", e);
                }
                peer.join(TimeUnit.SECONDS.toMillis(30));
                assertFalse(peer.isAlive(), "the peer still reads");
            } finally {
                resume.countDown();
                for (FileChannel c : others) {
                    c.close();
                }
            }
            return new Outcome(received.get(), foreign.get());
        }
    }
}
