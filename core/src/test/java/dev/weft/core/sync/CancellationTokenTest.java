package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link CancellationToken}: cancel, children, waiting, callbacks. */
class CancellationTokenTest {

    /** Cancelling a parent cancels its children (existing and later ones), not the other way round. */
    @Test
    void children() {
        CancellationToken parent = new CancellationToken();
        CancellationToken child = parent.child();
        CancellationToken grandChild = child.child();
        CancellationToken sibling = parent.child();
        sibling.cancel();
        assertFalse(parent.isCancelled());
        assertFalse(child.isCancelled());
        parent.cancel();
        assertTrue(child.isCancelled());
        assertTrue(grandChild.isCancelled());
        assertTrue(parent.child().isCancelled());
        parent.cancel(); // idempotent
    }

    /** awaitCancelled parks until cancel; the timed form returns false on timeout. */
    @Test
    void awaitCancelled() throws Exception {
        CancellationToken t = new CancellationToken();
        assertFalse(t.awaitCancelled(Duration.ofMillis(5)));
        Threads.Task<Void> w = Threads.start(() -> { t.awaitCancelled(); return null; });
        Threads.Task<Boolean> tw = Threads.start(() -> t.awaitCancelled(Duration.ofSeconds(30)));
        Threads.awaitParked(w);
        Threads.awaitParked(tw);
        t.cancel();
        w.get();
        assertTrue(tw.get());
        t.awaitCancelled();
        assertTrue(t.awaitCancelled(Duration.ZERO));
    }

    /** awaitCancelled throws when interrupted before or during the wait. */
    @Test
    void interruption() throws Exception {
        CancellationToken t = new CancellationToken();
        Threads.Task<Void> before = Threads.start(() -> {
            Thread.currentThread().interrupt();
            t.awaitCancelled();
            return null;
        });
        assertInstanceOf(InterruptedException.class, before.join());
        Threads.Task<Boolean> during = Threads.start(() -> t.awaitCancelled(Duration.ofSeconds(30)));
        Threads.awaitParked(during);
        during.thread.interrupt();
        assertInstanceOf(InterruptedException.class, during.join());
    }

    /** Callbacks run once on cancel, in order; removed ones never run; late ones run at once. */
    @Test
    void callbacks() {
        CancellationToken t = new CancellationToken();
        List<String> ran = new ArrayList<>();
        t.onCancel(() -> ran.add("a"));
        CancellationToken.Registration b = t.onCancel(() -> ran.add("b"));
        t.onCancel(() -> ran.add("c"));
        assertTrue(b.remove());
        assertFalse(b.remove());
        t.cancel();
        t.cancel();
        assertEquals(List.of("a", "c"), ran);
        t.onCancel(() -> ran.add("late"));
        assertEquals(List.of("a", "c", "late"), ran);
    }

    /** A failing callback does not stop the others; the first failure is rethrown. */
    @Test
    void failingCallback() {
        CancellationToken t = new CancellationToken();
        AtomicInteger ran = new AtomicInteger();
        t.onCancel(() -> { throw new IllegalStateException("boom"); });
        t.onCancel(ran::incrementAndGet);
        assertThrows(IllegalStateException.class, t::cancel);
        assertEquals(1, ran.get());
        assertTrue(t.isCancelled());
    }

    /**
     * Two callbacks that throw one shared exception (a cached or static one) stop neither the
     * callbacks after them nor the report: the shared exception is rethrown, not an error about
     * suppressing it in itself.
     */
    @Test
    void callbacksThatThrowTheSameExceptionStopNothing() {
        RuntimeException shared = new IllegalStateException("shared failure");
        Throwable thrown = cancelWithFailingCallbacks(shared, shared);
        assertSame(shared, thrown);
        assertEquals(0, shared.getSuppressed().length);
    }

    /** An error thrown by a callback comes out of cancel as it is, not wrapped; the other callbacks still run. */
    @Test
    void aCallbacksErrorIsRethrownAsItIs() {
        AssertionError error = new AssertionError("callback broke");
        Throwable thrown = cancelWithFailingCallbacks(error, new IllegalStateException("second"));
        assertSame(error, thrown);
        assertEquals(1, thrown.getSuppressed().length, "the later failure is suppressed by the first");
    }

    /**
     * Cancels a token whose callbacks throw {@code first} and {@code second}, then count; checks
     * that the counting one ran and returns what cancel threw.
     */
    private static Throwable cancelWithFailingCallbacks(Throwable first, Throwable second) {
        CancellationToken t = new CancellationToken();
        AtomicInteger ran = new AtomicInteger();
        t.onCancel(() -> rethrow(first));
        t.onCancel(() -> rethrow(second));
        t.onCancel(ran::incrementAndGet);
        Throwable thrown = assertThrows(Throwable.class, t::cancel);
        assertEquals(1, ran.get(), "the callback after the two failures ran");
        return thrown;
    }

    /** Throws {@code t}, an unchecked exception or an error. */
    private static void rethrow(Throwable t) {
        if (t instanceof RuntimeException re) {
            throw re;
        }
        throw (Error) t;
    }

