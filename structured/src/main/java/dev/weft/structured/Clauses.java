package dev.weft.structured;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.core.sync.SelectClause;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.core.spi.TimerHandle;

import java.time.Duration;
import java.util.Objects;

/**
 * Select clauses that are not channel operations: timers and the completion of core tasks. (Forks
 * have {@link Fork#onComplete()}, join sets {@link JoinSet#onJoinNext()}, channels and oneshots
 * {@code onReceive()} and {@code onSend(v)}, broadcast receivers {@code onReceive()}, watch
 * receivers {@code onChanged()}, semaphores {@code onAcquire(n)}, {@code Notify.onNotified()} and
 * cancellation tokens {@code onCancelled()}: all in {@code dev.weft.core.sync}, all lossless.)
 *
 * {@snippet :
 * String r = Structured.select(
 *         replies.onReceive(),
 *         Clauses.after(Duration.ofMillis(200)).map(d -> "timed out"));
 * }
 *
 * <p>The clauses are reusable: each select registers them afresh (a timer clause measures its
 * duration from the moment the select registers it).
 */
public final class Clauses {
    private Clauses() {}

    /**
     * A clause that commits once {@code delay} has passed on the runtime's clock (of the caller's
     * runtime, or the shared one outside any), counted from when the select registers it; its
     * result is {@code delay}. A zero or negative delay is ready at once. The timer sits on the
     * carrier's wheel and is disarmed when another clause wins. A select waiting for it waits with a
     * time limit, so under a test clock's auto-advance virtual time moves on to the timer.
     *
     * @param delay how long to wait
     * @return the clause
     * @throws NullPointerException if {@code delay} is null
     */
    public static SelectClause<Duration> after(Duration delay) {
        Objects.requireNonNull(delay, "delay");
        return (waiter, index) -> {
            long nanos;
            try {
                nanos = delay.toNanos();
            } catch (ArithmeticException e) {
                nanos = delay.isNegative() ? 0 : Long.MAX_VALUE / 4;
            }
            if (nanos <= 0) {
                waiter.tryWin(index, delay);
                return SelectClause.Registration.NONE;
            }
            WeftRuntime rt = runtimeHere();
            long now = RuntimeAccess.nanoTime(rt);
            long deadline = now + nanos < now ? Long.MAX_VALUE : now + nanos;
            TimerHandle h = RuntimeAccess.schedule(rt, deadline, () -> waiter.tryWin(index, delay));
            // The select then parks with a time limit: under a test clock it waits for time.
            waiter.timerAt(deadline);
            return h::cancel;
        };
    }

    /**
     * A clause that commits once {@code task} has ended (succeeded, failed or was cancelled), with
     * the task's handle as its result; the handle's {@code join()} then returns at once. Observing
     * the end takes nothing away from other joiners.
     *
     * <p>Core's {@code Task} has no completion callback yet, so while the task runs a registration
     * costs a small watcher task, cancelled when another clause wins.
     *
     * @param task the task to watch
     * @return the clause
     * @throws NullPointerException if {@code task} is null
     */
    public static <T> SelectClause<Task<T>> completion(Task<T> task) {
        Objects.requireNonNull(task, "task");
        return (waiter, index) -> {
            if (task.isDone()) {
                waiter.tryWin(index, task);
                return SelectClause.Registration.NONE;
            }
            WeftRuntime rt = runtimeHere();
            waiter.waitsForTasksOf(rt);   // for the watcher below, a task of this runtime
            Task<Void> watcher = rt.spawn("select-watch-" + task.name(), () -> {
                try {
                    task.join();
                } catch (InterruptedException e) {
                    return null; // the select was decided elsewhere
                } catch (RuntimeException ended) {
                    // failed or cancelled: ended all the same
                }
                waiter.tryWin(index, task);
                return null;
            });
            return watcher::cancel;
        };
    }

    private static WeftRuntime runtimeHere() {
        try {
            return WeftRuntime.current();
        } catch (IllegalStateException outside) {
            return WeftRuntime.shared();
        }
    }
}
