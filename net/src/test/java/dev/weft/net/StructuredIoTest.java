package dev.weft.net;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.structured.DeadlineExceededException;
import dev.weft.structured.Fork;
import dev.weft.structured.Scope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Timeout;

import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static dev.weft.net.NetTesting.ANY_LOCAL;
import static dev.weft.net.NetTesting.CONNECT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 5: "sleep, receive and I/O inside a scope fail fast once the scope's deadline has passed".
 * A fork reads a stream whose peer never writes: the read ends at the scope's deadline, and so
 * does every later read of the fork, even one after it swallowed the interrupt and cleared it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@SuppressWarnings("try") // close() inside the try block is what the test checks; the peer only holds its stream
class StructuredIoTest {
    static WeftRuntime rt;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("net-structured-test").carriers(2).closeTimeout(Duration.ofSeconds(2)).build();
    }

    @AfterAll
    static void stop() {
        rt.close();
    }

    @RepeatedTest(5)
    void readFailsFastAtScopeDeadline() throws Exception {
        AtomicBoolean firstReadReached = new AtomicBoolean();
        AtomicReference<Throwable> first = new AtomicReference<>();
        AtomicReference<Throwable> second = new AtomicReference<>();
        CountDownLatch peerDone = new CountDownLatch(1);
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            // The peer accepts and then holds the connection open without ever writing.
            Task<Object> peer = rt.spawn("silent-peer", () -> {
                try (TcpStream s = l.accept()) {
                    peerDone.await();
                }
                return null;
            });
            Task<Object> owner = rt.spawn("owner", () -> {
                try (TcpStream s = TcpStream.connect(rt, l.localAddress(), CONNECT);
                     Scope scope = Scope.open("read-with-deadline", Duration.ofMillis(300))) {
                    Fork<Object> f = scope.fork("reader", () -> {
                        byte[] b = new byte[16];
                        firstReadReached.set(true);
                        try {
                            s.read(b);
                        } catch (InterruptedIOException e) {
                            first.set(e);
                            Thread.interrupted(); // swallowed: the fork clears the status and reads on
                        }
                        try {
                            return s.read(b);
                        } catch (Throwable t) {
                            second.set(t);
                            throw t;
                        }
                    });
                    assertThrows(DeadlineExceededException.class, scope::join);
                    scope.close();
                    assertEquals(Fork.State.CANCELLED, f.state());
                }
                return null;
            });
            try {
                owner.join(Duration.ofSeconds(10));
            } catch (TimeoutException e) {
                throw new AssertionError("a fork reading a silent peer did not end within 10 s of its scope's"
                        + " 300 ms deadline (a read after the swallowed interrupt blocked: cancellation is not sticky)", e);
            } finally {
                peerDone.countDown();
            }
            peer.join(Duration.ofSeconds(10));
        }
        assertTrue(firstReadReached.get(), "the fork never ran");
        assertInstanceOf(InterruptedIOException.class, first.get(), "the read at the deadline");
        assertInstanceOf(InterruptedIOException.class, second.get(), "the read after the swallowed interrupt");
    }
}
