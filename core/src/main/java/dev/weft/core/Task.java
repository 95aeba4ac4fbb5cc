package dev.weft.core;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * A handle to a task: a virtual thread spawned by a {@link WeftRuntime} (or a blocking-pool job
 * from {@link WeftRuntime#spawnBlocking}). Tokio's {@code JoinHandle}.
 *
 * <pre>{@code
 * try (var rt = WeftRuntime.builder().build()) {
 *     Task<Integer> t = rt.spawn("answer", () -> 6 * 7);
 *     assert t.join() == 42;
 * }
 * }</pre>
 *
 * <p><b>Cancellation</b> is interruption plus a mark: {@link #cancel()} interrupts the task's
 * thread and marks it cancelled; every Weft parking operation then wakes with an exception. From
 * then on {@link #join()} throws {@link CancellationException}, after the task's body has
 * returned, so a cancelled task never runs on unseen.
 *
 * <p><b>Memory consistency</b>: actions in the task happen-before a successful return from
 * {@link #join()}, {@link #join(Duration)} or an {@link #isDone()} that returns {@code true}.
 * A handle is thread-safe; any thread may join, poll or cancel it. Dropping a handle does not
 * cancel the task (as in Tokio).
 *
 * @param <T> the task's result type
 */
public interface Task<T> {

    /** A task's lifecycle, as seen through its handle. */
    enum State {
        /** Started (or about to start) and not yet ended. */
        RUNNING,
        /** The body returned a value. */
        SUCCEEDED,
        /** The body threw; {@link #join()} rethrows it as the cause of a {@link TaskFailedException}. */
        FAILED,
        /** {@link #cancel()} was called before the body completed, and the body has ended. */
        CANCELLED
    }

    /**
     * Waits until the task has ended and returns its result.
     *
     * <p>Parks a virtual caller; blocks a platform caller, after spinning for up to 50 µs on a
     * multiprocessor (a short task's result then costs it no sleep and wake-up in the kernel; an
     * interrupt ends the spin at once). A carrier's own platform thread (code in
     * a Netty handler on a runtime's event loop) must not wait: blocking it stops that carrier's
     * tasks and I/O, the awaited task's perhaps included, so the call throws instead.
     *
     * @return the value the task's body returned
     * @throws TaskFailedException   if the body threw; the body's exception is the cause
     * @throws CancellationException if the task was cancelled (thrown once its body has ended)
     * @throws InterruptedException  if the caller is interrupted while waiting (or is interrupted on
     *                               entry and the task has not completed); the task is unaffected.
     *                               As {@code FutureTask.get}: a completed task's result is returned
     *                               even if the caller's interrupt status is set.
     * @throws IllegalStateException if the task has not ended and the caller is the platform
     *                               thread of a carrier of any Weft runtime, or the task itself
     *                               (which would wait forever for its own end)
     */
    T join() throws InterruptedException;

    /**
     * Waits at most {@code timeout} for the task to end and returns its result. A zero or negative
     * timeout polls; one too long to count in nanoseconds (about 292 years) waits as
     * {@link #join()} does. A task that has ended is reported even if the caller is interrupted.
     *
     * @throws TimeoutException      if the task is still running when the time is up (the task is unaffected)
     * @throws TaskFailedException   if the body threw; the body's exception is the cause
     * @throws CancellationException if the task was cancelled and its body has ended
     * @throws InterruptedException  if the caller is interrupted while waiting, or is interrupted
     *                               on entry and the task has not ended (the task is unaffected)
     * @throws IllegalStateException if the task has not ended, {@code timeout} is positive and the
     *                               caller is the platform thread of a carrier of any Weft runtime,
     *                               or the task itself (a zero or negative timeout still polls)
     * @throws NullPointerException  if {@code timeout} is null
     */
    T join(Duration timeout) throws InterruptedException, TimeoutException;

    /**
     * Cancels the task: marks it cancelled and interrupts its thread. Does not wait; join to wait
     * for the body to end. Idempotent; has no effect on a task that already completed.
     *
     * @return {@code true} if this call marked the task cancelled
     */
    boolean cancel();

    /** Whether the task has ended (its body no longer runs). Never blocks. */
    boolean isDone();

    /** Whether {@link #cancel()} marked this task cancelled before its body completed. */
    boolean isCancelled();

    /** The task's state now. Never blocks. */
    State state();

    /** The name given at spawn, or {@code "task-<id>"}. The thread of a named task carries the name too. */
    String name();

    /** A number unique among the tasks of this JVM. */
    long id();
}
