package dev.weft.core;

import dev.weft.core.internal.CoreBridge;
import dev.weft.core.spi.RuntimeClock;
import dev.weft.core.internal.RuntimeCore;
import dev.weft.core.internal.TaskImpl;
import dev.weft.core.internal.WeftExecutorService;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;

/**
 * A Weft runtime: N carriers, each a platform thread that drives one Netty event loop, a timer
 * wheel and the virtual threads (tasks) scheduled on it; plus a bounded pool for blocking work.
 * Tokio's {@code Runtime}.
 *
 * <pre>{@code
 * try (WeftRuntime rt = WeftRuntime.builder().carriers(2).build()) {
 *     int sum = rt.run(() -> {
 *         Task<Integer> a = Weft.spawn(() -> { Thread.sleep(10); return 1; });
 *         Task<Integer> b = Weft.spawn(() -> { Thread.sleep(10); return 2; });
 *         return a.join() + b.join();
 *     });
 *     assert sum == 3;
 * }
 * }</pre>
 *
 * <p><b>Lifecycle.</b> A runtime starts when built. {@link #shutdown(Duration)} (and
 * {@link #close()}, with the builder's {@linkplain Builder#closeTimeout close timeout}) stops new
 * spawns, waits for running tasks up to the deadline, cancels the rest and returns a
 * {@link ShutdownReport}; it never hangs: tasks that ignore cancellation are listed as stuck and
 * left behind. Carrier threads are daemon threads, like virtual threads.
 *
 * <p><b>Scheduling.</b> With {@code --add-opens java.base/java.lang=ALL-UNNAMED} (or a jar whose
 * manifest says {@code Add-Opens: java.base/java.lang}) tasks run on the carriers
 * ({@link SchedulerMode#CARRIER}); without it, on the JDK's default scheduler
 * ({@link SchedulerMode#FALLBACK}), logged once. Everything works in both modes.
 *
 * <p>Thread-safe. Spawns happen-before the task's first action.
 */
public final class WeftRuntime implements AutoCloseable {
    static {
        CoreBridge.install(new CoreBridge() {
            @Override
            public Object captureTaskLocals() {
                return TaskLocal.capture();
            }

            @Override
            public void setClock(Builder builder, RuntimeClock clock) {
                builder.clock = Objects.requireNonNull(clock, "clock");
            }

            @Override
            public RuntimeCore coreOf(WeftRuntime runtime) {
                return runtime.core;
            }

            @Override
            public void runWithTaskLocals(Object captured, ScopedValue.Carrier base, Runnable body) {
                TaskLocal.runWith(captured, base, body);
            }

        });
    }

    private static final class Shared {
        static final WeftRuntime INSTANCE = builder().name("weft-shared").asShared().build();
    }

    private final RuntimeCore core;
    /** Whether this is {@link #shared()}, which shutdown and close leave running. */
    private final boolean shared;

    private WeftRuntime(RuntimeCore core, boolean shared) {
        this.core = core;
        this.shared = shared;
        core.attach(this);
    }

    /** A builder with the defaults: one carrier per core, the best transport, 512 blocking threads. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The runtime the calling task belongs to.
     *
     * @throws IllegalStateException if called outside a task or carrier of any Weft runtime
     */
    public static WeftRuntime current() {
        TaskImpl<?> t = TaskImpl.currentOrNull();
        if (t != null) {
            return t.runtime().api();
        }
        RuntimeCore onCarrier = RuntimeCore.ofCurrentCarrierThread();
        if (onCarrier != null) {
            return onCarrier.api();
        }
        throw new IllegalStateException("not inside a Weft runtime: call this from a task started by "
                + "WeftRuntime.spawn or WeftRuntime.run");
    }

    /**
     * A process-wide runtime with default settings, started on first use and never closed; what
     * {@link Weft#newExecutor()} uses outside any runtime, as do timers and structured scopes
     * used outside one. As {@code ForkJoinPool.commonPool()}, it cannot be shut down:
     * {@link #shutdown(Duration)} and {@link #close()} on it have no effect (so a
     * try-with-resources around it stops nothing that other code of the process relies on).
     */
    public static WeftRuntime shared() {
        return Shared.INSTANCE;
    }

