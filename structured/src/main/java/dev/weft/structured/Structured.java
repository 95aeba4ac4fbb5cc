package dev.weft.structured;

import dev.weft.core.sync.Select;
import dev.weft.core.sync.SelectClause;
import dev.weft.structured.internal.ForkImpl;
import dev.weft.structured.internal.ScopeCore;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * The structured verbs: {@link #join}, {@link #tryJoin}, {@link #race}, {@link #timeout} and
 * {@link #select}. Each runs its callables as forks of a short-lived {@link Scope} (named after the
 * verb), so when it returns or throws, every task it started has ended.
 *
 * {@snippet :
 * Tuple2<String, Integer> r = Structured.join(() -> loadName(id), () -> loadAge(id));
 * String fastest = Structured.race(() -> fromMirror(1), () -> fromMirror(2));
 * String quick = Structured.timeout(Duration.ofSeconds(1), () -> slowCall());
 * }
 *
 * <p><b>Cancellation:</b> interrupting the caller cancels every fork it started; the method
 * throws {@link InterruptedException} once they all ended. Deadlines of enclosing scopes apply:
 * the forks are cancelled when the enclosing scope's deadline passes. A verb called in a scope
 * that is cancelled, or whose deadline passes, throws (unchecked, not listed on each method)
 * {@link java.util.concurrent.CancellationException} or {@link DeadlineExceededException}, naming
 * the verb's own scope ({@code "join"}, {@code "race"}, ...), once all its forks ended
 * ({@link #timeout} throws its {@link java.util.concurrent.TimeoutException} for an enclosing
 * deadline too).
 *
 * <p><b>Memory consistency:</b> actions before the call happen-before each callable runs; actions
 * of each callable happen-before the call returns or throws.
 */
public final class Structured {
    private Structured() {}

    /**
     * Runs the callables concurrently as forks of a scope named {@code "join"}, waits for all of
     * them (a failure does not cancel the others, as Tokio's {@code join!}), and returns their results
     * in argument order.
     *
     * @throws ForkFailedException  after all ended, for the first that failed (the other failures suppressed)
     * @throws InterruptedException if interrupted before or while waiting; all forks are then
     *                              cancelled and have ended when this throws
     * @throws NullPointerException if a callable is null
     */
    @SuppressWarnings("unchecked")
    public static <A, B> Tuple2<A, B> join(Callable<? extends A> a, Callable<? extends B> b) throws InterruptedException {
        List<Object> r = all("join", ScopeCore.Policy.WAIT_ALL, List.of(a, b));
        return new Tuple2<>((A) r.get(0), (B) r.get(1));
    }

    /**
     * Runs the callables concurrently as forks of a scope named {@code "join"}, waits for all of
     * them (a failure does not cancel the others, as Tokio's {@code join!}), and returns their results
     * in argument order.
     *
     * @throws ForkFailedException  after all ended, for the first that failed (the other failures suppressed)
     * @throws InterruptedException if interrupted before or while waiting; all forks are then
     *                              cancelled and have ended when this throws
     * @throws NullPointerException if a callable is null
     */
    @SuppressWarnings("unchecked")
    public static <A, B, C> Tuple3<A, B, C> join(Callable<? extends A> a, Callable<? extends B> b, Callable<? extends C> c) throws InterruptedException {
        List<Object> r = all("join", ScopeCore.Policy.WAIT_ALL, List.of(a, b, c));
        return new Tuple3<>((A) r.get(0), (B) r.get(1), (C) r.get(2));
    }

    /**
     * Runs the callables concurrently as forks of a scope named {@code "join"}, waits for all of
     * them (a failure does not cancel the others, as Tokio's {@code join!}), and returns their results
     * in argument order.
     *
     * @throws ForkFailedException  after all ended, for the first that failed (the other failures suppressed)
     * @throws InterruptedException if interrupted before or while waiting; all forks are then
     *                              cancelled and have ended when this throws
     * @throws NullPointerException if a callable is null
     */
    @SuppressWarnings("unchecked")
    public static <A, B, C, D> Tuple4<A, B, C, D> join(Callable<? extends A> a, Callable<? extends B> b, Callable<? extends C> c, Callable<? extends D> d) throws InterruptedException {
        List<Object> r = all("join", ScopeCore.Policy.WAIT_ALL, List.of(a, b, c, d));
        return new Tuple4<>((A) r.get(0), (B) r.get(1), (C) r.get(2), (D) r.get(3));
    }

    /**
     * Runs the callables concurrently as forks of a scope named {@code "join"}, waits for all of
     * them (a failure does not cancel the others, as Tokio's {@code join!}), and returns their results
     * in argument order.
     *
     * @throws ForkFailedException  after all ended, for the first that failed (the other failures suppressed)
     * @throws InterruptedException if interrupted before or while waiting; all forks are then
     *                              cancelled and have ended when this throws
     * @throws NullPointerException if a callable is null
     */
    @SuppressWarnings("unchecked")
    public static <A, B, C, D, E> Tuple5<A, B, C, D, E> join(Callable<? extends A> a, Callable<? extends B> b, Callable<? extends C> c, Callable<? extends D> d, Callable<? extends E> e) throws InterruptedException {
        List<Object> r = all("join", ScopeCore.Policy.WAIT_ALL, List.of(a, b, c, d, e));
        return new Tuple5<>((A) r.get(0), (B) r.get(1), (C) r.get(2), (D) r.get(3), (E) r.get(4));
    }

    /**
     * Runs the callables concurrently as forks of a scope named {@code "join"}, waits for all of
     * them (a failure does not cancel the others, as Tokio's {@code join!}), and returns their results
     * in argument order.
     *
     * @throws ForkFailedException  after all ended, for the first that failed (the other failures suppressed)
     * @throws InterruptedException if interrupted before or while waiting; all forks are then
     *                              cancelled and have ended when this throws
     * @throws NullPointerException if a callable is null
     */
    @SuppressWarnings("unchecked")
    public static <A, B, C, D, E, F> Tuple6<A, B, C, D, E, F> join(Callable<? extends A> a, Callable<? extends B> b, Callable<? extends C> c, Callable<? extends D> d, Callable<? extends E> e, Callable<? extends F> f) throws InterruptedException {
        List<Object> r = all("join", ScopeCore.Policy.WAIT_ALL, List.of(a, b, c, d, e, f));
        return new Tuple6<>((A) r.get(0), (B) r.get(1), (C) r.get(2), (D) r.get(3), (E) r.get(4), (F) r.get(5));
    }

    /**
     * Runs the callables concurrently as forks of a scope named {@code "tryJoin"} and returns their
     * results in argument order. The first failure cancels the others, waits for them to end, and is
     * thrown (Tokio's {@code try_join!}).
     *
     * @throws ForkFailedException  for the first that failed, thrown once all forks ended; the other
     *                              genuine failures suppressed, also those of forks that failed while
     *                              reacting to the cancellation (not an {@code InterruptedException} or
     *                              other cancellation that merely ended a fork)
     * @throws InterruptedException if interrupted before or while waiting; all forks are then
     *                              cancelled and have ended when this throws
     * @throws NullPointerException if a callable is null
     */
    @SuppressWarnings("unchecked")
    public static <A, B> Tuple2<A, B> tryJoin(Callable<? extends A> a, Callable<? extends B> b) throws InterruptedException {
        List<Object> r = all("tryJoin", ScopeCore.Policy.FAIL_FAST, List.of(a, b));
        return new Tuple2<>((A) r.get(0), (B) r.get(1));
    }

    /**
     * Runs the callables concurrently as forks of a scope named {@code "tryJoin"} and returns their
     * results in argument order. The first failure cancels the others, waits for them to end, and is
     * thrown (Tokio's {@code try_join!}).
     *
     * @throws ForkFailedException  for the first that failed, thrown once all forks ended; the other
     *                              genuine failures suppressed, also those of forks that failed while
     *                              reacting to the cancellation (not an {@code InterruptedException} or
     *                              other cancellation that merely ended a fork)
     * @throws InterruptedException if interrupted before or while waiting; all forks are then
     *                              cancelled and have ended when this throws
     * @throws NullPointerException if a callable is null
     */
    @SuppressWarnings("unchecked")
    public static <A, B, C> Tuple3<A, B, C> tryJoin(Callable<? extends A> a, Callable<? extends B> b, Callable<? extends C> c) throws InterruptedException {
        List<Object> r = all("tryJoin", ScopeCore.Policy.FAIL_FAST, List.of(a, b, c));
        return new Tuple3<>((A) r.get(0), (B) r.get(1), (C) r.get(2));
    }

    /**
     * Runs the callables concurrently as forks of a scope named {@code "tryJoin"} and returns their
     * results in argument order. The first failure cancels the others, waits for them to end, and is
     * thrown (Tokio's {@code try_join!}).
     *
     * @throws ForkFailedException  for the first that failed, thrown once all forks ended; the other
     *                              genuine failures suppressed, also those of forks that failed while
     *                              reacting to the cancellation (not an {@code InterruptedException} or
     *                              other cancellation that merely ended a fork)
     * @throws InterruptedException if interrupted before or while waiting; all forks are then
     *                              cancelled and have ended when this throws
     * @throws NullPointerException if a callable is null
     */
    @SuppressWarnings("unchecked")
    public static <A, B, C, D> Tuple4<A, B, C, D> tryJoin(Callable<? extends A> a, Callable<? extends B> b, Callable<? extends C> c, Callable<? extends D> d) throws InterruptedException {
        List<Object> r = all("tryJoin", ScopeCore.Policy.FAIL_FAST, List.of(a, b, c, d));
        return new Tuple4<>((A) r.get(0), (B) r.get(1), (C) r.get(2), (D) r.get(3));
    }

    /**
     * Runs the callables concurrently as forks of a scope named {@code "tryJoin"} and returns their
     * results in argument order. The first failure cancels the others, waits for them to end, and is
     * thrown (Tokio's {@code try_join!}).
     *
     * @throws ForkFailedException  for the first that failed, thrown once all forks ended; the other
     *                              genuine failures suppressed, also those of forks that failed while
     *                              reacting to the cancellation (not an {@code InterruptedException} or
     *                              other cancellation that merely ended a fork)
     * @throws InterruptedException if interrupted before or while waiting; all forks are then
     *                              cancelled and have ended when this throws
     * @throws NullPointerException if a callable is null
     */
    @SuppressWarnings("unchecked")
    public static <A, B, C, D, E> Tuple5<A, B, C, D, E> tryJoin(Callable<? extends A> a, Callable<? extends B> b, Callable<? extends C> c, Callable<? extends D> d, Callable<? extends E> e) throws InterruptedException {
        List<Object> r = all("tryJoin", ScopeCore.Policy.FAIL_FAST, List.of(a, b, c, d, e));
        return new Tuple5<>((A) r.get(0), (B) r.get(1), (C) r.get(2), (D) r.get(3), (E) r.get(4));
    }

    /**
     * Runs the callables concurrently as forks of a scope named {@code "tryJoin"} and returns their
     * results in argument order. The first failure cancels the others, waits for them to end, and is
     * thrown (Tokio's {@code try_join!}).
     *
     * @throws ForkFailedException  for the first that failed, thrown once all forks ended; the other
     *                              genuine failures suppressed, also those of forks that failed while
     *                              reacting to the cancellation (not an {@code InterruptedException} or
     *                              other cancellation that merely ended a fork)
     * @throws InterruptedException if interrupted before or while waiting; all forks are then
     *                              cancelled and have ended when this throws
     * @throws NullPointerException if a callable is null
     */
    @SuppressWarnings("unchecked")
    public static <A, B, C, D, E, F> Tuple6<A, B, C, D, E, F> tryJoin(Callable<? extends A> a, Callable<? extends B> b, Callable<? extends C> c, Callable<? extends D> d, Callable<? extends E> e, Callable<? extends F> f) throws InterruptedException {
        List<Object> r = all("tryJoin", ScopeCore.Policy.FAIL_FAST, List.of(a, b, c, d, e, f));
        return new Tuple6<>((A) r.get(0), (B) r.get(1), (C) r.get(2), (D) r.get(3), (E) r.get(4), (F) r.get(5));
    }
    /**
     * Runs the callables concurrently, waits for all, and returns their results in order; a
     * failure does not cancel the others. See {@link #join(Callable, Callable)}.
     *
     * @param callables the bodies, possibly empty
     * @return their results, in order
     * @throws ForkFailedException  after all ended, for the first that failed (others suppressed)
     * @throws InterruptedException if interrupted; all forks have ended when this throws
     */
    @SuppressWarnings("unchecked")
    public static <T> List<T> join(List<? extends Callable<? extends T>> callables) throws InterruptedException {
        return (List<T>) all("join", ScopeCore.Policy.WAIT_ALL, callables);
    }

    /**
     * Runs the callables concurrently and returns their results in order; the first failure
     * cancels the others, waits for them, and is thrown. See {@link #tryJoin(Callable, Callable)}.
     *
     * @param callables the bodies, possibly empty
     * @return their results, in order
     * @throws ForkFailedException  for the first that failed, thrown once all forks ended; the other
     *                              genuine failures suppressed, also those of forks that failed while
     *                              reacting to the cancellation (not an {@code InterruptedException} or
     *                              other cancellation that merely ended a fork)
     * @throws InterruptedException if interrupted; all forks have ended when this throws
     */
    @SuppressWarnings("unchecked")
    public static <T> List<T> tryJoin(List<? extends Callable<? extends T>> callables) throws InterruptedException {
        return (List<T>) all("tryJoin", ScopeCore.Policy.FAIL_FAST, callables);
    }

    private static List<Object> all(String verb, ScopeCore.Policy policy, List<? extends Callable<?>> bodies)
            throws InterruptedException {
        for (int i = 0; i < bodies.size(); i++) {
            Objects.requireNonNull(bodies.get(i), "callable " + i);
        }
        ScopeCore scope = ScopeCore.open(verb, policy, null, null);
        try {
            List<ForkImpl<?>> forks = new ArrayList<>(bodies.size());
            for (int i = 0; i < bodies.size(); i++) {
                forks.add(scope.fork(null, bodies.get(i), false)); // named <verb>-<i>, strings shared by every call
            }
            scope.join();
            List<Object> values = new ArrayList<>(forks.size());
            for (ForkImpl<?> f : forks) {
                values.add(f.resultNow());
            }
            return values;
        } finally {
            scope.close();
        }
    }

    /**
     * Runs the callables concurrently and returns the first successful result; the others are
     * cancelled and have ended when this returns (Ox's {@code race}, the JDK's
     * {@code anySuccessfulResultOrThrow}).
     *
     * @param callables the competitors; at least one
     * @return the first successful result
     * @throws ForkFailedException      if all failed: the first failure, the others suppressed
     * @throws InterruptedException     if interrupted; all forks have ended when this throws
     * @throws IllegalArgumentException if no callable is given
     */
    @SafeVarargs
    @SuppressWarnings("varargs")
    public static <T> T race(Callable<? extends T>... callables) throws InterruptedException {
        return race(List.of(callables));
    }

    /**
     * As {@link #race(Callable[])} with a list.
     *
     * @param callables the competitors; at least one
     * @return the first successful result
     * @throws ForkFailedException      if all failed
     * @throws InterruptedException     if interrupted
     * @throws IllegalArgumentException if the list is empty
     */
    public static <T> T race(List<? extends Callable<? extends T>> callables) throws InterruptedException {
        if (callables.isEmpty()) {
            throw new IllegalArgumentException("race needs at least one callable");
        }
        for (int i = 0; i < callables.size(); i++) {
            Objects.requireNonNull(callables.get(i), "callable " + i);
        }
        ScopeCore scope = ScopeCore.open("race", ScopeCore.Policy.RACE, null, null);
        try {
            for (int i = 0; i < callables.size(); i++) {
                scope.fork(null, callables.get(i), false); // named race-<i>, strings shared by every call
            }
            scope.join();
            Fork<T> w = scope.winner();
            return w.resultNow();
        } finally {
            scope.close();
        }
    }

    /**
     * Runs {@code body} as a fork of a scope named {@code "timeout"} with deadline {@code timeout}
     * (or an enclosing scope's earlier one) and returns its result. When the deadline passes first,
     * the body is cancelled (interrupted), its end awaited, and {@link TimeoutException} thrown.
     * A body that returns after the deadline passed with its interrupt status still set never saw
     * the interrupt, so it finished on its own: its value is returned (what it took, such as a
     * received message, is not lost). One that returns after clearing the interrupt (catching
     * {@code InterruptedException} and returning a fallback) timed out.
     *
     * @param timeout the time limit, on the runtime's clock
     * @param body    what to run
     * @return what {@code body} returned
     * @throws TimeoutException     if the deadline passed first; the body has ended
     * @throws ForkFailedException  if the body threw; the cause is what it threw
     * @throws InterruptedException if interrupted; the body has ended when this throws
     * @throws CancellationException if an enclosing scope was cancelled
     */
    public static <T> T timeout(Duration timeout, Callable<? extends T> body)
            throws InterruptedException, TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(body, "body");
        ScopeCore scope = ScopeCore.open("timeout", ScopeCore.Policy.FAIL_FAST, timeout, null);
        try {
            // Whether the body returned on its own: before the deadline cancelled the scope, or
            // with the deadline's interrupt still pending (it never saw it: a value it took, such
            // as a message, must not be lost to the timeout). A body that returns only in reaction
            // to the interrupt (swallowed, a fallback value) did not finish in time.
            java.util.concurrent.atomic.AtomicBoolean inTime = new java.util.concurrent.atomic.AtomicBoolean();
            ForkImpl<? extends T> f = scope.fork("timeout-body", () -> {
                T v = body.call();
                inTime.set(!scope.isCancelled() || Thread.currentThread().isInterrupted());
                return v;
            }, false);
            try {
                scope.join();
            } catch (DeadlineExceededException e) {
                if (f.state() == Fork.State.SUCCEEDED && inTime.get()) {
                    return f.resultNow(); // completed just as the deadline passed
                }
                TimeoutException te = new TimeoutException("timed out after " + timeout);
                te.initCause(e);
                throw te;
            }
            return f.resultNow();
        } finally {
            scope.close();
        }
    }

    /**
     * Parks until one of {@code clauses} commits and returns its result; only that clause's
     * operation happens (lossless: a losing receive takes nothing, a losing send sends nothing).
     * Fair: ready clauses are tried from a random start, so none starves. Clauses come from
     * channels ({@code onReceive}, {@code onSend}), {@link Fork#onComplete()},
     * {@link JoinSet#onJoinNext()}, and {@link Clauses} (timers, core tasks).
     *
     * @param clauses the branches; at least one
     * @return the winning clause's result
     * @throws InterruptedException     if interrupted before or while waiting; nothing committed
     * @throws IllegalArgumentException if no clause is given
     * @throws dev.weft.core.sync.ChannelClosedException if the winning clause found its channel closed
     */
    @SafeVarargs
    @SuppressWarnings("varargs")
    public static <R> R select(SelectClause<? extends R>... clauses) throws InterruptedException {
        return Select.select(clauses);
    }

    /**
     * As {@link #select(SelectClause[])} with a list.
     *
     * @param clauses the branches; at least one
     * @return the winning clause's result
     * @throws InterruptedException     if interrupted; nothing committed
     * @throws IllegalArgumentException if the list is empty
     */
    public static <R> R select(List<? extends SelectClause<? extends R>> clauses) throws InterruptedException {
        return Select.select(clauses);
    }

    /**
     * As {@link #select(SelectClause[])}, but biased: of the clauses ready at once, the first in
     * argument order wins (it may starve the later ones).
     *
     * @param clauses the branches; at least one
     * @return the winning clause's result
     * @throws InterruptedException     if interrupted; nothing committed
     * @throws IllegalArgumentException if no clause is given
     */
    @SafeVarargs
    @SuppressWarnings("varargs")
    public static <R> R selectBiased(SelectClause<? extends R>... clauses) throws InterruptedException {
        return Select.selectBiased(clauses);
    }

    /**
     * As {@link #select(SelectClause[])}, but gives up once {@code timeout} has passed on the
     * runtime's clock. A timeout and a clause whose result is {@code null} are kept apart: the
     * first throws, the second returns {@code null}.
     *
     * {@snippet :
     * try {
     *     Order o = Structured.select(Duration.ofSeconds(1), orders.onReceive(), rush.onReceive());
     * } catch (TimeoutException e) {
     *     // nothing arrived within 1 s; no message was taken
     * }
     * }
     *
     * @param timeout how long to wait; zero or negative: commit only a clause ready now
     * @param clauses the branches; at least one
     * @return the winning clause's result (may be {@code null})
     * @throws TimeoutException         if no clause committed in time; then none ever will
     * @throws InterruptedException     if interrupted before or while waiting; nothing committed
     * @throws IllegalArgumentException if no clause is given
     * @throws NullPointerException     if {@code timeout} or a clause is null
     */
    @SafeVarargs
    @SuppressWarnings("unchecked")
    public static <R> R select(Duration timeout, SelectClause<? extends R>... clauses)
            throws InterruptedException, TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        SelectClause<?>[] boxed = new SelectClause<?>[clauses.length];
        for (int i = 0; i < clauses.length; i++) {
            boxed[i] = Objects.requireNonNull(clauses[i], "clause " + i).map(Box::new);
        }
        Optional<Box> r = Select.select(timeout, (SelectClause<Box>[]) boxed);
        if (r.isEmpty()) {
            throw new TimeoutException("select: no clause committed within " + timeout);
        }
        return (R) r.get().value();
    }

    /**
     * As {@link #select(Duration, SelectClause[])}, biased: of the clauses ready at once, the first
     * in argument order wins, and any ready clause wins over the timeout (a clause that becomes
     * ready in the same instant the time is up is still taken if the select sees it first).
     *
     * @param timeout how long to wait; zero or negative: commit the first clause ready now
     * @param clauses the branches; at least one
     * @return the winning clause's result (may be {@code null})
     * @throws TimeoutException         if no clause committed in time; then none ever will
     * @throws InterruptedException     if interrupted before or while waiting; nothing committed
     * @throws IllegalArgumentException if no clause is given
     * @throws NullPointerException     if {@code timeout} or a clause is null
     */
    @SafeVarargs
    @SuppressWarnings("unchecked")
    public static <R> R selectBiased(Duration timeout, SelectClause<? extends R>... clauses)
            throws InterruptedException, TimeoutException {
        Objects.requireNonNull(timeout, "timeout");
        if (clauses.length == 0) {
            throw new IllegalArgumentException("select needs at least one clause");
        }
        // The timer is the last clause of a biased select: it only wins when no clause before it
        // is ready, and it commits nothing, so the select stays lossless.
        SelectClause<?>[] all = new SelectClause<?>[clauses.length + 1];
        for (int i = 0; i < clauses.length; i++) {
            all[i] = Objects.requireNonNull(clauses[i], "clause " + i).map(Box::new);
        }
        all[clauses.length] = Clauses.after(timeout).map(d -> TIMED_OUT);
        Box r = Select.selectBiased((SelectClause<Box>[]) all);
        if (r == TIMED_OUT) {
            throw new TimeoutException("select: no clause committed within " + timeout);
        }
        return (R) r.value();
    }

    /** The result of {@link #selectBiased(Duration, SelectClause[])}'s timer clause. */
    private static final Box TIMED_OUT = new Box(null);

    /**
     * A select with a default branch: commits a clause that is ready now (fairly chosen) or
     * returns empty at once, in which case nothing was committed. Never parks.
     * {@code trySelect(a, b).orElseGet(() -> dflt)} is Tokio's {@code select!} with an
     * {@code else} branch.
     *
     * @param clauses the branches; at least one
     * @return the winning clause's result, or empty if none was ready (or the winner's result was
     *         null: use {@link #select(Duration, SelectClause[])} with {@link Duration#ZERO}, which
     *         throws on "none ready", to tell the two apart)
     * @throws InterruptedException     if the caller's interrupt status is set; nothing committed
     * @throws IllegalArgumentException if no clause is given
     */
    @SafeVarargs
    @SuppressWarnings("unchecked")
    public static <R> Optional<R> trySelect(SelectClause<? extends R>... clauses) throws InterruptedException {
        SelectClause<?>[] boxed = new SelectClause<?>[clauses.length];
        for (int i = 0; i < clauses.length; i++) {
            boxed[i] = Objects.requireNonNull(clauses[i], "clause " + i).map(Box::new);
        }
        Optional<Box> r = Select.select(Duration.ZERO, (SelectClause<Box>[]) boxed);
        return r.map(b -> (R) b.value());
    }

    /** Keeps a clause's null result apart from "nothing committed". */
    private record Box(Object value) {}

    /**
     * As {@link #trySelect(SelectClause[])}, biased: the first ready clause in argument order wins.
     *
     * @param clauses the branches; at least one
     * @return the winning clause's result, or empty if none was ready
     * @throws InterruptedException     if the caller's interrupt status is set; nothing committed
     * @throws IllegalArgumentException if no clause is given
     */
    @SafeVarargs
    @SuppressWarnings("unchecked")
    public static <R> Optional<R> trySelectBiased(SelectClause<? extends R>... clauses) throws InterruptedException {
        if (clauses.length == 0) {
            throw new IllegalArgumentException("select needs at least one clause");
        }
        // Core's Select has no biased timed form: poll each clause alone, in order. Each poll is a
        // complete lossless select of one clause, so at most one clause commits.
        for (SelectClause<? extends R> c : clauses) {
            Optional<Box> r = Select.select(Duration.ZERO, Objects.requireNonNull(c, "clause").map(Box::new));
            if (r.isPresent()) {
                return Optional.ofNullable((R) r.get().value());
            }
        }
        return Optional.empty();
    }
}
