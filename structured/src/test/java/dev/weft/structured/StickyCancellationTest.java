package dev.weft.structured;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.core.sync.Channel;
import dev.weft.core.sync.ReceiveResult;
import dev.weft.timers.Time;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sticky cancellation (issue 5: "sleep, receive and I/O inside a scope fail fast once the scope's
 * deadline has passed"): a fork that catches the interrupt that cancelled its scope and then waits
 * again fails at once instead of waiting. Every fork's second wait is 30 s or unbounded, and every
 * scenario must end within 10 s, so a regression fails with a message, never by hanging.
 */
@SuppressWarnings("try") // close() inside the try block is what the tests check
class StickyCancellationTest {
    /** One runtime for the class, closed after its last test. */
    @AutoClose
    static final WeftRuntime rt = TestSupport.runtime();

    /** A wait after the swallowed interrupt (the operation under test). */
    @FunctionalInterface
    interface Wait {
        void run() throws Exception;
    }

    /** What a "swallowing" fork saw. */
    static final class Seen {
        final AtomicBoolean firstWaitReached = new AtomicBoolean();
        final AtomicBoolean swallowed = new AtomicBoolean();
        final AtomicReference<Throwable> second = new AtomicReference<>();
    }

    /**
     * A fork body that waits an hour, swallows the interrupt that ends that wait, then waits again
     * with {@code again} and records (and rethrows) what that second wait threw.
     */
    static Callable<Object> swallowThenWait(Seen seen, Wait again) {
        return () -> {
            seen.firstWaitReached.set(true);
            try {
                Time.sleep(Duration.ofHours(1));
            } catch (InterruptedException swallowed) {
                seen.swallowed.set(true); // ignored on purpose: the scope is cancelled anyway
            }
            try {
                again.run();
            } catch (Throwable t) {
                seen.second.set(t);
                throw t;
            }
            return "second wait returned normally";
        };
    }

    /** Runs {@code body} as a task and fails with a clear message unless it ends within 10 s. */
    static void within10s(String what, Callable<?> body) throws Exception {
        Task<?> t = rt.spawn(what, body);
        try {
            t.join(Duration.ofSeconds(10));
        } catch (TimeoutException e) {
            throw new AssertionError(what + ": not done 10 s after its scope was cancelled; a fork that had"
                    + " swallowed the cancelling interrupt blocked in its next wait (cancellation is not sticky)", e);
        }
    }

    /** The fork swallowed the first interrupt, and its second wait threw {@code expected}. */
    static void assertSecondWaitThrew(Seen seen, Class<? extends Throwable> expected) {
        assertTrue(seen.firstWaitReached.get(), "the fork never ran (its scope was cancelled before it started)");
        assertTrue(seen.swallowed.get(), "the fork's first wait was not interrupted");
        assertInstanceOf(expected, seen.second.get(), "what the fork's wait after the swallowed interrupt threw");
    }

    /** Scope deadline (300 ms), a fork swallowing the interrupt, then {@code again}: ends promptly. */
    static void afterDeadline(String name, Wait again) throws Exception {
        Seen seen = new Seen();
        within10s(name, () -> {
            try (Scope s = Scope.open(name, Duration.ofMillis(300))) {
                Fork<Object> f = s.fork(swallowThenWait(seen, again));
                assertThrows(DeadlineExceededException.class, s::join);
                s.close();
                assertEquals(Fork.State.CANCELLED, f.state(), "a fork ending on the interruption is cancelled");
            }
            return null;
        });
        assertSecondWaitThrew(seen, InterruptedException.class);
    }

    @RepeatedTest(5)
    void sleepAfterDeadline() throws Exception {
        afterDeadline("sleep-after-deadline", () -> Time.sleep(Duration.ofSeconds(30)));
    }

    @RepeatedTest(5)
    void receiveAfterDeadline() throws Exception {
        Channel<Integer> ch = Channel.bounded(1);
        afterDeadline("receive-after-deadline", ch::receive);
    }

    @RepeatedTest(5)
    void timedReceiveAfterDeadline() throws Exception {
        Channel<Integer> ch = Channel.bounded(1);
        afterDeadline("timed-receive-after-deadline", () -> ch.receive(Duration.ofSeconds(30)));
    }

    @RepeatedTest(5)
    void sendToFullChannelAfterDeadline() throws Exception {
        Channel<Integer> ch = Channel.bounded(1);
        ch.send(1);
        afterDeadline("send-after-deadline", () -> ch.send(2));
    }

    /** Not just once: every later wait of the fork throws. */
    @Test
    void everyLaterWaitThrows() throws Exception {
        Channel<Integer> ch = Channel.bounded(1);
        afterDeadline("every-wait", () -> {
            for (int i = 0; i < 3; i++) {
                try {
                    Time.sleep(Duration.ofSeconds(30));
                } catch (InterruptedException again) {
                    // swallowed again
                }
            }
            ch.receive(Duration.ofSeconds(30));
        });
    }

    /** An explicit cancel() is sticky too. */
    @RepeatedTest(5)
    void afterCancel() throws Exception {
        Seen seen = new Seen();
        within10s("after-cancel", () -> {
            try (Scope s = Scope.open("after-cancel")) {
                s.fork(swallowThenWait(seen, () -> Time.sleep(Duration.ofSeconds(30))));
                TestSupport.await("the fork to reach its first wait", seen.firstWaitReached::get);
                s.cancel();
                assertThrows(CancellationException.class, s::join);
            }
            return null;
        });
        assertSecondWaitThrew(seen, InterruptedException.class);
    }

    /** A sibling's failure cancels the scope: sticky for the other forks. */
    @RepeatedTest(5)
    void afterSiblingFailure() throws Exception {
        Seen seen = new Seen();
        within10s("after-failure", () -> {
            try (Scope s = Scope.open("after-failure")) {
                s.fork(swallowThenWait(seen, () -> Time.sleep(Duration.ofSeconds(30))));
                s.fork(() -> {
                    TestSupport.await("the sibling to reach its first wait", seen.firstWaitReached::get);
                    throw new IOException("boom");
                });
                ForkFailedException e = assertThrows(ForkFailedException.class, s::join);
                assertInstanceOf(IOException.class, e.getCause());
            }
            return null;
        });
        assertSecondWaitThrew(seen, InterruptedException.class);
    }

    /** An enclosing scope's deadline reaches the forks of a scope opened inside a fork. */
    @RepeatedTest(5)
    void nestedScopeAfterOuterDeadline() throws Exception {
        Seen seen = new Seen();
        within10s("nested", () -> {
            try (Scope outer = Scope.open("outer", Duration.ofMillis(300))) {
                outer.fork(() -> {
                    try (Scope inner = Scope.open("inner")) {
                        inner.fork(swallowThenWait(seen, () -> Time.sleep(Duration.ofSeconds(30))));
                        inner.join();
                    }
                    return null;
                });
                assertThrows(DeadlineExceededException.class, outer::join);
            }
            return null;
        });
        assertSecondWaitThrew(seen, InterruptedException.class);
    }

    /**
     * Daemon forks are cancelled once the user forks are done (Scope's documented semantics), and
     * that cancellation is sticky too; the user fork, already done, is not affected.
     */
    @RepeatedTest(5)
    void daemonAfterUserForksDone() throws Exception {
        Seen seen = new Seen();
        within10s("daemon", () -> {
            try (Scope s = Scope.open("daemon")) {
                s.forkDaemon("heartbeat", swallowThenWait(seen, () -> Time.sleep(Duration.ofSeconds(30))));
                Fork<String> user = s.fork("user", () -> {
                    TestSupport.await("the daemon to reach its first wait", seen.firstWaitReached::get);
                    Time.sleep(Duration.ofMillis(20)); // a wait of a user fork: not cancelled
                    return "done";
                });
                s.join();
                assertEquals("done", user.resultNow());
            }
            return null;
        });
        assertSecondWaitThrew(seen, InterruptedException.class);
    }

    /** Only waits that would block are cut short: a ready channel still hands over its value. */
    @RepeatedTest(3)
    void readyChannelStillReceives() throws Exception {
        Channel<Integer> ch = Channel.bounded(1);
        ch.send(42);
        AtomicReference<Object> got = new AtomicReference<>();
        Seen seen = new Seen();
        within10s("ready", () -> {
            try (Scope s = Scope.open("ready", Duration.ofMillis(300))) {
                s.fork(swallowThenWait(seen, () -> {
                    got.set(ch.receive());
                    Time.sleep(Duration.ofSeconds(30));
                }));
                assertThrows(DeadlineExceededException.class, s::join);
            }
            return null;
        });
        assertEquals(42, got.get());
        assertSecondWaitThrew(seen, InterruptedException.class);
    }

    /**
     * A fork of a scope that is not cancelled is unaffected: an interrupt it gets (and swallows)
     * from elsewhere ends one wait only, and its later waits wait their full time.
     */
    @RepeatedTest(3)
    void notCancelledScopeUnaffected() throws Exception {
        Channel<Integer> ch = Channel.bounded(1);
        within10s("not-cancelled", () -> {
            try (Scope s = Scope.open("not-cancelled", Duration.ofSeconds(30))) {
                Fork<String> f = s.fork(() -> {
                    Thread.currentThread().interrupt(); // a stray interrupt, not a cancellation
                    assertThrows(InterruptedException.class, () -> Time.sleep(Duration.ofHours(1)));
                    long t0 = System.nanoTime();
                    Time.sleep(Duration.ofMillis(50));
                    assertInstanceOf(ReceiveResult.Empty.class, ch.receive(Duration.ofMillis(50)));
                    long waited = System.nanoTime() - t0;
                    assertTrue(waited >= Duration.ofMillis(90).toNanos(), "waited the full time, was " + waited + " ns");
                    assertTrue(!Thread.currentThread().isInterrupted(), "no interrupt left behind");
                    return "ok";
                });
                s.join();
                assertEquals("ok", f.resultNow());
            }
            return null;
        });
    }
}
