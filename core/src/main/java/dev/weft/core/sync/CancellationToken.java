package dev.weft.core.sync;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A cancellation signal that can be observed, awaited, and propagated to child tokens, like
 * tokio-util's {@code CancellationToken}. Cancelling a token cancels all its descendants;
 * cancelling a child does not affect its parent.
 *
 * {@snippet :
 * CancellationToken shutdown = new CancellationToken();
 * CancellationToken request = shutdown.child();
 * try (var reg = request.onCancel(() -> log("request cancelled"))) {
 *     while (!request.isCancelled()) {
 *         work();
 *     }
 * }
 * shutdown.cancel();   // cancels request too; runs the callback if still registered
 * }
 * A child whose work ends without cancellation is {@linkplain #detach() detached}, or its parent
 * keeps it until one of them is cancelled.
 *
 * <p><b>Thread safety and memory consistency:</b> thread-safe; actions before {@link #cancel()}
 * happen-before a return of {@link #isCancelled()} that sees {@code true}, the return of
 * {@link #awaitCancelled()}, and the run of every callback.
 */
public final class CancellationToken {
    private final ReentrantLock lock = new ReentrantLock();
    private final WaitList waiters = new WaitList();
    private Collection<Registration> callbacks = new LinkedHashSet<>();
    /**
     * The registrations of this token's children not yet cancelled; kept after this token is
     * cancelled (each child removes itself once its own cancellation has marked its subtree), so
     * that a cancel racing another one can still walk the subtree (see {@link #cancel()}).
     */
    private final Collection<Registration> children = new LinkedHashSet<>();
    private volatile boolean cancelled;
    /** This token's registration in its parent, removed when this token is cancelled. */
    private volatile Registration inParent;

    /** A new, not cancelled, root token. */
    public CancellationToken() {}

    /**
     * A new token that is cancelled when this one is (at once if this one already is). Cancelling
     * the child leaves this token alone and removes the child from it (no leak).
     *
     * @return the child token
     */
    public CancellationToken child() {
        CancellationToken c = new CancellationToken();
        Registration r = new Registration(this, null, c);   // cancelled by the walk in cancel(), no callback
        // set before the child is reachable from this token: a cancel that finds it there detaches it
        c.inParent = r;
        lock.lock();
        try {
            if (!cancelled) {
                children.add(r);
                return c;
            }
        } finally {
            lock.unlock();
        }
        c.cancel();
        return c;
    }

    /**
     * Cancels this token and its descendants: marks this token and every descendant cancelled and
     * wakes their waiters, then runs the registered callbacks in the calling thread: this token's
     * in registration order, then its children's the same way (depth first, without recursion: a
     * chain of any depth is cancelled). Only the first call on a token runs its callbacks. Never
     * parks (unless a callback does).
     *
     * <p>When this method returns, this token and every descendant are cancelled, also when
     * another thread's cancel of this token or of a descendant is still running callbacks; and a
     * callback runs only once every descendant of its token is cancelled.
     *
     * @throws RuntimeException the first exception a callback threw, with later ones suppressed;
     *                          every callback runs regardless
     * @throws Error            the same, when the first a callback threw is an error (it is not
     *                          wrapped)
     */
    public void cancel() {
        // Descendants are cancelled from a work list, not by recursing through their callbacks: a
        // deep chain of children (token = token.child() in a loop) would overflow the stack. Every
        // descendant is marked before any callback runs, and the walk goes on through tokens that
        // another thread marked first: that thread may still be running callbacks (user code)
        // before it reaches their children, and this call must not return before they are marked.
        ArrayDeque<CancellationToken> work = new ArrayDeque<>();
        List<CancellationToken> marked = new ArrayList<>();
        List<Collection<Registration>> toRun = new ArrayList<>();
        List<CancellationToken> kids = new ArrayList<>();
        work.push(this);
        CancellationToken t;
        while ((t = work.poll()) != null) {
            kids.clear();
            Collection<Registration> own = t.markCancelled(kids);
            if (own != null) {
                marked.add(t);
                toRun.add(own);
            }
            for (int i = kids.size() - 1; i >= 0; i--) {
                work.push(kids.get(i)); // the first child next: depth first, in registration order
            }
        }
        Throwable failure = null;
        for (int k = 0; k < marked.size(); k++) {
            Registration p = marked.get(k).inParent;
            if (p != null) {
                p.close();
            }
            for (Registration r : toRun.get(k)) {
                try {
                    r.callback.run();
                } catch (RuntimeException | Error e) {
                    if (failure == null) {
                        failure = e;
                    } else if (e != failure) {
                        // Two callbacks may throw one shared exception; suppressing it in itself would
                        // throw here and skip the callbacks still to run.
                        failure.addSuppressed(e);
                    }
                }
            }
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) {
            throw (RuntimeException) failure; // a callback is a Runnable: nothing else can be thrown
        }
    }

    /**
     * Adds this token's children to {@code kids}; marks this token cancelled and wakes its waiters.
     * Returns its callbacks, or null if it already was cancelled.
     */
    private Collection<Registration> markCancelled(List<CancellationToken> kids) {
        lock.lock();
        try {
            for (Registration r : children) {
                kids.add(r.child);
            }
            if (cancelled) {
                return null;
            }
            cancelled = true;
            WaitNode n;
            while ((n = waiters.poll()) != null) {
                n.waiter.tryWin(n.index, Boolean.TRUE);
            }
            Collection<Registration> own = callbacks;
            callbacks = null;
            return own;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Detaches this token from its parent: a later cancellation of the parent no longer reaches
     * it (or its descendants), and the parent forgets it. Call it when the work a child token was
     * made for ends without cancellation: a child stays registered in its parent until one of them
     * is cancelled, so a long-lived parent (a server's shutdown token) with a child per request
     * would otherwise keep every one of them. A cancellation of the parent already under way may
     * still reach it. Does nothing for a token made by {@code new} or already detached or
     * cancelled. Never parks.
     *
     * {@snippet :
     * CancellationToken request = shutdown.child();
     * try {
     *     handle(request);
     * } finally {
     *     request.detach();
     * }
     * }
     */
    public void detach() {
        Registration r = inParent;
        if (r != null) {
            inParent = null;
            r.remove();
        }
    }

    /**
     * Whether {@link #cancel()} was called on this token or an ancestor.
     *
     * @return true if cancelled
     */
    public boolean isCancelled() {
        return cancelled;
    }

    /**
     * Parks until this token is cancelled; returns at once if it already is.
     *
     * <p><b>Cancel safety:</b> waiting has no side effect; an interrupt just ends it.
     *
     * @throws InterruptedException if interrupted before or while waiting
     */
    public void awaitCancelled() throws InterruptedException {
        await(false, 0);
    }

    /**
     * As {@link #awaitCancelled()}, waiting at most {@code timeout}.
     *
     * @param timeout how long to wait
     * @return {@code true} if cancelled, {@code false} on timeout
     * @throws InterruptedException if interrupted before or while waiting
     */
    public boolean awaitCancelled(Duration timeout) throws InterruptedException {
        return await(true, Timeouts.deadline(timeout));
    }

    private boolean await(boolean timed, long deadline) throws InterruptedException {
        Timeouts.checkInterrupt();
        if (cancelled) {
            return true;
        }
        WaitNode node = new WaitNode(new SelectWaiter(), 0, null);
        lock.lock();
        try {
            if (cancelled) {
                return true;
            }
            waiters.add(node);
        } finally {
            lock.unlock();
        }
        SelectWaiter.Won won;
        try {
            won = node.waiter.await(timed, deadline);
        } catch (InterruptedException e) {
            unlink(node);
            throw e;
        }
        if (won == null) {
            unlink(node);
            return false;
        }
        return true;
    }

    private void unlink(WaitNode node) {
        lock.lock();
        try {
            waiters.remove(node);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A {@link Select} clause that commits when this token is cancelled.
     *
     * @return the clause; its result is {@code true}
     */
    public SelectClause<Boolean> onCancelled() {
        return (waiter, index) -> {
            lock.lock();
            try {
                if (cancelled) {
                    waiter.tryWin(index, Boolean.TRUE);
                    return SelectClause.Registration.NONE;
                }
                WaitNode node = new WaitNode(waiter, index, null);
                waiters.add(node); // cancel() hands TRUE, the clause's result

                return () -> unlink(node);
            } finally {
                lock.unlock();
            }
        };
    }

    /**
     * Registers {@code callback} to run once when this token is cancelled, in the cancelling
     * thread. If the token is already cancelled, runs it now, in the calling thread.
     *
     * @param callback what to run; it should be short and must not park for long
     * @return a registration whose {@link Registration#close()} removes the callback
     * @throws NullPointerException if {@code callback} is null
     */
    public Registration onCancel(Runnable callback) {
        Objects.requireNonNull(callback, "callback");
        return onCancel(new Registration(this, callback, null));
    }

    private Registration onCancel(Registration r) {
        lock.lock();
        try {
            if (!cancelled) {
                callbacks.add(r);
                return r;
            }
        } finally {
            lock.unlock();
        }
        r.callback.run();
        return r;
    }

    private boolean remove(Registration r) {
        lock.lock();
        try {
            if (r.child != null) {
                return children.remove(r);
            }
            return callbacks != null && callbacks.remove(r);
        } finally {
            lock.unlock();
        }
    }

    /** A callback registered with {@link #onCancel(Runnable)}. */
    public static final class Registration implements AutoCloseable {
        private final CancellationToken token;
        private final Runnable callback;
        /** The child token this registration cancels ({@link #child()}), or null for a callback. */
        private final CancellationToken child;

        private Registration(CancellationToken token, Runnable callback, CancellationToken child) {
            this.token = token;
            this.callback = callback;
            this.child = child;
        }

        /**
         * Removes the callback if it has not run (or started running) yet.
         *
         * @return {@code true} if this call removed it, so it will never run
         */
        public boolean remove() {
            return token.remove(this);
        }

        /** Same as {@link #remove()}, ignoring the result. */
        @Override
        public void close() {
            remove();
        }
    }
}
