package dev.weft.structured;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Review suspicion 2: once a scope's join has thrown a fork's failure, the owner has been told and
 * handles it; it is not interrupted and not cancelled (as with the JDK's default joiner), so the
 * scopes it opens to recover must run. Before the fix every scope opened inside the failed scope
 * started cancelled: its forks never ran and its join threw {@link CancellationException}. A
 * cancellation or deadline of the scope itself still reaches such scopes (controls).
 */
class RecoveryScopeAfterFailedJoinTest {
    @AutoClose
    static final WeftRuntime rt = TestSupport.runtime();

    @RepeatedTest(20)
    void recoveryScopeRunsAfterFailedJoin() throws Exception {
        rt.run(() -> {
            try (Scope s = Scope.open("primary")) {
                s.fork(() -> {
                    throw new IllegalStateException("primary down");
                });
                assertThrows(ForkFailedException.class, s::join);
                assertFalse(Thread.currentThread().isInterrupted(), "the owner is not interrupted");
                try (Scope recovery = Scope.open("recovery")) {
                    Fork<String> f = recovery.fork(() -> "fallback");
                    recovery.join();
                    assertEquals("fallback", f.resultNow());
                }
                assertEquals("fallback", Structured.tryJoin(() -> "fallback", () -> 1).first());
                assertEquals("fallback", Structured.timeout(Duration.ofSeconds(10), () -> "fallback"));
            }
            return null;
        });
    }

    /** A fork's failure before join still cancels the scope the owner is working in (unchanged). */
    @RepeatedTest(20)
    void failureBeforeJoinStillCancelsOwnersNestedScope() throws Exception {
        rt.run(() -> {
            CountDownLatch nestedParked = new CountDownLatch(1);
            try (Scope s = Scope.open("primary")) {
                s.fork(() -> {
                    nestedParked.await();
                    throw new IllegalStateException("primary down");
                });
                try (Scope nested = Scope.open("nested")) {
                    nested.fork(() -> {
                        nestedParked.countDown();
                        return TestSupport.parkForever();
                    });
                    assertThrows(CancellationException.class, nested::join);
                }
                assertThrows(ForkFailedException.class, s::join);
            }
            return null;
        });
    }

    /** Control: a scope cancelled with cancel() still cancels what its owner opens inside it after join. */
    @Test
    void scopeOpenedInsideCancelledScopeStartsCancelled() throws Exception {
        rt.run(() -> {
            try (Scope s = Scope.open("cancelled")) {
                s.fork(TestSupport::parkForever);
                s.cancel();
                assertThrows(CancellationException.class, s::join);
                try (Scope inner = Scope.open("inner")) {
                    Fork<Object> f = inner.fork(TestSupport::parkForever);
                    assertThrows(CancellationException.class, inner::join);
                    assertEquals(Fork.State.CANCELLED, f.state());
                }
            }
            return null;
        });
    }

    /** Control: after the deadline passed, a scope opened inside is past it too. */
    @Test
    void scopeOpenedInsideTimedOutScopeTimesOut() throws Exception {
        rt.run(() -> {
            try (Scope s = Scope.open("timed", Duration.ofMillis(20))) {
                s.fork(TestSupport::parkForever);
                assertThrows(DeadlineExceededException.class, s::join);
                try (Scope inner = Scope.open("inner")) {
                    inner.fork(TestSupport::parkForever);
                    assertThrows(DeadlineExceededException.class, inner::join);
                }
                assertTrue(s.isCancelled());
            }
            return null;
        });
    }
}
