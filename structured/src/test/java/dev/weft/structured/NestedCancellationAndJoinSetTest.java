package dev.weft.structured;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.timers.Time;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cancellation reaches the scopes a cancelled fork opened, whatever cancelled it (a sibling's
 * failure, a race won by another fork, the user forks being done for a daemon, {@code Fork.cancel}
 * and {@code JoinSet.cancelAll}), also when the fork swallowed its own interrupt and joins its
 * nested scope; and a long-lived {@code JoinSet} neither keeps its failed tasks nor reports a
 * negative size when {@code joinNext} races {@code close}. Each test but the control failed before
 * the fix (the nested forks sleep 20 s; each test allows 10).
 */
class NestedCancellationAndJoinSetTest {
    @AutoClose
    static final WeftRuntime rt = TestSupport.runtime();

    static void within10s(String what, Callable<?> body) throws Exception {
        Task<?> t = rt.spawn(what, body);
        try {
            t.join(Duration.ofSeconds(10));
        } catch (TimeoutException e) {
            throw new AssertionError(what + ": not done within 10 s", e);
        }
    }

    /** A fork that owns a nested scope with a 20 s child, swallows its own cancelling interrupt, then joins the nested scope. */
    static Callable<String> ownerOfNestedScope(CountDownLatch parked) {
        return () -> {
            try (Scope inner = Scope.open("inner")) {
                inner.fork("child", () -> {
                    Time.sleep(Duration.ofSeconds(20));
                    return null;
                });
                parked.countDown();
                try {
                    Time.sleep(Duration.ofHours(1));
                } catch (InterruptedException swallowed) {
                    // ignored: cancellation is sticky and structured, says Scope's javadoc
                }
                inner.join();
            }
            return "loser";
        };
    }

    /** Control: a sibling failure (FAILED) cancels the nested scope of the other fork: passes. */
    @Test
    void controlTryJoinCancelsNestedScopeOfSibling() throws Exception {
        CountDownLatch parked = new CountDownLatch(1);
        within10s("tryJoin", () -> assertThrows(ForkFailedException.class, () -> Structured.tryJoin(
                () -> {
                    parked.await();
                    throw new IllegalStateException("boom");
                },
                ownerOfNestedScope(parked))));
    }

    /** The loser of a race: the win (WON) reaches the loser's nested scope. */
    @Test
    void raceWinCancelsNestedScopeOfLoser() throws Exception {
        CountDownLatch parked = new CountDownLatch(1);
        within10s("race", () -> {
            assertEquals("winner", Structured.race(
                    () -> {
                        parked.await();
                        return "winner";
                    },
                    ownerOfNestedScope(parked)));
            return null;
        });
    }

    /** A daemon's nested scope is cancelled when the user forks are done (DONE). */
    @Test
    void daemonNestedScopeCancelledWhenUserForksDone() throws Exception {
        CountDownLatch parked = new CountDownLatch(1);
        scopeWithDaemon("daemon-before", ownerOfNestedScope(parked), parked);
    }

    /** A scope a daemon opens after it was cancelled (DONE) starts cancelled. */
    @Test
    void scopeOpenedByCancelledDaemonIsCancelled() throws Exception {
        CountDownLatch parked = new CountDownLatch(1);
        scopeWithDaemon("daemon-after", () -> {
            parked.countDown();
            try {
                Time.sleep(Duration.ofHours(1));
            } catch (InterruptedException swallowed) {
                // ignored on purpose: the scope it opens next must still be cancelled
            }
            return Structured.tryJoin(() -> {
                Time.sleep(Duration.ofSeconds(20));
                return "nested ran to the end";
            }, () -> 1);
        }, parked);
    }

    /**
     * In a task, bounded: a scope with {@code daemon} as its daemon fork and one user fork that
     * ends once {@code parked} opens; joins and closes it.
     */
    private static void scopeWithDaemon(String what, Callable<?> daemon, CountDownLatch parked) throws Exception {
        within10s(what, () -> {
            try (Scope s = Scope.open(what)) {
                s.forkDaemon(daemon);
                s.fork(() -> {
                    parked.await();
                    return "user";
                });
                s.join();
            }
            return null;
        });
    }

    /** A long-lived JoinSet keeps no failed task (its handle, its exception) once its result was taken. */
    @Test
    void joinSetDoesNotRetainTakenFailures() throws Exception {
        AtomicReference<int[]> retained = new AtomicReference<>();
        within10s("leak", () -> {
            try (JoinSet<Object> set = new JoinSet<>("leak")) {
                List<WeakReference<Fork<Object>>> failed = new ArrayList<>();
                List<WeakReference<Fork<Object>>> ok = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    failed.add(new WeakReference<>(set.spawn(() -> {
                        throw new IllegalStateException("x".repeat(1000));
                    })));
                    ok.add(new WeakReference<>(set.spawn(() -> "fine")));
                }
                while (set.joinNext().isPresent()) { }
                // more tasks so the fork list compacts and lastEndedFork moves on
                for (int i = 0; i < 300; i++) {
                    set.spawn(() -> "later");
                }
                while (set.joinNext().isPresent()) { }
                for (int i = 0; i < 5; i++) {
                    System.gc();
                }
                int f = 0, o = 0;
                for (var r : failed) if (r.get() != null) f++;
                for (var r : ok) if (r.get() != null) o++;
                retained.set(new int[] {f, o});
            }
            return null;
        });
        int[] r = retained.get();
        assertEquals(0, r[1], "control: successful forks still reachable");
        assertEquals(0, r[0], "failed forks still reachable after their results were taken (of 200)");
    }

    /** joinNext racing close from another thread never drives size() below zero (7 of 40 rounds did). */
    @Test
    void sizeNeverNegativeAfterClose() throws Exception {
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            within10s("neg", () -> {
                JoinSet<Object> set = new JoinSet<>("neg");
                set.spawn(TestSupport::parkForever);
                AtomicReference<Object> got = new AtomicReference<>();
                Thread t = Thread.ofPlatform().start(() -> {
                    try {
                        got.set(set.joinNext());
                    } catch (Throwable e) {
                        got.set(e);
                    }
                });
                TestSupport.awaitParked(t);
                set.close();
                t.join();
                synchronized (sizes) {
                    sizes.add(set.size());
                }
                return null;
            });
        }
        assertTrue(sizes.stream().allMatch(s -> s >= 0), "sizes after close: " + sizes);
    }

    /** JoinSet.cancelAll (Fork.cancel) reaches the cancelled task's nested scope. */
    @Test
    void cancelAllCancelsNestedScopeOfTask() throws Exception {
        CountDownLatch parked = new CountDownLatch(1);
        within10s("cancelAll", () -> {
            try (JoinSet<String> set = new JoinSet<>("js")) {
                set.spawn(ownerOfNestedScope(parked));
                parked.await();
                set.cancelAll();
                set.joinNext();
            }
            return null;
        });
    }
}
