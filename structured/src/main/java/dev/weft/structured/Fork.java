package dev.weft.structured;

import dev.weft.core.sync.SelectClause;

import java.util.concurrent.CancellationException;

/**
 * A handle to one fork of a {@link Scope} or {@link JoinSet}: a Weft task whose lifetime is bound
 * to its scope.
 *
 * <p>Example (compiled and run in the tests as {@code dev.weft.structured.snippets.TypeExamples}):
 * {@snippet :
 * try (Scope scope = Scope.open("pair")) {
 *     Fork<String> a = scope.fork("a", () -> "A");
 *     Fork<Integer> b = scope.fork("b", () -> 2);
 *     scope.join();                                          // both have ended
 *     return a.resultNow() + b.resultNow();                  // "A2"
 * }
 * }
 *
 * <p><b>Thread safety and memory consistency:</b> a handle is thread-safe. Actions in the fork
 * happen-before a return from {@link #join()}, a {@link #isDone()} that returns {@code true}, and
 * the return of a select won by {@link #onComplete()}.
 *
 * @param <T> the fork's result type
 */
public interface Fork<T> {

    /** A fork's lifecycle. */
    enum State {
        /** Forked and not yet ended. */
        RUNNING,
        /** The body returned a value. */
        SUCCEEDED,
        /** The body threw (not because it was cancelled). */
        FAILED,
        /** The fork or its scope was cancelled before the body completed, or it never started. */
        CANCELLED
    }

    /** The fork's name (also its thread's name in thread dumps). */
    String name();

    /** The fork's state now; never blocks. */
    State state();

    /** Whether the fork has ended (its body no longer runs); never blocks. */
    boolean isDone();

    /**
     * Parks until the fork has ended and returns its value. Any thread may call it. A task of the
     * fork's runtime waiting here waits only on that runtime, so under a test clock's auto-advance
     * virtual time still moves for the fork (as in {@code Task.join()}).
     *
     * @return what the body returned
     * @throws InterruptedException  if interrupted while waiting, or interrupted on entry and the
     *                               fork has not ended; the fork is unaffected. As
     *                               {@code FutureTask.get} and {@code Task.join()}: a fork that has
     *                               ended is reported even if the caller's interrupt status is set
     *                               (the status is kept)
     * @throws ForkFailedException   if the body threw; the cause is what it threw
     * @throws CancellationException if the fork was cancelled
     */
    T join() throws InterruptedException;

    /**
     * The value of a fork that has ended; never blocks.
     *
     * @return what the body returned
     * @throws IllegalStateException if the fork has not ended yet
     * @throws ForkFailedException   if the body threw
     * @throws CancellationException if the fork was cancelled
     */
    T resultNow();

    /**
     * What the body threw, for a {@link State#FAILED} fork; never blocks.
     *
     * @throws IllegalStateException if the fork did not fail
     */
    Throwable exception();

    /**
     * Cancels this fork only: interrupts its thread and marks it cancelled. Does not wait.
     * Idempotent; no effect on a fork that has ended.
     *
     * @return {@code true} if this call requested the cancellation
     */
    boolean cancel();

    /**
     * A select clause that commits when this fork has ended, with this handle as its result.
     * Observing a completion takes nothing away: any number of selects may win on it.
     *
     * @return the clause
     */
    SelectClause<Fork<T>> onComplete();
}
