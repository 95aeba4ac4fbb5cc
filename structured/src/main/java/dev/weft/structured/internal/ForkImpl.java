package dev.weft.structured.internal;

import dev.weft.core.spi.CancellationSource;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.core.sync.Select;
import dev.weft.core.sync.SelectClause;
import dev.weft.core.sync.SelectWaiter;
import dev.weft.structured.DeadlineExceededException;
import dev.weft.structured.Fork;
import dev.weft.structured.ForkFailedException;

import java.io.InterruptedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.ClosedByInterruptException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;

/**
 * A fork: the body a {@link ScopeCore} hands to {@code StructuredTaskScope.fork} (it never throws:
 * it records the body's outcome here and returns this object), and the handle users hold.
 *
 * <p>Completion is observed through select waiters (a small list under this object's monitor):
 * {@link #join()} is a one-clause select over {@link #onComplete()}, so waiting, interruption and
 * the select protocol are core's. Observing a completion transfers nothing, so any number of
 * waiters may win on it, and a waiter may be told twice. Ending takes no lock: the fork writes
 * its outcome, then, past a full fence, looks for waiters; a registering waiter adds itself (a
 * volatile write), then looks at the outcome, so at least one of the two sees the other. The
 * fence is the scope's count of the ended fork (an atomic add) for a user fork, so a fork's end
 * costs one fence, not two.
 *
 * @param <T> the result type
 */
public final class ForkImpl<T> implements Fork<T>, Callable<Object>, CancellationSource {
    private final ScopeCore scope;
    private final String name;
    final boolean daemon;
    private final Callable<? extends T> body;
    /**
     * The fork's thread, set by the scope's thread factory before it starts (a release store:
     * the thread's start publishes it to the fork itself, and a canceller that reads it too early
     * is covered by the fork's own check of its scope when it starts and before each park).
     */
    volatile Thread thread;
    private volatile boolean cancelRequested;
    /**
     * Null while running; then, for a success, the value itself ({@link #NULL_VALUE} for null),
     * else an {@link Outcome}. A success stores no wrapper: a million forks' outcomes are a
     * million objects less. Written once, by the one thread that ends the fork.
     */
    private volatile Object outcome;
    /**
     * Registered select waiters (changed under the monitor; volatile so that an ending fork can
     * look for them without taking it); created on the first registration, since most forks are
     * only read through {@code resultNow} after their scope's join. Null once completed.
     */
    private volatile List<Node> waiters;

    private static final VarHandle THREAD;
    private static final VarHandle OUTCOME;
    private static final VarHandle CANCEL_REQUESTED;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            THREAD = lookup.findVarHandle(ForkImpl.class, "thread", Thread.class);
            OUTCOME = lookup.findVarHandle(ForkImpl.class, "outcome", Object.class);
            CANCEL_REQUESTED = lookup.findVarHandle(ForkImpl.class, "cancelRequested", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Records the fork's thread (the scope's thread factory, before the thread starts). */
    void setThread(Thread t) {
        THREAD.setRelease(this, t);
    }

    /** How a fork ended, unless it succeeded (a success is its bare value). */
    record Outcome(State state, Throwable error) {}

    private static final Outcome CANCELLED = new Outcome(State.CANCELLED, null);
    /** A successful fork's outcome when its value is null. */
    private static final Object NULL_VALUE = new Object();

    private record Node(SelectWaiter waiter, int index) {}

    ForkImpl(ScopeCore scope, String name, boolean daemon, Callable<? extends T> body) {
        this.scope = scope;
        this.name = name;
        this.daemon = daemon;
        this.body = body;
    }

    /** The fork thread's body: runs the user's callable, records the outcome, never throws. */
    @Override
    public Object call() {
        Object o;
        if (cancelRequested || scope.isCancelled()) {
            o = CANCELLED;
        } else {
            try {
                T v = body.call();
                o = v == null ? NULL_VALUE : v;
            } catch (Throwable t) {
                boolean cancelled = cancelRequested || (scope.isCancelled() && isCancellation(t));
                o = new Outcome(cancelled ? State.CANCELLED : State.FAILED, t);
            }
        }
        finish(o);
        return this;
    }

    /**
     * Sticky cancellation (asked by core's {@code Parking} in this fork's thread, right before it
     * parks): once the fork was cancelled, or its scope was for a reason that cancels this fork
     * (anything but "user forks done" for a user fork), every later wait of the fork throws.
     */
    @Override
    public boolean cancellationRequested() {
        return cancelRequested || scope.cancels(daemon);
    }

    /** Ends a fork whose thread never started (scope cancelled, runtime closed). */
    void finishNotStarted() {
        finish(CANCELLED);
    }

    /**
     * Ends a fork whose thread could not be created or started (the runtime is closed): the
     * caller of fork gets the exception instead of this handle, so no one is told it ended.
     */
    void finishRejected() {
        if (outcome != null) {
            return;
        }
        outcome = CANCELLED;
        synchronized (this) {
            waiters = null; // nobody was handed this fork, so nobody waits for it
        }
        scope.forkRejected(this);
    }

