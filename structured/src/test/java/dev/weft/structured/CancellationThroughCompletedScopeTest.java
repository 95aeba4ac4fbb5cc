package dev.weft.structured;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.timers.Time;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Review suspicion 1: an enclosing scope's cancellation stopped at a scope that had already
 * completed (its join returned: "user forks done", or a join that threw a fork's failure), so a
 * scope its owner opened inside it afterwards was never cancelled: its forks ran on and its join
 * waited for them. Each test but the controls failed before the fix (the leaves park forever; each
 * test allows 10 s, then cancels the leaf's scope itself so that nothing is left running).
 */
class CancellationThroughCompletedScopeTest {
    @AutoClose
    static final WeftRuntime rt = TestSupport.runtime();

    /** Runs {@code body} as a task; the future completes with what it threw (null if nothing). */
    static CompletableFuture<Throwable> ownerTask(Callable<?> body) {
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        rt.spawn("owner", () -> {
            try {
                body.call();
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
            return null;
        });
        return outcome;
    }

    /**
     * What the owner task threw, within 10 s; else cancels {@code leafScope} (so the stuck owner
     * ends and the runtime closes) and fails saying {@code what}.
     */
    static Throwable within10s(CompletableFuture<Throwable> outcome, AtomicReference<Scope> leafScope, String what)
            throws Exception {
        try {
            return outcome.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            Scope leaf = leafScope.get();
            if (leaf != null) {
                leaf.cancel();
            }
            throw new AssertionError(what, e);
        }
    }

    /** A fork that parks until cancelled; {@code parked} opens once it runs. */
    static Callable<Object> leaf(CountDownLatch parked) {
        return () -> {
            parked.countDown();
            return TestSupport.parkForever();
        };
    }

    /** What is done to the 'middle' scope before the owner opens the leaf's scope in it. */
    private interface MiddleStep {
        void accept(Scope middle) throws Exception;
    }

    /**
     * The owner task opens 'outer', in it 'middle', runs {@code finishMiddle} on 'middle' and then
     * opens {@code leafScopeName} in it with a parked leaf fork; once the leaf runs, cancels 'outer'.
     * Returns what the owner threw; fails with {@code startFailure} if the leaf never ran, with
     * {@code what} if the owner is not done within 10 s.
     */
    private static Throwable cancelOuterOnceLeafParks(MiddleStep finishMiddle, String leafScopeName,
            String startFailure, String what) throws Exception {
        CountDownLatch parked = new CountDownLatch(1);
        AtomicReference<Scope> outer = new AtomicReference<>();
        AtomicReference<Scope> leafScope = new AtomicReference<>();
        CompletableFuture<Throwable> run = ownerTask(() -> {
            try (Scope a = Scope.open("outer")) {
                outer.set(a);
                try (Scope b = Scope.open("middle")) {
                    finishMiddle.accept(b);
                    try (Scope c = Scope.open(leafScopeName)) {
                        leafScope.set(c);
                        c.fork("leaf", leaf(parked));
                        c.join();
                    }
                }
            }
            return null;
        });
        if (!parked.await(10, TimeUnit.SECONDS)) {
            throw new AssertionError(startFailure + ": " + run.getNow(null));
        }
        outer.get().cancel();
        return within10s(run, leafScope, what);
    }

    /** outer.cancel() reaches a scope the owner opened inside a nested scope whose join had returned. */
    @RepeatedTest(20)
    void cancelReachesScopeOpenedInsideJoinedScope() throws Exception {
        Throwable t = cancelOuterOnceLeafParks(b -> {
            b.fork(() -> "quick");
            b.join(); // returns: b is done
        }, "inner", "leaf did not start", "outer.cancel() did not reach the scope opened inside the"
                + " joined 'middle' scope within 10 s: its leaf fork kept running, its join kept waiting");
        assertInstanceOf(CancellationException.class, t, "inner join: " + t);
    }

    /** Control: the same, but 'middle' not joined yet: the cancellation reaches 'inner' (passed before the fix). */
    @RepeatedTest(5)
    void controlCancelReachesScopeOpenedInsideOpenScope() throws Exception {
        CountDownLatch parked = new CountDownLatch(1);
        AtomicReference<Scope> outer = new AtomicReference<>();
        CompletableFuture<Throwable> run = ownerTask(() -> {
            try (Scope a = Scope.open("outer")) {
                outer.set(a);
                try (Scope b = Scope.open("middle")) {
                    try (Scope c = Scope.open("inner")) {
                        c.fork("leaf", leaf(parked));
                        c.join();
                    }
                }
            }
            return null;
        });
        assertTrue(parked.await(10, TimeUnit.SECONDS), "leaf did not start");
        outer.get().cancel();
        assertInstanceOf(CancellationException.class, within10s(run, new AtomicReference<>(), "control: not cancelled"));
    }

    /** A scope opened inside a joined scope after the enclosing scope was cancelled starts cancelled. */
    @Test
    void scopeOpenedAfterCancelInsideJoinedScopeStartsCancelled() throws Exception {
        CountDownLatch middleJoined = new CountDownLatch(1);
        CountDownLatch outerCancelled = new CountDownLatch(1);
        AtomicReference<Scope> outer = new AtomicReference<>();
        AtomicReference<Fork<Object>> leafFork = new AtomicReference<>();
        CompletableFuture<Throwable> run = ownerTask(() -> {
            try (Scope a = Scope.open("outer")) {
                outer.set(a);
                try (Scope b = Scope.open("middle")) {
                    b.fork(() -> "quick");
                    b.join();
                    middleJoined.countDown();
                    outerCancelled.await(); // not interrupted: a.cancel() interrupts forks, not the owner
                    try (Scope c = Scope.open("inner")) {
                        leafFork.set(c.fork("leaf", TestSupport::parkForever));
                        c.join();
                    }
                }
            }
            return null;
        });
        assertTrue(middleJoined.await(10, TimeUnit.SECONDS), "middle scope did not join");
        outer.get().cancel();
        outerCancelled.countDown();
        Throwable t;
        try {
            t = run.get(10, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            TestSupport.await("leaf fork", () -> leafFork.get() != null);
            leafFork.get().cancel();
            throw new AssertionError("a scope opened inside the joined 'middle' scope after 'outer' was"
                    + " cancelled did not start cancelled: its leaf ran for 10 s", e);
        }
        assertInstanceOf(CancellationException.class, t, "inner join: " + t);
        assertEquals(Fork.State.CANCELLED, leafFork.get().state());
    }

    /**
     * In a fork: the fork's scope is cancelled (a sibling fails), the fork had opened a scope that
     * joined and, inside it, one whose leaf is still running; the fork catches its interrupt and then
     * waits outside Weft (a JDK latch, which sticky cancellation does not reach) for the leaf to end.
     * Structured cancellation must end the leaf.
     */
    @RepeatedTest(20)
    void siblingFailureReachesScopeOpenedInsideJoinedScopeOfFork() throws Exception {
        CountDownLatch parked = new CountDownLatch(1);
        CountDownLatch leafEnded = new CountDownLatch(1);
        AtomicReference<Scope> leafScope = new AtomicReference<>();
        Task<?> t = rt.spawn("tryJoin", () -> assertThrows(ForkFailedException.class, () -> Structured.tryJoin(
                () -> {
                    parked.await();
                    throw new IllegalStateException("boom");
                },
                () -> {
                    try (Scope b = Scope.open("middle")) {
                        b.fork(() -> "quick");
                        b.join();
                        try (Scope c = Scope.open("inner")) {
                            leafScope.set(c);
                            c.fork("leaf", () -> {
                                try {
                                    return leaf(parked).call();
                                } finally {
                                    leafEnded.countDown();
                                }
                            });
                            try {
                                Time.sleep(Duration.ofHours(1));
                            } catch (InterruptedException swallowed) {
                                // ignored: the leaf is cancelled by structure, not by this fork
                            }
                            leafEnded.await(); // a JDK wait: sees only the first interrupt
                            c.join();
                        }
                    }
                    return "loser";
                })));
        try {
            t.join(Duration.ofSeconds(10));
        } catch (TimeoutException e) {
            leafScope.get().cancel();
            throw new AssertionError("the tryJoin's failure did not reach the leaf of the scope its"
                    + " other fork opened inside a joined scope within 10 s", e);
        }
    }

    /** outer.cancel() reaches a recovery scope opened inside a scope whose join threw a fork's failure. */
    @RepeatedTest(20)
    void cancelReachesRecoveryScopeInsideFailedScope() throws Exception {
        Throwable t = cancelOuterOnceLeafParks(b -> {
            b.fork(() -> {
                throw new IllegalStateException("boom");
            });
            assertThrows(ForkFailedException.class, b::join);
        }, "recovery", "the recovery scope's fork never ran", "outer.cancel() did not reach the recovery scope opened"
                + " inside the failed 'middle' scope within 10 s");
        assertInstanceOf(CancellationException.class, t, "recovery join: " + t);
    }
}
