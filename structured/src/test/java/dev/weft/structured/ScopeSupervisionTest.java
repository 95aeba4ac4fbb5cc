package dev.weft.structured;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@SuppressWarnings("try") // close() inside the try block is what some tests check
class ScopeSupervisionTest {
    /** One runtime for the class, closed after its last test. */
    @AutoClose
    static final WeftRuntime rt = TestSupport.runtime();

    /** A daemon fork does not keep join waiting; it is cancelled once the user forks are done. */
    @RepeatedTest(10)
    void daemonCancelledWhenUserForksDone() throws Exception {
        rt.run(() -> {
            CountDownLatch release = new CountDownLatch(1);
            Fork<Object> daemon;
            Fork<String> user;
            try (Scope scope = Scope.open("supervised")) {
                daemon = scope.forkDaemon("daemon", TestSupport::parkForever);
                user = scope.fork("user", () -> {
                    release.await();
                    return "done";
                });
                release.countDown();
                scope.join();
                assertEquals("done", user.resultNow());
            }
            assertEquals(Fork.State.CANCELLED, daemon.state(), "daemon ended by close");
            return null;
        });
    }

    /**
     * A daemon that fails as it ends, after a join that returned normally (it catches the
     * cancellation's interrupt and throws its own exception): close throws that failure, naming
     * the fork, once every fork has ended and the scope is closed. Nothing is swallowed.
     */
    @RepeatedTest(10)
    void daemonFailingAsItIsCancelledIsThrownByClose() throws Exception {
        rt.run(() -> {
            Scope scope = Scope.open("late");
            CountDownLatch daemonParked = new CountDownLatch(1);
            CountDownLatch joined = new CountDownLatch(1);
            Fork<Object> daemon = scope.forkDaemon("heartbeat", () -> lateFailure(daemonParked, joined));
            Fork<String> user = scope.fork("user", () -> {
                daemonParked.await();
                return "done";
            });
            scope.join();   // returns normally: the user fork succeeded, the daemon is being cancelled
            assertEquals("done", user.resultNow());
            joined.countDown();   // now the daemon fails
            ForkFailedException e = assertThrows(ForkFailedException.class, scope::close);
            assertEquals("heartbeat", e.forkName());
            assertInstanceOf(IllegalStateException.class, e.getCause());
            assertTrue(daemon.isDone(), "close returned only after the daemon ended");
            scope.close();  // idempotent: reported once
            return null;
        });
    }

    /**
     * A daemon body that, once cancelled, waits (a JDK latch: sticky cancellation fails only
     * Weft's waits) until the owner's join has returned, then fails: a failure join cannot see.
     */
    private static Object lateFailure(CountDownLatch parked, CountDownLatch joined) throws InterruptedException {
        try {
            parked.countDown();
            TestSupport.parkForever();
        } catch (InterruptedException cancelled) {
            joined.await();
            throw new IllegalStateException("connection lost");
        }
        return null;
    }

    /** A daemon ended by the cancellation itself is not a failure: close after a normal join does not throw. */
    @RepeatedTest(10)
    void daemonEndedByTheCancellationIsNotReported() throws Exception {
        rt.run(() -> {
            Fork<Object> daemon;
            try (Scope scope = Scope.open("quiet")) {
                daemon = scope.forkDaemon("heartbeat", TestSupport::parkForever);
                scope.fork("user", () -> "done");
                scope.join();
            }
            assertEquals(Fork.State.CANCELLED, daemon.state());
            return null;
        });
    }

    /** In try-with-resources after a body that threw, the daemon's late failure is suppressed by the body's exception. */
    @RepeatedTest(10)
    void lateDaemonFailureIsSuppressedByTheBodysException() throws Exception {
        rt.run(() -> {
            CountDownLatch daemonParked = new CountDownLatch(1);
            CountDownLatch joined = new CountDownLatch(1);
            IOException body = assertThrows(IOException.class, () -> {
                try (Scope scope = Scope.open("late-suppressed")) {
                    scope.forkDaemon("heartbeat", () -> lateFailure(daemonParked, joined));
                    scope.fork("user", () -> {
                        daemonParked.await();   // the daemon runs: the cancellation reaches its catch
                        return "done";
                    });
                    scope.join();
                    joined.countDown();
                    throw new IOException("body failed");
                }
            });
            assertEquals(1, body.getSuppressed().length, "the daemon's failure is attached to the body's exception");
            ForkFailedException late = assertInstanceOf(ForkFailedException.class, body.getSuppressed()[0]);
            assertEquals("heartbeat", late.forkName());
            return null;
        });
    }

    /** A scope with only daemon forks joins at once and cancels them. */
    @RepeatedTest(10)
    void onlyDaemons() throws Exception {
        rt.run(() -> {
            try (Scope scope = Scope.open("daemons-only")) {
                Fork<Object> d = scope.forkDaemon(TestSupport::parkForever);
                scope.join();
                scope.close();
                assertTrue(d.isDone());
                assertFalse(scope.isCancelled(), "completing normally is not a cancellation");
            }
            return null;
        });
    }

    /** User forks keep the scope open: join returns only after every user fork ended. */
    @RepeatedTest(10)
    void userForksKeepScopeOpen() throws Exception {
        rt.run(() -> {
            AtomicInteger done = new AtomicInteger();
            try (Scope scope = Scope.open("users")) {
                for (int i = 0; i < 100; i++) {
                    scope.fork(() -> {
                        Thread.yield();
                        return done.incrementAndGet();
                    });
                }
                scope.join();
                assertEquals(100, done.get());
            }
            return null;
        });
    }

