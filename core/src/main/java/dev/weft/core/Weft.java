package dev.weft.core;

import dev.weft.core.internal.RuntimeCore;
import dev.weft.core.internal.TaskImpl;

import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;

/**
 * Static entry points for code running inside a runtime (Tokio's free functions
 * {@code tokio::spawn}, {@code task::yield_now}), and the drop-in thread-pool replacement.
 *
 * <pre>{@code
 * try (var rt = WeftRuntime.builder().build()) {
 *     rt.run(() -> {
 *         Task<String> t = Weft.spawn("child", () -> "hello from " + Weft.currentTask().orElseThrow().name());
 *         return t.join();   // "hello from child"
 *     });
 * }
 * // Replace a thread pool: every task becomes a virtual thread on a carrier.
 * try (ExecutorService pool = Weft.newExecutor()) {
 *     pool.submit(() -> System.out.println("runs as a Weft task"));
 * }
 * }</pre>
 */
public final class Weft {
    private Weft() {}

    /**
     * Spawns a task on the current runtime, on the caller's carrier.
     *
     * @throws IllegalStateException      if the caller is not inside a Weft runtime
     * @throws java.util.concurrent.RejectedExecutionException if the runtime is closed
     */
    public static <T> Task<T> spawn(Callable<T> body) {
        return WeftRuntime.current().spawn(body);
    }

    /** Spawns a named task on the current runtime; see {@link #spawn(Callable)}. */
    public static <T> Task<T> spawn(String name, Callable<T> body) {
        return WeftRuntime.current().spawn(name, body);
    }

    /** Runs {@code body} on the current runtime's blocking pool; see {@link WeftRuntime#spawnBlocking}. */
    public static <T> Task<T> spawnBlocking(Callable<T> body) {
        return WeftRuntime.current().spawnBlocking(body);
    }

    /**
     * Lets other tasks on this carrier run, then continues (Tokio's {@code yield_now}). Put it in
     * long CPU-bound loops: tasks are never preempted, so a loop that never parks starves its
     * carrier's I/O and timers. Outside a task it is {@link Thread#yield()}. Not an interruption
     * point: an interrupted caller yields as usual and keeps its interrupt status.
     */
    public static void yieldNow() {
        Thread.yield();
    }

    /** The task the caller runs in, if any. */
    public static Optional<Task<?>> currentTask() {
        return Optional.ofNullable(TaskImpl.currentOrNull());
    }

    /**
     * An {@link ExecutorService} whose tasks are Weft tasks: on the current runtime when called
     * inside one (from one of its tasks or on one of its carriers' threads, as
     * {@link WeftRuntime#current()}), else on {@link WeftRuntime#shared()}. A drop-in for
     * {@code Executors.newFixedThreadPool} and friends with the full contract. Its futures are
     * {@code FutureTask}s whose {@code get} on a platform thread spins for up to 50 µs before it
     * blocks, as {@link Task#join()} does.
     */
    public static ExecutorService newExecutor() {
        return runtimeHere().newExecutor();
    }

    /**
     * Like {@link #newExecutor()} with at most {@code maxConcurrency} tasks running at once.
     *
     * @throws IllegalArgumentException if {@code maxConcurrency <= 0}
     */
    public static ExecutorService newExecutor(int maxConcurrency) {
        return runtimeHere().newExecutor(maxConcurrency);
    }

    /** As {@link WeftRuntime#current()} (a task's runtime, or a carrier thread's), else the shared one. */
    private static WeftRuntime runtimeHere() {
        TaskImpl<?> t = TaskImpl.currentOrNull();
        if (t != null) {
            return t.runtime().api();
        }
        RuntimeCore onCarrier = RuntimeCore.ofCurrentCarrierThread();
        return onCarrier != null ? onCarrier.api() : WeftRuntime.shared();
    }
}
