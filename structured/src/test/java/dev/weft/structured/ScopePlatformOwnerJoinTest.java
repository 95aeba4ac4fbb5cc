package dev.weft.structured;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static dev.weft.core.testsupport.BlocksUntilReleased.assertBlocksUntilReleased;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A scope owned by a platform thread (here the test's own thread; the forks run on the shared
 * runtime). Its {@code join} spins briefly before it blocks, so that forks which return at once
 * do not cost the owner a sleep in the kernel; what {@code join} promises must not change:
 * every user fork's outcome is seen, failures are thrown, daemons are cancelled, and forks slower
 * than the spin are waited for with the owner blocked, not spinning.
 */
class ScopePlatformOwnerJoinTest {

    @Test
    void manySmallScopesSeeEveryResultAndCloseEndsEveryThread() throws Exception {
        assertFalse(Thread.currentThread().isVirtual(), "the owner must be a platform thread");
        long sum = 0;
        long expected = 0;
        for (int s = 0; s < 5_000; s++) {
            List<AtomicReference<Thread>> threads = new ArrayList<>();
            Fork<Long> a;
            Fork<Long> b;
            try (Scope scope = Scope.open("small")) {
                a = scope.fork(forkRecording(threads, s));
                b = scope.fork(forkRecording(threads, 2L * s));
                if (s % 10 == 0) {
                    // A daemon does not keep join waiting: it is cancelled once the user forks are done.
                    scope.forkDaemon(() -> {
                        new CountDownLatch(1).await();
                        return null;
                    });
                }
                scope.join();
                sum += a.resultNow() + b.resultNow();
                expected += 3L * s;
            }
            for (AtomicReference<Thread> t : threads) {
                assertFalse(t.get().isAlive(), "scope " + s + ": a fork's thread outlived close");
            }
        }
        assertEquals(expected, sum);
    }

    private static java.util.concurrent.Callable<Long> forkRecording(List<AtomicReference<Thread>> threads, long value) {
        AtomicReference<Thread> ref = new AtomicReference<>();
        threads.add(ref);
        return () -> {
            ref.set(Thread.currentThread());
            return value;
        };
    }

    @Test
    void forksSlowerThanTheSpinAreWaitedForWithTheOwnerBlocked() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (Scope scope = Scope.open("slow")) {
            Fork<String> a = scope.fork(() -> {
                release.await();
                return "a";
            });
            Fork<String> b = scope.fork(() -> "b");
            assertBlocksUntilReleased(release, scope::join);
            assertEquals("a", a.resultNow());
            assertEquals("b", b.resultNow());
        }
    }

    @Test
    void aFailureIsThrownAfterTheSpin() {
        IllegalStateException boom = new IllegalStateException("boom");
        ForkFailedException e = assertThrows(ForkFailedException.class, () -> {
            try (Scope scope = Scope.open("failing")) {
                scope.fork(() -> 1);
                scope.fork(() -> {
                    throw boom;
                });
                scope.join();
            }
        });
        assertSame(boom, e.getCause());
    }

    @Test
    void aScopeWhoseForksNeverStartedJoinsAtOnce() {
        // A fork of a cancelled scope ends on the owner's thread without starting: no fork thread
        // ran for the spin to wait on, and join reports the cancellation.
        try (Scope scope = Scope.open("cancelled")) {
            scope.cancel();
            Fork<Integer> f = scope.fork(() -> 1);
            assertTrue(f.isDone());
            assertThrows(java.util.concurrent.CancellationException.class, scope::join);
        }
    }
}