    /**
     * Spawns {@code body} as a new task and returns its handle at once (Tokio's {@code spawn}).
     * From inside a task the new task starts on the same carrier; from outside, on the next
     * carrier round-robin. The spawner only queues the task, so a spawn costs the caller one queue
     * insert. Context reaches the task through {@link TaskLocal} (captured here, at the spawn);
     * {@code InheritableThreadLocal} values of the spawning thread are not inherited.
     *
     * <p>The task runs on a virtual thread of its carrier. In {@code CARRIER} mode that thread is
     * a worker that may run other tasks of the same carrier before and after this one (never at
     * the same time), as a thread pool's threads do: a task that never parks then costs no thread
     * start. Each task starts with a clear interrupt status, no thread-local values, the thread
     * named after the task (empty when unnamed), the default uncaught exception handler and the
     * worker's context class loader, so code that keeps state in {@code ThreadLocal}s sees none
     * of another task's. Code must not rely on
     * {@code Thread.currentThread()} or {@code threadId()} being unique to one task; use
     * {@link Task#id()} and {@link TaskLocal}. Decision and measurements: {@code docs/adr/0003-task-workers.md}.
     *
     * @throws RejectedExecutionException if the runtime is closed
     * @throws NullPointerException       if {@code body} is null
     */
    public <T> Task<T> spawn(Callable<T> body) {
        return core.spawn(null, body);
    }

    /**
     * Spawns a named task. The name shows in {@link Task#name()}, thread dumps and metrics.
     *
     * @throws RejectedExecutionException if the runtime is closed
     * @throws NullPointerException       if an argument is null
     */
    public <T> Task<T> spawn(String name, Callable<T> body) {
        return core.spawn(Objects.requireNonNull(name, "name"), body);
    }

    /**
     * Runs {@code body} on the blocking pool, a bounded set of platform threads for work that would
     * stall a carrier: blocking calls into foreign libraries, long CPU-bound sections, file calls.
     * Jobs beyond the pool's size wait in a queue. {@link Task#cancel()} interrupts the pool thread;
     * a job cancelled while it waits in the queue never starts and ends at once, cancelled.
     * Jobs still waiting in the queue when the runtime shuts down never start: they end cancelled
     * (their {@link Task#join()} throws {@link CancellationException}) and are listed among the
     * {@linkplain ShutdownReport cancelled} tasks of the shutdown report.
     *
     * @throws RejectedExecutionException if the runtime is closed
     * @throws NullPointerException       if {@code body} is null
     */
    public <T> Task<T> spawnBlocking(Callable<T> body) {
        return core.spawnBlocking(null, body);
    }

    /**
     * Runs a named job on the blocking pool; the pool thread carries the name while it runs.
     *
     * @throws RejectedExecutionException if the runtime is closed
     * @throws NullPointerException       if an argument is null
     */
    public <T> Task<T> spawnBlocking(String name, Callable<T> body) {
        return core.spawnBlocking(Objects.requireNonNull(name, "name"), body);
    }

