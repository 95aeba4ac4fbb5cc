package dev.weft.structured;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@SuppressWarnings("try") // close() inside the try block is what some tests check
class ScopeDeadlineTest {
    /** One runtime for the class, closed after its last test. */
    @AutoClose
    static final WeftRuntime rt = TestSupport.runtime();

    /** timeout returns the body's value when it finishes in time. */
    @Test
    void timeoutInTime() throws Exception {
        assertEquals("ok", rt.run(() -> Structured.timeout(Duration.ofSeconds(10), () -> "ok")));
    }

    /** When the time is up, the body is interrupted, has ended, and TimeoutException is thrown. */
    @RepeatedTest(10)
    void timeoutExpires() throws Exception {
        rt.run(() -> {
            AtomicBoolean ended = new AtomicBoolean();
            assertThrows(TimeoutException.class, () -> Structured.timeout(Duration.ofMillis(20), () -> {
                try {
                    return TestSupport.parkForever();
                } finally {
                    ended.set(true);
                }
            }));
            assertTrue(ended.get());
            return null;
        });
    }

    /** The body's failure comes out as ForkFailedException, not as a timeout. */
    @Test
    void timeoutBodyFails() throws Exception {
        rt.run(() -> {
            ForkFailedException e = assertThrows(ForkFailedException.class,
                    () -> Structured.timeout(Duration.ofSeconds(10), () -> { throw new java.io.IOException("x"); }));
            assertInstanceOf(java.io.IOException.class, e.getCause());
            return null;
        });
    }

    /** An inner deadline never outlives the outer one: a 1 h inner timeout ends at the outer 30 ms. */
    @RepeatedTest(10)
    void deadlinesNest() throws Exception {
        rt.run(() -> {
            long t0 = System.nanoTime();
            try (Scope outer = Scope.open("outer", Duration.ofMillis(30))) {
                Fork<Object> f = outer.fork("worker", () -> {
                    try (Scope inner = Scope.open("inner", Duration.ofHours(1))) {
                        assertTrue(inner.remaining().orElseThrow().compareTo(Duration.ofMillis(30)) <= 0,
                                "inner remaining capped by outer");
                        inner.fork(() -> {
                            Thread.sleep(Duration.ofHours(1)); // fails fast at the outer deadline
                            return null;
                        });
                        inner.join();
                    }
                    return null;
                });
                assertThrows(DeadlineExceededException.class, outer::join);
                outer.close();
                assertTrue(f.isDone());
            }
            assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos());
            return null;
        });
    }

    /** A timeout nested in a scope whose deadline passes first ends at that deadline too. */
    @RepeatedTest(10)
    void timeoutInsideDeadline() throws Exception {
        rt.run(() -> {
            try (Scope outer = Scope.open("outer", Duration.ofMillis(20))) {
                Fork<Object> f = outer.fork(() -> Structured.timeout(Duration.ofHours(1), TestSupport::parkForever));
                assertThrows(DeadlineExceededException.class, outer::join);
                outer.close();
                assertEquals(Fork.State.CANCELLED, f.state());
            }
            return null;
        });
    }

    /**
     * A deadline that nested scopes inherit is reported by the scope whose deadline it is: the
     * nested scope's own timer for it may fire before the enclosing one's (on another carrier),
     * and the fork its DeadlineExceededException or TimeoutException then ends must not fail the
     * enclosing scope first. The owner is a platform thread, whose timer runs on another carrier
     * than the forks' own timers.
     */
    @Test
    void inheritedDeadlineIsReportedByTheEnclosingScopeNotAsAForkFailure() throws Exception {
        for (int i = 0; i < 30; i++) {
            try (Scope outer = Scope.open("outer", Duration.ofMillis(5))) {
                Fork<Object> worker = outer.fork("worker", () -> {
                    try (Scope inner = Scope.open("inner")) {
                        inner.fork(TestSupport::parkForever);
                        inner.join();
                    }
                    return null;
                });
                Fork<Object> timed = outer.fork("timed",
                        () -> Structured.timeout(Duration.ofHours(1), TestSupport::parkForever));
                Fork<Object> joined = outer.fork("joined",
                        () -> Structured.join(TestSupport::parkForever, () -> 1));
                DeadlineExceededException e = assertThrows(DeadlineExceededException.class, outer::join,
                        "round " + i);
                assertEquals("outer", e.scopeName());
                outer.close();
                assertEquals(Fork.State.CANCELLED, worker.state(), "round " + i + ": " + worker);
                assertEquals(Fork.State.CANCELLED, joined.state(), "round " + i + ": " + joined);
                assertTrue(timed.isDone());
            }
        }
    }

    /** A zero timeout is already past: forks do not run and join reports the deadline. */
    @Test
    void zeroTimeout() throws Exception {
        rt.run(() -> {
            try (Scope s = Scope.open("zero", Duration.ZERO)) {
                Fork<Integer> f = s.fork(() -> 1);
                assertThrows(DeadlineExceededException.class, s::join);
                assertEquals(Fork.State.CANCELLED, f.state());
                assertEquals(Duration.ZERO, s.remaining().orElseThrow());
            }
            try (Scope s = Scope.open("none")) {
                assertTrue(s.remaining().isEmpty());
                s.join();
            }
            return null;
        });
    }

    /** A channel receive inside a scope fails fast once the scope's deadline has passed. */
    @RepeatedTest(10)
    void receiveFailsAtDeadline() throws Exception {
        rt.run(() -> {
            dev.weft.core.sync.Channel<Integer> ch = dev.weft.core.sync.Channel.bounded(1);
            try (Scope s = Scope.open("recv", Duration.ofMillis(10))) {
                Fork<Integer> f = s.fork(ch::receive);
                assertThrows(DeadlineExceededException.class, s::join);
                s.close();
                assertEquals(Fork.State.CANCELLED, f.state());
            }
            return null;
        });
    }
}
