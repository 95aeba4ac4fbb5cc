package dev.weft.structured;

import dev.weft.core.spi.RuntimeAccess;
import dev.weft.core.sync.Channel;
import dev.weft.core.sync.ReceiveResult;
import dev.weft.core.sync.Select;
import dev.weft.core.sync.SelectClause;
import dev.weft.core.sync.SelectWaiter;
import dev.weft.structured.internal.ForkImpl;
import dev.weft.structured.internal.ScopeCore;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A set of tasks whose results are taken in completion order (Tokio's {@code JoinSet}). The set is
 * a structured scope: its tasks cannot outlive it, and {@link #close()} cancels what is left and
 * waits for it.
 *
 * {@snippet :
 * try (JoinSet<Integer> set = new JoinSet<>("squares")) {
 *     for (int i = 0; i < 10; i++) {
 *         int n = i;
 *         set.spawn(() -> n * n);
 *     }
 *     int sum = 0;
 *     Optional<JoinResult<Integer>> r;
 *     while ((r = set.joinNext()).isPresent()) {
 *         sum += r.get().valueOrThrow();
 *     }
 * }
 * }
 *
 * <p>A failing task does not affect the others (unlike {@link Scope}); its failure is reported
 * by {@code joinNext}. Tasks may be spawned again after {@link #cancelAll()} and between
 * {@code joinNext} calls.
 *
 * <p><b>Thread safety and memory consistency:</b> the set is owned by the thread that created it:
 * only it may {@link #spawn} and {@link #close()}. {@link #joinNext()}, {@link #size()} and
 * {@link #cancelAll()} may be called from any thread. Actions of a task happen-before the
 * {@code joinNext} that returns its result.
 *
 * @param <T> the tasks' result type
 */
public final class JoinSet<T> implements AutoCloseable {
    private final String name;
    private final Channel<ForkImpl<?>> completed = Channel.unbounded();
    private final AtomicInteger size = new AtomicInteger();
    private final ScopeCore core;
    /** Guards {@link #emptyWaiters}. */
    private final Object emptyWaiterLock = new Object();
    /** joinNext calls parked in a select that also waits for the set to become empty. */
    private List<EmptyWaiter> emptyWaiters;

    private record EmptyWaiter(SelectWaiter waiter, int index) {}

    /** What {@link #onEmpty} hands over (never a task's result). */
    private static final Object EMPTY = new Object();

    /** A set named {@code "joinset"}; see {@link #JoinSet(String)}. */
    public JoinSet() {
        this("joinset");
    }

    /**
     * Creates an empty set owned by the calling thread; its tasks run on the caller's runtime.
     *
     * @param name the set's name (thread dumps, errors); tasks are named {@code <name>-<n>}
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public JoinSet(String name) {
        this.name = name;
        this.core = ScopeCore.open(name, ScopeCore.Policy.COLLECT, null, completed::trySend);
    }

    /**
     * Starts {@code body} as a task of this set. Never parks (a virtual-thread owner yields its
     * carrier after every 64th spawn, as {@link Scope#fork(java.util.concurrent.Callable)} does).
     *
     * @param body what the task runs
     * @return the task's handle (dropping it does not cancel the task)
     * @throws WrongThreadException  if the caller does not own the set
     * @throws IllegalStateException if the set is closed
     * @throws java.util.concurrent.RejectedExecutionException if the runtime is closed (the message
     *         names it); the set is then as before the call: no task is counted, no result comes
     */
    public Fork<T> spawn(Callable<? extends T> body) {
        return spawn(null, body);
    }

    /**
     * Starts a named task; see {@link #spawn(Callable)}.
     *
     * @param taskName the task's name, or null for {@code <set>-<n>}
     * @param body     what the task runs
     * @return the task's handle
     * @throws WrongThreadException  if the caller does not own the set
     * @throws IllegalStateException if the set is closed
     * @throws java.util.concurrent.RejectedExecutionException if the runtime is closed; the set is
     *         then unchanged, as for {@link #spawn(Callable)}
     */
    public Fork<T> spawn(String taskName, Callable<? extends T> body) {
        size.incrementAndGet();
        try {
            return core.fork(taskName, body, false);
        } catch (RuntimeException | Error e) {
            // A rejected fork reports no result (ScopeCore.fork), so the set is as before the call.
            taken();
            throw e;
        }
    }

    /**
     * Parks until the next task ends and returns how it ended, in completion order; empty at once
     * if the set holds no task whose result has not been taken.
     *
     * <p>Several threads may call it at once: each result goes to exactly one of them, and a caller
     * still parked when the last result is taken by another (through {@code joinNext},
     * {@link #tryJoinNext()} or {@link #onJoinNext()}) returns empty, so no caller waits for a result
     * that will never come. A task spawned while it waits is waited for too, unless the set was
     * empty in between (then it has already returned empty).
     *
     * <p><b>Cancel safety:</b> if interrupted, no result is taken: it stays for the next call.
     *
     * <p>A task of the set's runtime waiting here waits only on that runtime, so under a test
     * clock's auto-advance virtual time still moves for the set's tasks.
     *
     * @return the next result, or empty if the set is (or, while waiting, became) empty
     * @throws InterruptedException  if interrupted before or while waiting
     * @throws IllegalStateException if the set is closed
     */
    public Optional<JoinResult<T>> joinNext() throws InterruptedException {
        checkOpen();
        if (size.get() == 0) {
            return Optional.empty();
        }
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
        if (completed.tryReceive() instanceof ReceiveResult.Value<ForkImpl<?>> v) {
            taken();
            return Optional.of(toResult(v.value()));
        }
        // Waiting for this set's own tasks: the test clock may still move time for them.
        boolean internal = RuntimeAccess.beginInternalWait(core.runtime());
        Object r;
        try {
            r = Select.select(completed.onReceive(), onEmpty);
        } finally {
            if (internal) {
                RuntimeAccess.endInternalWait(core.runtime());
            }
        }
        if (r == EMPTY) {
            return Optional.empty();
        }
        taken();
        return Optional.of(toResult((ForkImpl<?>) r));
    }

    /** A result was taken (or a spawn undone): wakes parked joinNext calls once none is left. */
    private void taken() {
        if (size.updateAndGet(n -> n > 0 ? n - 1 : 0) == 0) {
            wakeEmptyWaiters();
        }
    }

    private void wakeEmptyWaiters() {
        List<EmptyWaiter> toWake;
        synchronized (emptyWaiterLock) {
            toWake = emptyWaiters;
            emptyWaiters = null;
        }
        if (toWake != null) {
            for (EmptyWaiter w : toWake) {
                w.waiter().tryWin(w.index(), EMPTY);
            }
        }
    }

    /**
     * Commits once the set holds no untaken result. The size is read under the same lock that
     * {@link #wakeEmptyWaiters()} takes after lowering it, so a registration either sees zero or
     * is seen by the wake-up.
     */
    private final SelectClause<Object> onEmpty = (waiter, index) -> {
        EmptyWaiter node = null;
        synchronized (emptyWaiterLock) {
            if (size.get() != 0) {
                node = new EmptyWaiter(waiter, index);
                if (emptyWaiters == null) {
                    emptyWaiters = new ArrayList<>(2);
                }
                emptyWaiters.add(node);
            }
        }
        if (node == null) {
            waiter.tryWin(index, EMPTY);
            return SelectClause.Registration.NONE;
        }
        EmptyWaiter registered = node;
        return () -> {
            synchronized (emptyWaiterLock) {
                if (emptyWaiters != null) {
                    emptyWaiters.remove(registered);
                }
            }
        };
    };

    /**
     * Takes the result of a task that has already ended, if any; never parks.
     *
     * @return the result, or empty if no task has ended since the last one taken
     * @throws IllegalStateException if the set is closed
     */
    public Optional<JoinResult<T>> tryJoinNext() {
        checkOpen();
        if (completed.tryReceive() instanceof ReceiveResult.Value<ForkImpl<?>> v) {
            taken();
            return Optional.of(toResult(v.value()));
        }
        return Optional.empty();
    }

    /**
     * A select clause that commits when a task of this set has ended, taking its result (the
     * result is taken only if this clause wins). It never commits while the set is empty. A
     * select of only such clauses (and timers) waits as {@link #joinNext()} does under a test
     * clock: virtual time moves for the set's tasks.
     *
     * @return the clause
     */
    public SelectClause<JoinResult<T>> onJoinNext() {
        SelectClause<ForkImpl<?>> receive = completed.onReceive();
        SelectClause<ForkImpl<?>> counted = new SelectClause<>() {
            @Override
            public Registration register(SelectWaiter waiter, int index) {
                waiter.waitsForTasksOf(core.runtime());   // a wait for this set's tasks, as joinNext's
                return receive.register(waiter, index);
            }

            @Override
            public ForkImpl<?> complete(Object value) {
                return receive.complete(value);
            }
        };
        return counted.map(f -> {
            taken();
            return toResult(f);
        });
    }

    /**
     * Waits for every task and returns their values in completion order. If a task fails or was
     * cancelled, the others are cancelled, their end awaited, and that first failure thrown (later
     * failures suppressed), as Tokio's {@code join_all}.
     *
     * @return the values, in completion order
     * @throws InterruptedException  if interrupted while waiting; the results not yet taken stay
     * @throws ForkFailedException   for the first task that failed
     * @throws CancellationException if a task was cancelled and none failed
     * @throws IllegalStateException if the set is closed
     */
    public List<T> joinAll() throws InterruptedException {
        List<T> values = new ArrayList<>();
        RuntimeException first = null;
        Optional<JoinResult<T>> r;
        while ((r = joinNext()).isPresent()) {
            switch (r.get()) {
                case JoinResult.Success<T> s -> values.add(s.value());
                case JoinResult.Failure<T> f -> {
                    ForkFailedException e = new ForkFailedException(name, f.name(), f.error());
                    if (first == null || first instanceof CancellationException) {
                        if (first != null) {
                            e.addSuppressed(first);
                        }
                        first = e;
                        cancelAll();
                    } else {
                        first.addSuppressed(e);
                    }
                }
                case JoinResult.Cancelled<T> c -> {
                    if (first == null) {
                        first = new CancellationException("task '" + c.name() + "' of '" + name + "' was cancelled");
                        cancelAll();
                    }
                }
            }
        }
        if (first != null) {
            throw first;
        }
        return values;
    }

    /**
     * Cancels (interrupts) every task still running; never parks. Their results, usually
     * {@link JoinResult.Cancelled}, still come out of {@link #joinNext()}. New tasks may be spawned.
     */
    public void cancelAll() {
        core.cancelForks();
    }

    /** Tasks spawned whose results have not been taken yet (running or ended). */
    public int size() {
        return size.get();
    }

    /** Whether {@link #size()} is zero. */
    public boolean isEmpty() {
        return size.get() == 0;
    }

    /** The set's name. */
    public String name() {
        return name;
    }

    /**
     * Cancels every task still running and waits, not interruptibly, until all have ended; the
     * results not taken are dropped. Idempotent.
     *
     * @throws WrongThreadException if the caller does not own the set
     * @throws IllegalStateException if a scope its owner opened after this set is still open: it
     *                               is cancelled and closed with this one
     */
    @Override
    public void close() {
        core.close();
        // Every task has ended and sent its result: drop those not taken, so that no select over
        // onJoinNext() hands one out later (and the closed set keeps none reachable).
        while (completed.tryReceive() instanceof ReceiveResult.Value<ForkImpl<?>>) {
            // dropped
        }
        size.set(0);
        wakeEmptyWaiters();
    }

    private void checkOpen() {
        if (core.isClosed()) {
            throw new IllegalStateException("join set '" + name + "' is closed");
        }
    }

    @SuppressWarnings("unchecked")
    private JoinResult<T> toResult(ForkImpl<?> f) {
        return switch (f.state()) {
            case SUCCEEDED -> new JoinResult.Success<>(f.name(), (T) f.resultNow());
            case FAILED -> new JoinResult.Failure<>(f.name(), f.exception());
            default -> new JoinResult.Cancelled<>(f.name());
        };
    }

    @Override
    public String toString() {
        return "JoinSet[" + name + ", size=" + size.get() + "]";
    }
}
