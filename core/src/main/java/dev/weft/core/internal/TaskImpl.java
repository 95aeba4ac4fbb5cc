package dev.weft.core.internal;

import dev.weft.core.Task;
import dev.weft.core.TaskFailedException;
import dev.weft.core.TaskInfo;

import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A task: the body (a {@link FutureTask}, which gives the JDK's well-tested result, failure and
 * cancellation states) plus the thread that runs it and the bookkeeping the runtime needs.
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>{@link #run()} is the thread's body: it makes the task findable from its own thread (so
 *       {@code WeftRuntime.current()} and placement find it): on a carrier, the carrier records
 *       which task it runs; elsewhere (blocking pool, fallback mode) {@link #CURRENT} is bound.
 *       It binds the inherited task-locals,
 *       runs the {@code FutureTask}, then marks the task ended and tells the runtime.</li>
 *   <li>{@code ended} flips exactly once, after the body; {@link #join()} of a cancelled task
 *       waits for it, on a latch created only when someone waits.</li>
 *   <li>A failure nobody joined is logged once, when the handle becomes unreachable: the Cleaner
 *       is registered only on failure, so successful tasks pay nothing for it.</li>
 * </ul>
 */
public final class TaskImpl<T> implements Task<T>, Runnable {
    static final ScopedValue<TaskImpl<?>> CURRENT = ScopedValue.newInstance();
    private static final AtomicLong IDS = new AtomicLong();
    private static final Cleaner CLEANER = Cleaner.create(
            Thread.ofPlatform().daemon(true).name("weft-task-cleaner").factory());

    final long id;
    private final String name;
    final RuntimeCore runtime;
    /** The carrier whose scheduler runs this task; null for blocking-pool and fallback tasks. */
    final Carrier carrier;
    private final Body body;
    private final Object taskLocals;
    final long spawnedNanos;
    /** The thread running the body (set before start; for blocking tasks, when the body starts). */
    volatile Thread thread;
    /** Counted by the runtime only when it starts (threads handed to a thread factory's caller). */
    boolean registerOnStart;
    /** Links of the carrier's live list (carrier thread only). */
    TaskImpl<?> prevLive, nextLive;
    boolean listed;
    /** The JDK's continuation runnable of this task's virtual thread (carrier mode), to name slow slices. */
    Runnable continuation;
    /**
     * {@link System#nanoTime()} when the carrier last gave this task's thread a slice; 0: never.
     * Written by the carrier thread only; a plain field (read racily by diagnostics, which may see
     * a stale value: a snapshot tolerates that, the carrier's hot path would not tolerate a fence).
     */
    long lastRunNanos;
    private volatile boolean ended;
    private volatile CountDownLatch endLatch;
    private volatile FailureRecord failure;

    TaskImpl(RuntimeCore runtime, Carrier carrier, String name, Callable<T> callable, Object taskLocals) {
        this.id = IDS.incrementAndGet();
        this.runtime = runtime;
        this.carrier = carrier;
        this.name = name;
        this.body = new Body(Objects.requireNonNull(callable, "callable"));
        this.taskLocals = taskLocals;
        this.spawnedNanos = System.nanoTime();
    }

    /** The task the calling thread runs, or null. */
    public static TaskImpl<?> currentOrNull() {
        Thread t = Thread.currentThread();
        if (t.isVirtual() && CarrierScheduler.schedulerOf(t) instanceof Carrier c) {
            TaskImpl<?> running = c.running;
            if (running != null && running.thread == t) {
                return running;
            }
        }
        return CURRENT.isBound() ? CURRENT.get() : null;
    }

    /** The runtime this task belongs to. */
    public RuntimeCore runtime() {
        return runtime;
    }

    /** The thread running this task (null for a blocking job not yet started). */
    public Thread thread() {
        return thread;
    }

    /** The carrier scheduling this task, or null (blocking pool, fallback mode). */
    public Carrier carrier() {
        return carrier;
    }

    @Override
    public void run() {
        if (thread == null) {
            thread = Thread.currentThread();
        }
        if (registerOnStart) {
            runtime.registerStarted(this);
        }
        Carrier c = carrier;
        if (c != null) {
            c.taskStarted(this);
        }
        if (runtime.cancelNewStarts) {
            body.cancel(false); // the runtime is cancelling what is left: do not start the body
        }
        try {
            if (c != null && c.bindRunning(this)) {
                // The carrier knows which of its tasks runs, so no scoped value is bound: a parked
                // task keeps no binding objects alive and its stack is three frames shallower.
                if (taskLocals == null) {
                    body.run();
                } else {
                    CoreBridge.get().runWithTaskLocals(taskLocals, null, body);
                }
            } else if (taskLocals == null) {
                ScopedValue.where(CURRENT, this).run(body);
            } else {
                CoreBridge.get().runWithTaskLocals(taskLocals, ScopedValue.where(CURRENT, this), body);
            }
        } finally {
            markEnded();
            runtime.taskEnded(this);
            // A handle may outlive its task by far (an array of a million handles): let the
            // thread and its continuation be collected now.
            thread = null;
            continuation = null;
        }
    }

    @Override
    public T join() throws InterruptedException {
        // A task of this runtime waiting for another is waiting on the runtime itself, not on the
        // outside world: the test clock may still move time for the task it waits for.
        TaskImpl<?> caller = currentOrNull();
        boolean internal = caller != null && caller.runtime == runtime && !ended;
        if (internal) {
            runtime.internalWaiters.incrementAndGet();
        }
        try {
            return body.get();
        } catch (ExecutionException e) {
            throw failed(e);
        } catch (CancellationException e) {
            awaitEnd(Long.MAX_VALUE);
            throw cancelled();
        } finally {
            if (internal) {
                runtime.internalWaiters.decrementAndGet();
            }
        }
    }

    @Override
    public T join(Duration timeout) throws InterruptedException, TimeoutException {
        long nanos = timeout.toNanos();
        long deadline = System.nanoTime() + nanos;
        try {
            return body.get(nanos, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            throw failed(e);
        } catch (CancellationException e) {
            if (!awaitEnd(deadline - System.nanoTime())) {
                throw new TimeoutException("task '" + name() + "' was cancelled and has not ended after " + timeout);
            }
            throw cancelled();
        } catch (TimeoutException e) {
            throw new TimeoutException("task '" + name() + "' still running after " + timeout);
        }
    }

    private TaskFailedException failed(ExecutionException e) {
        FailureRecord f = failure;
        if (f != null) {
            f.observed = true;
        }
        return new TaskFailedException(name(), e.getCause());
    }

    private CancellationException cancelled() {
        return new CancellationException("task '" + name() + "' was cancelled");
    }

    /**
     * The body no longer runs: set before the outcome is published (so a join that returns sees
     * {@code isDone()}), and again, idempotently, when the thread finishes.
     */
    private void markEnded() {
        if (!ended) {
            ended = true;
            CountDownLatch latch = endLatch;
            if (latch != null) {
                latch.countDown();
            }
        }
    }

    /** Waits up to {@code nanos} for the body to have ended. */
    boolean awaitEnd(long nanos) throws InterruptedException {
        if (ended) {
            return true;
        }
        CountDownLatch latch = endLatch;
        if (latch == null) {
            synchronized (this) {
                latch = endLatch;
                if (latch == null) {
                    endLatch = latch = new CountDownLatch(1);
                }
            }
        }
        if (ended) {
            return true;
        }
        if (nanos == Long.MAX_VALUE) {
            latch.await();
            return true;
        }
        return latch.await(Math.max(0, nanos), TimeUnit.NANOSECONDS);
    }

    @Override
    public boolean cancel() {
        return body.cancel(true);
    }

    @Override
    public boolean isDone() {
        return ended;
    }

    @Override
    public boolean isCancelled() {
        return body.isCancelled();
    }

    @Override
    public State state() {
        if (!ended) {
            return State.RUNNING;
        }
        return switch (body.state()) {
            case SUCCESS -> State.SUCCEEDED;
            case FAILED -> State.FAILED;
            case CANCELLED -> State.CANCELLED;
            case RUNNING -> State.RUNNING;
        };
    }

    @Override
    public String name() {
        return name != null ? name : "task-" + id;
    }

    /** The name given at spawn, or null. */
    String rawName() {
        return name;
    }

    @Override
    public long id() {
        return id;
    }

    /** A snapshot for reports; takes a stack trace, so not for hot paths. */
    public TaskInfo info() {
        Thread t = thread;
        StackTraceElement[] trace = t == null ? new StackTraceElement[0] : t.getStackTrace();
        List<StackTraceElement> stack = Arrays.asList(trace).subList(0, Math.min(8, trace.length));
        long now = System.nanoTime();
        long lastRun = lastRunNanos;
        return new TaskInfo(id, name(), Duration.ofNanos(now - spawnedNanos), stack,
                t == null ? null : t.getState(),
                lastRun == 0 ? null : Duration.ofNanos(Math.max(0, now - lastRun)),
                t == null ? -1 : t.threadId());
    }

    @Override
    public String toString() {
        return "Task[" + name() + ", " + state() + "]";
    }

    /** Logs an unjoined failure once its handle is gone. Must not reference the TaskImpl. */
    private static final class FailureRecord implements Runnable {
        final String taskName;
        final Throwable error;
        final System.Logger log;
        volatile boolean observed;

        FailureRecord(String taskName, Throwable error, System.Logger log) {
            this.taskName = taskName;
            this.error = error;
            this.log = log;
        }

        @Override
        public void run() {
            if (!observed) {
                log.log(System.Logger.Level.WARNING, "task '" + taskName + "' failed and was never joined", error);
            }
        }
    }

    private final class Body extends FutureTask<T> {
        Body(Callable<T> callable) {
            super(callable);
        }

        @Override
        protected void set(T v) {
            markEnded();
            super.set(v);
        }

        @Override
        protected void setException(Throwable t) {
            markEnded();
            // Recorded before the outcome is published, so a join that sees the failure also
            // finds the record and marks it observed (else the failure would be logged as unjoined).
            FailureRecord f = new FailureRecord(name(), t, runtime.log);
            failure = f;
            super.setException(t);
            if (state() == java.util.concurrent.Future.State.FAILED) {
                CLEANER.register(TaskImpl.this, f);
            }
        }
    }
}