    /**
     * Records the outcome and tells the scope, then the waiters. Called once per fork, by one thread:
     * the fork's own at the end of {@link #call()}, or the owner's for a fork whose thread never
     * started ({@link #finishNotStarted}, {@link #finishRejected}).
     *
     * @param o the value of a success ({@link #NULL_VALUE} for null), else an {@link Outcome}
     */
    private void finish(Object o) {
        if (outcome != null) {
            return;
        }
        if (stateOf(o) == State.FAILED) {
            scope.recordFailure(this); // before the outcome: see ScopeCore.recordFailure
        }
        OUTCOME.setRelease(this, o);   // readers read it as a volatile: they see what the fork did
        THREAD.setRelease(this, (Thread) null);
        if (!scope.forkDone(this)) {
            VarHandle.fullFence();   // a daemon: nothing in forkDone fenced the outcome's write
        }
        if (waiters != null) {   // read past a full fence after the outcome's write: see onComplete
            List<Node> toWake;
            synchronized (this) {
                toWake = waiters;
                waiters = null;
            }
            if (toWake != null) {
                for (Node n : toWake) {
                    n.waiter.tryWin(n.index, this);
                }
            }
        }
    }

    /**
     * Whether {@code t} is how a cancellation ends a body: an interruption, or the exception of a
     * scope it joined that the cancellation reached (a deadline passed for the enclosing scope
     * reaches nested scopes as theirs).
     */
    static boolean isCancellation(Throwable t) {
        return t instanceof InterruptedException || t instanceof CancellationException
                || t instanceof ClosedByInterruptException || t instanceof InterruptedIOException
                || t instanceof DeadlineExceededException;
    }

    /** Interrupts the fork's thread as part of a cancellation (not from the fork itself). */
    void interrupt() {
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            t.interrupt();
        }
    }

    private static State stateOf(Object outcome) {
        if (outcome == null) {
            return State.RUNNING;
        }
        return outcome instanceof Outcome o ? o.state() : State.SUCCEEDED;
    }

    ScopeCore scope() {
        return scope;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public State state() {
        return stateOf(outcome);
    }

    @Override
    public boolean isDone() {
        return outcome != null;
    }

    @Override
    public T join() throws InterruptedException {
        awaitDone();
        return resultNow();
    }

    /**
     * Parks until the fork has ended; see {@link #join()} for interruption. A wait for a task of
     * the runtime: the test clock may still move time for it (see {@link #onComplete()}).
     */
    private void awaitDone() throws InterruptedException {
        if (outcome == null) {
            Select.select(onComplete());
        }
    }

    /**
     * As {@link #awaitDone()}, for a caller that already counts its wait as internal: counting a
     * task twice would let the test clock advance while another task waits on something else.
     */
    void awaitDoneUncounted() throws InterruptedException {
        if (outcome == null) {
            Select.select(completion(false));
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public T resultNow() {
        Object o = outcome;
        if (o == null) {
            throw new IllegalStateException("fork '" + name + "' of scope '" + scope.name() + "' has not ended");
        }
        return switch (stateOf(o)) {
            case SUCCEEDED -> o == NULL_VALUE ? null : (T) o;
            case FAILED -> throw failure();
            case CANCELLED -> throw new CancellationException("fork '" + name + "' of scope '" + scope.name()
                    + "' was cancelled");
            case RUNNING -> throw new AssertionError();
        };
    }

    /** A new exception reporting this fork's failure. */
    ForkFailedException failure() {
        return new ForkFailedException(scope.name(), name, exception());
    }

    @Override
    public Throwable exception() {
        if (!(outcome instanceof Outcome o) || o.state() != State.FAILED) {
            throw new IllegalStateException("fork '" + name + "' did not fail; it is " + state());
        }
        return o.error();
    }

    @Override
    public boolean cancel() {
        if (outcome != null || cancelRequested || !CANCEL_REQUESTED.compareAndSet(this, false, true)) {
            return false; // one caller of many at once requests it (the others return false)
        }
        interrupt();
        scope.cancelChildrenOf(this);
        return true;
    }

    /** Marks the fork cancelled and interrupts it (JoinSet.cancelAll). */
    void cancelQuietly() {
        cancel();
    }

    /** {@inheritDoc} A select waiting for it waits as {@code Task.join} does under a test clock. */
    @Override
    public SelectClause<Fork<T>> onComplete() {
        return completion(true);
    }

    /** @param counted whether a select of only such clauses counts as a wait for tasks (see SelectWaiter.waitsForTasksOf) */
    private SelectClause<Fork<T>> completion(boolean counted) {
        return (waiter, index) -> {
            if (counted) {
                waiter.waitsForTasksOf(scope.runtime());
            }
            Node node;
            synchronized (this) {
                if (outcome == null) {
                    node = new Node(waiter, index);
                    List<Node> list = waiters;
                    if (list == null) {
                        list = new ArrayList<>(2);
                    }
                    list.add(node);
                    waiters = list;   // a volatile write, before the outcome is read again below
                } else {
                    node = null;
                }
            }
            if (node == null || outcome != null) {
                // Ended before, or while, this waiter was added: the ending fork may not have seen
                // it, so it wins here (a second win by the fork itself changes nothing).
                waiter.tryWin(index, this);
                if (node == null) {
                    return SelectClause.Registration.NONE;
                }
            }
            return () -> {
                synchronized (this) {
                    if (waiters != null) {
                        waiters.remove(node);
                    }
                }
            };
        };
    }

    @Override
    public String toString() {
        return "Fork[" + name + ", " + state() + "]";
    }
}