    /**
     * Runs {@code body} as a task of this runtime and waits for its result (Tokio's
     * {@code block_on}). The body's own exception is rethrown unchanged.
     *
     * <p>If the caller is interrupted before the call (the body then never starts) or while
     * waiting (the task is cancelled and its end awaited), {@link InterruptedException} is thrown.
     *
     * <p>Must not be called from a carrier's own platform thread (for example from a Netty handler
     * on a runtime's event loop): waiting there would stop that carrier, and with it possibly the
     * task waited for. Such a call throws {@link IllegalStateException} and spawns nothing. From
     * inside a task it is fine: the task parks.
     *
     * @throws RejectedExecutionException if the runtime is closed
     * @throws CancellationException      if the task was cancelled (for example by a shutdown)
     * @throws IllegalStateException      if called on the platform thread of a carrier of any Weft runtime
     * @throws NullPointerException       if {@code body} is null
     * @throws Exception                  what {@code body} threw
     */
    public <T> T run(Callable<T> body) throws Exception {
        Objects.requireNonNull(body, "body");
        RuntimeCore.checkNotCarrierThread("WeftRuntime.run");
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before run");
        }
        Task<T> task = core.spawn("main", body);
        try {
            return task.join();
        } catch (TaskFailedException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw e;
        } catch (InterruptedException e) {
            task.cancel();
            try {
                task.join();
            } catch (CancellationException | TaskFailedException ignored) {
                // The interrupt is what the caller needs to hear about.
            }
            throw e;
        }
    }

    /**
     * An {@link ExecutorService} that runs every submitted task as a task of this runtime, with
     * the full {@code ExecutorService} contract. Closing it does not close the runtime.
     *
     * <p>Each command runs with the {@link TaskLocal} bindings its submitter had when it called
     * {@code execute} or {@code submit}. Once this runtime is closed, submissions are rejected
     * with {@link RejectedExecutionException}. Commands that had not started when it shut down
     * never run: a {@link java.util.concurrent.Future} for one (as {@code submit} returns) is
     * cancelled, so {@code get()} throws {@link CancellationException}; running ones are
     * interrupted by the shutdown's cancellation. After {@code shutdown()} the executor then
     * terminates, so {@code close()} and {@code awaitTermination} return. Only the dropped command
     * itself is cancelled: the task that {@code CompletableFuture.supplyAsync(s, executor)} submits
     * does not pass that on, so its {@code CompletableFuture} never completes (as after a
     * {@code ThreadPoolExecutor}'s {@code shutdownNow}); close the executor, or join what it runs,
     * before the runtime.
     */
    public ExecutorService newExecutor() {
        return new WeftExecutorService(core, Integer.MAX_VALUE);
    }

    /**
     * Like {@link #newExecutor()}, but at most {@code maxConcurrency} submitted tasks run at once;
     * the others wait in FIFO order (and are returned by {@code shutdownNow}). A waiting command
     * still runs with its own submitter's {@link TaskLocal} bindings.
     *
     * @throws IllegalArgumentException if {@code maxConcurrency <= 0}
     */
    public ExecutorService newExecutor(int maxConcurrency) {
        if (maxConcurrency <= 0) {
            throw new IllegalArgumentException("maxConcurrency must be > 0, was " + maxConcurrency);
        }
        return new WeftExecutorService(core, maxConcurrency);
    }

    /**
     * Stops new spawns, waits up to {@code timeout} for running tasks to end, cancels the rest,
     * waits a short grace period (at most 1 s) for them, then stops the carriers. Idempotent:
     * later calls return the first report; a call made while another one runs waits for that one
     * to finish (its interrupt does not end that wait and is kept). Called from inside one of this runtime's tasks, it does
     * not wait for that task. A timeout too long to count in nanoseconds (about 292 years) waits
     * as long as tasks run; a negative one is zero.
     *
     * <p>If the caller is interrupted before the call or while it waits for tasks, it stops
     * waiting: the tasks left are cancelled at once and given the grace period as usual, and the
     * report is returned with the caller's interrupt status still set.
     *
     * <p>On the {@linkplain #shared() shared runtime} this has no effect: it returns a clean report
     * at once, cancels nothing and leaves the runtime open.
     *
     * <p>Tasks that ignore cancellation are named in the report (and logged). A carrier that such
     * a task never gives back is waited for 5 s more (not when the caller is itself a task on one
     * of this runtime's carriers, which waits for no carrier; a task of another runtime waits as
     * any other caller does); then a warning on the {@code dev.weft.core} logger
     * names the task and shows where it and the carrier thread are, and the call returns with
     * that carrier still running it.
     *
     * @throws NullPointerException if {@code timeout} is null
     */
    public ShutdownReport shutdown(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (shared) {
            return new ShutdownReport(List.of(), List.of(), Duration.ZERO);
        }
        return core.shutdown(timeout);
    }

    /**
     * {@link #shutdown(Duration)} with the builder's close timeout (10 s by default); no effect
     * on the {@linkplain #shared() shared runtime}.
     */
    @Override
    public void close() {
        if (!shared) {
            core.close();
        }
    }

    /** Whether {@link #shutdown} or {@link #close} was called (never true of {@link #shared()}). */
    public boolean isClosed() {
        return core.isClosed();
    }

    /** The name given to the builder (prefix of the carrier and blocking thread names). */
    public String name() {
        return core.name;
    }

    /** The number of carriers. */
    public int carriers() {
        return core.carriers().size();
    }

    /** The transport the carriers drive (never {@link Transport#AUTO}). */
    public Transport transport() {
        return core.transport().kind();
    }

    /** Whether tasks run on the carriers or, without the add-opens, on the JDK's scheduler. */
    public SchedulerMode schedulerMode() {
        return core.mode();
    }

    /** Tasks spawned and not yet ended (blocking-pool jobs included). */
    public long liveTasks() {
        return core.liveTasks();
    }

    /**
     * Snapshots of the live tasks: names, ages, where they are, their threads' states and ids, and
     * the time since each last ran on a carrier (see {@link TaskInfo}). Takes stack traces: not
     * cheap. Racy: a task may end or move on while it is taken.
     */
    public List<TaskInfo> liveTaskInfos() {
        return core.liveTaskInfos();
    }

    @Override
    public String toString() {
        return "WeftRuntime[" + core.name + ", " + carriers() + " carriers, " + transport() + ", " + schedulerMode() + "]";
    }

    /** Configures and builds a {@link WeftRuntime}. Not thread-safe; reusable. */
    public static final class Builder {
        private String name = "weft";
        private int carriers = Runtime.getRuntime().availableProcessors();
        private Transport transport = Transport.AUTO;
        private int blockingThreads = 512;
        private Duration blockingKeepAlive = Duration.ofSeconds(10);
        private Duration slowSliceThreshold = Duration.ofMillis(10);
        private int spillThreshold = 128;
        private Duration closeTimeout = Duration.ofSeconds(10);
        private boolean forceFallback;
        private RuntimeClock clock = RuntimeClock.SYSTEM;
        private boolean shared;

        private Builder() {}

        /** Builds {@link WeftRuntime#shared()}. */
        private Builder asShared() {
            this.shared = true;
            return this;
        }

        /**
         * Names the runtime; carriers are {@code NAME-carrier-i}, blocking threads {@code NAME-blocking-i}.
         *
         * @throws IllegalArgumentException if blank
         */
        public Builder name(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
            }
            this.name = name;
            return this;
        }

        /**
         * Number of carriers (default: available processors).
         *
         * @throws IllegalArgumentException if not in 1..1024
         */
        public Builder carriers(int carriers) {
            if (carriers < 1 || carriers > 1024) {
                throw new IllegalArgumentException("carriers must be in 1..1024, was " + carriers);
            }
            this.carriers = carriers;
            return this;
        }

        /** The transport; {@link Transport#AUTO} (default) picks the best that loads. */
        public Builder transport(Transport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /**
         * Maximum threads of the blocking pool (default 512, as Tokio).
         *
         * @throws IllegalArgumentException if not in 1..32768
         */
        public Builder blockingThreads(int threads) {
            if (threads < 1 || threads > 32768) {
                throw new IllegalArgumentException("blockingThreads must be in 1..32768, was " + threads);
            }
            this.blockingThreads = threads;
            return this;
        }

        /**
         * How long an idle blocking thread lives (default 10 s).
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder blockingKeepAlive(Duration keepAlive) {
            this.blockingKeepAlive = positive("blockingKeepAlive", keepAlive);
            return this;
        }

        /**
         * A continuation that runs longer than this without parking counts as a slow slice (a task
         * starving its carrier) in the carrier's statistics and metrics. Default 10 ms.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder slowSliceThreshold(Duration threshold) {
            this.slowSliceThreshold = positive("slowSliceThreshold", threshold);
            return this;
        }

        /**
         * Live tasks on a carrier above which a task spawned there goes to a carrier with less than
         * half as many instead (default 128).
         *
         * @throws IllegalArgumentException if {@code < 1}
         */
        public Builder spillThreshold(int tasks) {
            if (tasks < 1) {
                throw new IllegalArgumentException("spillThreshold must be >= 1, was " + tasks);
            }
            this.spillThreshold = tasks;
            return this;
        }

        /**
         * How long {@link WeftRuntime#close()} waits for tasks before cancelling them (default 10 s).
         * One too long to count in nanoseconds (about 292 years) means as long as tasks run.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder closeTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "closeTimeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("closeTimeout must be >= 0, was " + timeout);
            }
            this.closeTimeout = timeout;
            return this;
        }

        /**
         * Runs tasks on the JDK's default scheduler even when the carrier scheduler is available
         * (to compare, or to test the fallback). Default false.
         */
        public Builder forceFallbackScheduler(boolean fallback) {
            this.forceFallback = fallback;
            return this;
        }

        private static Duration positive(String what, Duration d) {
            Objects.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be > 0, was " + d);
            }
            return d;
        }

        /**
         * Starts the carriers and returns the runtime.
         *
         * @throws IllegalStateException if a forced transport does not load here (with Netty's reason)
         */
        public WeftRuntime build() {
            return new WeftRuntime(new RuntimeCore(name, carriers, transport, blockingThreads, blockingKeepAlive,
                    slowSliceThreshold, spillThreshold, closeTimeout, forceFallback, clock), shared);
        }
    }
}
