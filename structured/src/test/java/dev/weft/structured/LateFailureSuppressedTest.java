package dev.weft.structured;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.RepeatedTest;

import java.io.IOException;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A sibling that fails for real in reaction to the cancellation (it catches the interrupt and
 * throws its own exception) is reported as suppressed, even though it fails only after the owner
 * woke from the JDK's join. Plain cancellation (a sibling that lets the interrupt end it) is not.
 */
class LateFailureSuppressedTest {
    /** One runtime for the class, closed after its last test. */
    @AutoClose
    static final WeftRuntime rt = TestSupport.runtime();

    /** The two forks: the first fails once the second is parked; the second fails late. */
    private static final class Pair {
        final IOException first = new IOException("first failure");
        final IllegalStateException late = new IllegalStateException("cleanup after cancel failed");
        final CountDownLatch siblingParked = new CountDownLatch(1);
        final AtomicReference<Thread> failingThread = new AtomicReference<>();
        final Thread owner = Thread.currentThread();

        Callable<String> failing() {
            return () -> {
                failingThread.set(Thread.currentThread());
                siblingParked.await();
                throw first;
            };
        }

        /** Catches the interrupt and fails only once the owner is parked again after its wake-up. */
        Callable<String> failingLate() {
            return () -> {
                try {
                    siblingParked.countDown();
                    TestSupport.parkForever();
                    throw new AssertionError("unreachable");
                } catch (InterruptedException cancelled) {
                    // The first fork's thread has ended, so the JDK's join has been woken; the owner
                    // then parks again only in a wait for the forks (join, or close without the fix).
                    TestSupport.await("first fork's thread to end", () -> {
                        Thread t = failingThread.get();
                        return t != null && t.getState() == Thread.State.TERMINATED;
                    });
                    TestSupport.awaitParked(owner);
                    throw late;
                }
            };
        }

        void assertReported(ForkFailedException e) {
            assertSame(first, e.getCause(), "the first failure is thrown");
            assertEquals(1, e.getSuppressed().length,
                    "the sibling's own late failure must be suppressed: " + Arrays.toString(e.getSuppressed()));
            ForkFailedException s = assertInstanceOf(ForkFailedException.class, e.getSuppressed()[0]);
            assertSame(late, s.getCause());
        }
    }

    @RepeatedTest(30)
    void tryJoinReportsSiblingFailingAfterCancel() throws Exception {
        rt.run(() -> {
            Pair p = new Pair();
            ForkFailedException e = assertThrows(ForkFailedException.class,
                    () -> Structured.tryJoin(p.failing(), p.failingLate()));
            p.assertReported(e);
            return null;
        });
    }

    @RepeatedTest(30)
    void scopeJoinReportsSiblingFailingAfterCancel() throws Exception {
        rt.run(() -> {
            Pair p = new Pair();
            try (Scope scope = Scope.open("late")) {
                scope.fork("failing", p.failing());
                Fork<String> late = scope.fork("late", p.failingLate());
                ForkFailedException e = assertThrows(ForkFailedException.class, scope::join);
                p.assertReported(e);
                assertTrue(late.isDone(), "join threw, so every fork has ended");
            }
            return null;
        });
    }

    /** A sibling ended by the cancellation itself is cancelled, not a failure: nothing suppressed. */
    @RepeatedTest(30)
    void plainCancellationIsNotSuppressed() throws Exception {
        rt.run(() -> {
            IOException first = new IOException("first failure");
            CountDownLatch parked = new CountDownLatch(1);
            ForkFailedException e = assertThrows(ForkFailedException.class, () -> Structured.tryJoin(
                    () -> {
                        parked.await();
                        throw first;
                    },
                    () -> {
                        parked.countDown();
                        return TestSupport.parkForever();
                    }));
            assertSame(first, e.getCause());
            assertEquals(0, e.getSuppressed().length, Arrays.toString(e.getSuppressed()));
            return null;
        });
    }
}
