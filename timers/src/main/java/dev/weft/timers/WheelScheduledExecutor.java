package dev.weft.timers;

import java.util.concurrent.ScheduledExecutorService;

/**
 * A {@link ScheduledExecutorService} whose delays are timers on a runtime's carrier wheels and
 * whose work runs as Weft tasks; a drop-in for {@link java.util.concurrent.ScheduledThreadPoolExecutor}
 * made by {@link Timers#newScheduledExecutor}.
 *
 * <p>Contract as {@code ScheduledThreadPoolExecutor}'s: negative delays mean zero; periods must be
 * positive; a periodic task that throws (or is cancelled) stops repeating and its future completes
 * with that exception; fixed-rate runs of one task never overlap (a late run delays the next);
 * {@code cancel} removes the task's timer at once (O(1)); after {@code shutdown} new tasks are
 * rejected with {@link java.util.concurrent.RejectedExecutionException}, delayed tasks still run
 * and periodic tasks stop, unless the policies below say otherwise (a run whose time came before
 * {@code shutdown} but which had not started yet is checked against them when it starts: one the
 * policies stop does not run and its future is cancelled); {@code shutdownNow} interrupts
 * running tasks, cancels those whose time came but whose run had not started, and returns the
 * tasks that were waiting for their time; {@code awaitTermination}
 * throws {@link InterruptedException} if interrupted before or while waiting, except that a
 * terminated executor answers {@code true} (keeping the interrupt status). Unlike a pool there is no
 * size: each run is a fresh task (a virtual thread), so runs due together run concurrently.
 *
 * <p>Example (compiled and run in the tests as {@code dev.weft.timers.snippets.TypeExamples}):
 * {@snippet :
 * try (WeftRuntime rt = WeftRuntime.builder().build()) {
 *     WheelScheduledExecutor ses = Timers.newScheduledExecutor(rt);
 *     ScheduledFuture<String> later = ses.schedule(() -> "fired", 20, TimeUnit.MILLISECONDS);
 *     String result = later.get();                            // after 20 ms
 *     ses.shutdown();
 * }
 * }
 *
 * <p>Memory consistency: actions before submitting a task happen-before its execution, which
 * happens-before the return of its future's {@code get}. Thread-safe.
 */
public interface WheelScheduledExecutor extends ScheduledExecutorService {
    /** Whether periodic tasks keep running after {@link #shutdown()} (default {@code false}). */
    boolean getContinueExistingPeriodicTasksAfterShutdownPolicy();

    /** Sets whether periodic tasks keep running after {@link #shutdown()}; {@code false} cancels them at shutdown. */
    void setContinueExistingPeriodicTasksAfterShutdownPolicy(boolean value);

    /** Whether delayed one-shot tasks still run after {@link #shutdown()} (default {@code true}). */
    boolean getExecuteExistingDelayedTasksAfterShutdownPolicy();

    /** Sets whether delayed one-shot tasks still run after {@link #shutdown()}; {@code false} cancels them at shutdown. */
    void setExecuteExistingDelayedTasksAfterShutdownPolicy(boolean value);

    /** The number of tasks waiting for their time (periodic ones between runs included). */
    int queuedTaskCount();
}