    /** The first failing fork cancels the scope and join throws it, naming scope and fork. */
    @RepeatedTest(10)
    void failureCancelsScope() throws Exception {
        rt.run(() -> {
            try (Scope scope = Scope.open("failing")) {
                Fork<Object> other = scope.fork("sleeper", TestSupport::parkForever);
                scope.fork("thrower", () -> { throw new IOException("boom"); });
                ForkFailedException e = assertThrows(ForkFailedException.class, scope::join);
                assertEquals("failing", e.scopeName());
                assertEquals("thrower", e.forkName());
                assertTrue(scope.isCancelled());
                scope.close();
                assertEquals(Fork.State.CANCELLED, other.state());
                assertThrows(CancellationException.class, other::resultNow);
            }
            return null;
        });
    }

    /** cancel() from another task cancels the scope and, recursively, scopes opened in its forks. */
    @RepeatedTest(10)
    void cancelIsRecursive() throws Exception {
        rt.run(() -> {
            CountDownLatch leavesParked = new CountDownLatch(4);
            AtomicInteger leavesEnded = new AtomicInteger();
            try (Scope scope = Scope.open("root")) {
                for (int i = 0; i < 2; i++) {
                    scope.fork("mid-" + i, () -> {
                        try (Scope inner = Scope.open("inner")) {
                            for (int j = 0; j < 2; j++) {
                                inner.fork(() -> {
                                    leavesParked.countDown();
                                    try {
                                        return TestSupport.parkForever();
                                    } finally {
                                        leavesEnded.incrementAndGet();
                                    }
                                });
                            }
                            inner.join();
                        }
                        return null;
                    });
                }
                dev.weft.core.Task<?> canceller = rt.spawn(() -> {
                    leavesParked.await();
                    scope.cancel();
                    return null;
                });
                assertThrows(CancellationException.class, scope::join);
                scope.close();
                assertEquals(4, leavesEnded.get(), "every leaf ended before the root's close returned");
                canceller.join();
            }
            return null;
        });
    }

    /** Interrupting the owner while it joins cancels every fork, recursively; close waits for them. */
    @RepeatedTest(10)
    void ownerInterruptCancelsTree() throws Exception {
        CountDownLatch leavesParked = new CountDownLatch(2);
        AtomicInteger leavesEnded = new AtomicInteger();
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread owner = TestSupport.startTask(rt, () -> {
            try (Scope scope = Scope.open("owner-interrupt")) {
                scope.fork(() -> {
                    try (Scope inner = Scope.open("nested")) {
                        inner.fork(() -> {
                            leavesParked.countDown();
                            try {
                                return TestSupport.parkForever();
                            } finally {
                                leavesEnded.incrementAndGet();
                            }
                        });
                        inner.join();
                    }
                    return null;
                });
                scope.fork(() -> {
                    leavesParked.countDown();
                    try {
                        return TestSupport.parkForever();
                    } finally {
                        leavesEnded.incrementAndGet();
                    }
                });
                scope.join();
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
            return null;
        });
        leavesParked.await();
        TestSupport.awaitParked(owner);
        owner.interrupt();
        assertInstanceOf(InterruptedException.class, outcome.get(10, TimeUnit.SECONDS));
        assertEquals(2, leavesEnded.get());
    }

    /** Scope.join with the interrupt status already set throws at once and cancels the forks. */
    @Test
    void joinInterruptedBefore() throws Exception {
        rt.run(() -> {
            try (Scope scope = Scope.open("pre-interrupted")) {
                Fork<Object> f = scope.fork(TestSupport::parkForever);
                Thread.currentThread().interrupt();
                assertThrows(InterruptedException.class, scope::join);
                scope.close();
                assertEquals(Fork.State.CANCELLED, f.state());
            }
            return null;
        });
    }

    /** Closing without join cancels the forks and returns only after they ended. */
    @RepeatedTest(10)
    void closeWithoutJoinCancelsAndWaits() throws Exception {
        rt.run(() -> {
            AtomicInteger ended = new AtomicInteger();
            CountDownLatch started = new CountDownLatch(3);
            Scope scope = Scope.open("no-join");
            for (int i = 0; i < 3; i++) {
                scope.fork(() -> {
                    started.countDown();
                    try {
                        return TestSupport.parkForever();
                    } finally {
                        ended.incrementAndGet();
                    }
                });
            }
            started.await();
            scope.close();
            assertEquals(3, ended.get());
            scope.close(); // idempotent
            return null;
        });
    }

    /** Fork.join parks until that fork ends; interrupted before or during it throws and the fork runs on. */
    @RepeatedTest(10)
    void forkJoin() throws Exception {
        rt.run(() -> {
            try (Scope scope = Scope.open("fork-join")) {
                CountDownLatch go = new CountDownLatch(1);
                Fork<Integer> f = scope.fork(() -> {
                    go.await();
                    return 7;
                });
                Thread.currentThread().interrupt();
                assertThrows(InterruptedException.class, f::join);
                Thread me = Thread.currentThread();
                dev.weft.core.Task<?> interrupter = rt.spawn(() -> {
                    TestSupport.awaitParked(me);
                    me.interrupt();
                    return null;
                });
                assertThrows(InterruptedException.class, f::join);
                interrupter.join();
                assertFalse(f.isDone());
                go.countDown();
                assertEquals(7, f.join());
                scope.join();
            }
            return null;
        });
    }
}