    /** Cancelled children remove themselves from the parent (no leak of registrations). */
    @Test
    void childrenDoNotLeak() {
        CancellationToken parent = new CancellationToken();
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < 10_000; i++) {
            CancellationToken c = parent.child();
            c.onCancel(ran::incrementAndGet);
            c.cancel();
        }
        assertEquals(10_000, ran.get());
        CancellationToken last = parent.child();
        parent.cancel();
        assertTrue(last.isCancelled());
        assertEquals(10_000, ran.get(), "cancelled children were not cancelled twice");
    }

    /**
     * A cancel that returns has cancelled every descendant, also when another thread is cancelling
     * a child (or the same token) and is still running its callbacks: cancel used to skip the
     * token another thread had marked, whose children that thread cancels only after its
     * callbacks, so the grandchild stayed uncancelled (and its waiters parked) after
     * {@code parent.cancel()} returned.
     */
    @Test
    void cancelReturnsWithEveryDescendantCancelledWhileAnotherThreadRunsCallbacks() throws Exception {
        for (boolean sameToken : new boolean[] {false, true}) {
            CancellationToken parent = new CancellationToken();
            CancellationToken child = parent.child();
            CancellationToken grandChild = child.child();
            CancellationToken busy = sameToken ? parent : child;
            CountDownLatch inCallback = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            busy.onCancel(() -> {
                inCallback.countDown();
                try {
                    assertTrue(release.await(Threads.LONG.toSeconds(), TimeUnit.SECONDS), "never released");
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            Threads.Task<Void> waiter = Threads.start(() -> {
                grandChild.awaitCancelled();
                return null;
            });
            Threads.awaitParked(waiter);
            Threads.Task<Void> other = Threads.start(() -> {
                busy.cancel();
                return null;
            });
            try {
                assertTrue(inCallback.await(Threads.LONG.toSeconds(), TimeUnit.SECONDS), "callback did not start");
                parent.cancel();
                assertTrue(child.isCancelled(), "child not cancelled after parent.cancel() returned (same token: " + sameToken + ")");
                assertTrue(grandChild.isCancelled(), "grandchild not cancelled after parent.cancel() returned (same token: " + sameToken + ")");
                waiter.get(); // its awaitCancelled returns while the other thread's callback still runs
            } finally {
                release.countDown();
            }
            other.get();
        }
    }

    /** A token's callbacks run once its descendants are cancelled (a callback may wait for work that watches a child). */
    @Test
    void callbacksSeeDescendantsCancelled() {
        CancellationToken parent = new CancellationToken();
        CancellationToken child = parent.child();
        CancellationToken grandChild = child.child();
        List<Boolean> seen = new ArrayList<>();
        parent.onCancel(() -> seen.add(child.isCancelled() && grandChild.isCancelled()));
        child.onCancel(() -> seen.add(grandChild.isCancelled()));
        parent.cancel();
        assertEquals(List.of(true, true), seen);
    }

    /**
     * Cancelling the root of a deep chain of child tokens (token = token.child() in a loop) cancels
     * every descendant: it used to recurse once per level through the children's callbacks, so a
     * deep chain overflowed the stack, cancel() threw StackOverflowError and the deeper tokens
     * stayed uncancelled.
     */
    @Test
    void deepChainOfChildrenIsCancelledWithoutOverflowingTheStack() throws Exception {
        CancellationToken root = new CancellationToken();
        CancellationToken leaf = root;
        for (int i = 0; i < 50_000; i++) {
            leaf = leaf.child();
        }
        AtomicInteger ran = new AtomicInteger();
        leaf.onCancel(ran::incrementAndGet);
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        // a fixed, modest stack, so the outcome does not depend on the runner's default
        Thread t = new Thread(null, () -> {
            try {
                root.cancel();
            } catch (Throwable e) {
                thrown.set(e);
            }
        }, "deep-cancel", 512 * 1024);
        t.start();
        t.join(Threads.LONG.toMillis());
        assertFalse(t.isAlive());
        assertNull(thrown.get(), () -> "cancel threw " + thrown.get());
        assertTrue(leaf.isCancelled());
        assertEquals(1, ran.get());
    }

    /**
     * A detached child is no longer cancelled by its parent, and its parent no longer keeps it:
     * with a child per request under a long-lived parent, every child stayed reachable.
     */
    @Test
    void detachedChildIsForgottenByItsParent() throws Exception {
        CancellationToken parent = new CancellationToken();
        CancellationToken kept = parent.child();
        CancellationToken detached = parent.child();
        CancellationToken grandChild = detached.child();
        detached.detach();
        detached.detach();   // idempotent
        java.lang.ref.ReferenceQueue<CancellationToken> collected = new java.lang.ref.ReferenceQueue<>();
        CancellationToken child = parent.child();
        java.lang.ref.WeakReference<CancellationToken> gone = new java.lang.ref.WeakReference<>(child, collected);
        child.detach();
        child = null;   // only the parent could still reach it
        long end = System.nanoTime() + 10_000_000_000L;
        while (collected.remove(100) == null) {   // the collector enqueues it once only the parent could reach it
            if (System.nanoTime() > end) {
                throw new AssertionError("a detached child is still reachable from its parent after 10 s of GC");
            }
            System.gc();
        }
        assertNull(gone.get());   // also keeps the reference object itself reachable until here
        parent.cancel();
        assertTrue(kept.isCancelled());
        assertFalse(detached.isCancelled(), "a detached child is not cancelled by its parent");
        assertFalse(grandChild.isCancelled(), "nor are its descendants");
        detached.cancel();
        assertTrue(grandChild.isCancelled(), "its own descendants stay attached to it");
    }
}
