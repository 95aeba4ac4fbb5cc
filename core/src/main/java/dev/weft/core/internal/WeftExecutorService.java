package dev.weft.core.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.weft.core.spi.Parking;

/**
 * {@link java.util.concurrent.ExecutorService} on Weft tasks, with an optional bound on how many
 * run at once (the rest wait FIFO).
 *
 * <h2>When the runtime shuts down</h2>
 * Commands that have not started by then never run: the runtime cancels them, and commands still
 * waiting for the bound can no longer be spawned. Each such command is dropped (a
 * {@link java.util.concurrent.Future} command, as {@code submit} makes, is
 * {@linkplain java.util.concurrent.Future#cancel cancelled} so its {@code get()} throws
 * {@link java.util.concurrent.CancellationException} rather than waiting forever); running ones
 * are interrupted by the runtime's cancellation. Once {@link #shutdown()} has been called the
 * executor then terminates as usual, so {@code close()} and {@code awaitTermination} return.
 *
 * <h2>Implementation overview</h2>
 * Each submission is a {@link Work} item: {@code NEW -> RUNNING -> DONE}, or {@code NEW -> DROPPED}
 * when {@link #shutdownNow()} takes it back, or the runtime cancels it, before it ran. Items
 * either wait in {@code queued} (only when the concurrency bound is reached) or are
 * {@code started} as a task. One lock guards the sets and the termination condition; the task
 * bodies run outside it. An item leaves {@code started} exactly once ({@link #finished}), whether
 * its body ran or the task ended without calling it ({@link Work#bodyNeverRan()}).
 * Each item carries its submitter's task-locals: a queued item is started from the task that just
 * ended, and must not inherit that task's context.
 * An exception thrown by a {@link #execute(Runnable)} command goes to the thread's uncaught
 * exception handler, as with {@code ThreadPoolExecutor}; {@code submit} captures it in the future.
 */
public final class WeftExecutorService extends AbstractExecutorService {
    private static final int NEW = 0, RUNNING = 1, DONE = 2, DROPPED = 3;

    private final RuntimeCore runtime;
    private final int maxConcurrency;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition terminatedCondition = lock.newCondition();
    private final ArrayDeque<Work> queued = new ArrayDeque<>();
    private final Set<Work> started = new HashSet<>();
    private boolean shutdown;

    public WeftExecutorService(RuntimeCore runtime, int maxConcurrency) {
        this.runtime = runtime;
        this.maxConcurrency = maxConcurrency;
    }

    private final class Work implements java.util.concurrent.Callable<Void>, TaskImpl.BodyNeverRan {
        final Runnable command;
        /** The submitter's task-locals (null: none), for the task that runs the command. */
        final Object taskLocals;
        final AtomicInteger state = new AtomicInteger(NEW);
        /** The thread running the command while RUNNING; read by shutdownNow under the lock. */
        volatile Thread thread;

        Work(Runnable command, Object taskLocals) {
            this.command = command;
            this.taskLocals = taskLocals;
        }

        @Override
        public Void call() {
            try {
                // Recorded before the state says RUNNING: a shutdownNow that sees RUNNING must
                // find the thread to interrupt.
                thread = Thread.currentThread();
                if (state.compareAndSet(NEW, RUNNING)) {
                    try {
                        command.run();
                    } catch (Throwable e) {
                        Thread t = Thread.currentThread();
                        t.getUncaughtExceptionHandler().uncaughtException(t, e);
                    } finally {
                        state.set(DONE);
                    }
                }
            } finally {
                thread = null;
                finished(this);
                // shutdownNow interrupts under the lock, which finished() took after `thread` was
                // cleared: no interrupt aimed at the command arrives after this point, so clearing
                // it now is for good, and it cannot leak into what this thread does next.
                Thread.interrupted();
            }
            return null;
        }

        /** The runtime ended the task without calling {@link #call()}: the command never runs. */
        @Override
        public void bodyNeverRan() {
            try {
                if (state.compareAndSet(NEW, DROPPED)) {
                    cancelIfFuture(command);
                }
            } finally {
                finished(this);
            }
        }
    }

    /** Cancels a never-run command that is a future, so its waiters wake instead of hanging. */
    private static void cancelIfFuture(Runnable command) {
        if (command instanceof Future<?> f) {
            f.cancel(false);
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws RejectedExecutionException if this executor is shut down or its runtime is closed
     * @throws NullPointerException       if {@code command} is null
     */
    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        // Captured here, on the submitter's thread: the command may start later from another task.
        Work w = new Work(command, CoreBridge.get().captureTaskLocals());
        lock.lock();
        try {
            if (shutdown) {
                throw new RejectedExecutionException("executor is shut down");
            }
            if (runtime.isClosed()) {
                // Queued now it could never start: refuse it as the spawn would.
                throw new RejectedExecutionException("runtime '" + runtime.name + "' is closed");
            }
            if (started.size() >= maxConcurrency) {
                queued.addLast(w);
                return;
            }
            started.add(w);
        } finally {
            lock.unlock();
        }
        try {
            start(w);
        } catch (RejectedExecutionException e) {
            // The runtime closed after the check above: commands queued behind w since can never
            // run either. w itself is the caller's, who gets the exception.
            dropQueued(w, false);
            throw e;
        }
    }

    private void start(Work w) {
        runtime.spawnWithTaskLocals(null, w, w.taskLocals);
    }

    /** Takes back the slot of {@code w}, whose task could not be spawned. */
    private void unstart(Work w) {
        lock.lock();
        try {
            started.remove(w);
            signalIfTerminated();
        } finally {
            lock.unlock();
        }
    }

    /**
     * {@code w} left the runtime (its body ran, or never will): starts the next queued item.
     * Idempotent: only the call that removes {@code w} from {@code started} frees its slot.
     */
    private void finished(Work w) {
        Work next = null;
        lock.lock();
        try {
            if (started.remove(w)) {
                next = queued.pollFirst();
                if (next != null) {
                    started.add(next);
                }
            }
            signalIfTerminated();
        } finally {
            lock.unlock();
        }
        if (next != null) {
            try {
                start(next);
            } catch (RejectedExecutionException e) {
                // The runtime closed: neither this item nor any queued behind it can ever run.
                dropQueued(next, true);
            }
        }
    }

    /**
     * Drops everything queued behind {@code first} (still in {@code started}), and {@code first}
     * too if {@code dropFirst}. {@code first} leaves {@code started} only once every dropped future
     * is cancelled: until then the executor cannot terminate, so {@code awaitTermination} never
     * returns before they are done.
     */
    private void dropQueued(Work first, boolean dropFirst) {
        List<Work> dropped = new ArrayList<>();
        if (dropFirst) {
            dropped.add(first);
        }
        lock.lock();
        try {
            dropped.addAll(queued);
            queued.clear();
        } finally {
            lock.unlock();
        }
        try {
            // Outside the lock: cancelling a future runs its completion hooks, which are user code.
            for (Work w : dropped) {
                if (w.state.compareAndSet(NEW, DROPPED)) {
                    cancelIfFuture(w.command);
                }
            }
        } finally {
            unstart(first);
        }
    }

    private void signalIfTerminated() {
        if (shutdown && started.isEmpty() && queued.isEmpty()) {
            terminatedCondition.signalAll();
        }
    }

    @Override
    public void shutdown() {
        lock.lock();
        try {
            shutdown = true;
            signalIfTerminated();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<Runnable> shutdownNow() {
        List<Runnable> neverStarted = new ArrayList<>();
        lock.lock();
        try {
            shutdown = true;
            for (Work w : queued) {
                if (w.state.compareAndSet(NEW, DROPPED)) {
                    neverStarted.add(w.command);
                }
            }
            queued.clear();
            for (Work w : started) {
                if (w.state.compareAndSet(NEW, DROPPED)) {
                    neverStarted.add(w.command);
                } else {
                    Thread t = w.thread;
                    if (t != null) {
                        t.interrupt();
                    }
                }
            }
            signalIfTerminated();
        } finally {
            lock.unlock();
        }
        return neverStarted;
    }

    @Override
    public boolean isShutdown() {
        lock.lock();
        try {
            return shutdown;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean isTerminated() {
        lock.lock();
        try {
            return shutdown && started.isEmpty() && queued.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            while (!(shutdown && started.isEmpty() && queued.isEmpty())) {
                if (nanos <= 0) {
                    return false;
                }
                nanos = terminatedCondition.awaitNanos(nanos);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * As {@link AbstractExecutorService#invokeAny}, with one difference that matters here: that
     * one goes through an {@code ExecutorCompletionService}, which hands {@link #execute} a
     * wrapper around each task's future. A wrapper this executor drops (its runtime closed) is
     * cancelled, but the future inside it is then queued as done without having run, and
     * {@code invokeAny} waits for it for good. Here each future is itself what {@code execute}
     * gets and queues itself once done, cancelled included.
     */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return doInvokeAny(tasks, false, 0);
        } catch (TimeoutException cannotHappen) {
            throw new AssertionError(cannotHappen);
        }
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        return doInvokeAny(tasks, true, unit.toNanos(timeout));
    }

    private <T> T doInvokeAny(Collection<? extends Callable<T>> tasks, boolean timed, long nanos)
            throws InterruptedException, ExecutionException, TimeoutException {
        int n = tasks.size();
        if (n == 0) {
            throw new IllegalArgumentException("invokeAny needs at least one task");
        }
        BlockingQueue<Future<T>> done = new LinkedBlockingQueue<>();
        List<Future<T>> futures = new ArrayList<>(n);
        long deadline = timed ? System.nanoTime() + nanos : 0L;
        try {
            // One at a time, as the JDK's: a task that succeeds at once spares the others.
            Iterator<? extends Callable<T>> it = tasks.iterator();
            futures.add(executeQueued(it.next(), done));
            int left = n - 1;
            int active = 1;
            ExecutionException failure = null;
            while (true) {
                Future<T> f = done.poll();
                if (f == null) {
                    if (left > 0) {
                        left--;
                        futures.add(executeQueued(it.next(), done));
                        active++;
                        continue;
                    }
                    if (active == 0) {
                        break;
                    }
                    if (timed) {
                        f = done.poll(nanos, TimeUnit.NANOSECONDS);
                        if (f == null) {
                            throw new TimeoutException("no task of invokeAny completed in time");
                        }
                        nanos = deadline - System.nanoTime();
                    } else {
                        f = done.take();
                    }
                }
                active--;
                try {
                    return f.get(); // done: does not wait
                } catch (ExecutionException e) {
                    failure = e;
                } catch (RuntimeException e) { // cancelled (dropped at the runtime's close)
                    failure = new ExecutionException(e);
                }
            }
            throw failure;
        } finally {
            for (Future<T> f : futures) {
                f.cancel(true);
            }
        }
    }

    private <T> Future<T> executeQueued(Callable<T> task, BlockingQueue<Future<T>> done) {
        QueuedFuture<T> f = new QueuedFuture<>(Objects.requireNonNull(task, "task"), done);
        execute(f);
        return f;
    }

    /** A future of {@link #invokeAny} that queues itself for it once done (ran, failed or cancelled). */
    private static final class QueuedFuture<T> extends SpinningFuture<T> {
        private final BlockingQueue<Future<T>> done;

        QueuedFuture(Callable<T> callable, BlockingQueue<Future<T>> done) {
            super(callable);
            this.done = done;
        }

        @Override
        protected void done() {
            done.add(this);
        }
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Callable<T> callable) {
        return new SpinningFuture<>(callable);
    }

    @Override
    protected <T> RunnableFuture<T> newTaskFor(Runnable runnable, T value) {
        return new SpinningFuture<>(runnable, value);
    }

    /**
     * The futures of {@code submit}, {@code invokeAll} and {@code invokeAny}: a {@link FutureTask}
     * whose {@code get} on a platform thread spins briefly before it blocks
     * ({@link Parking#PLATFORM_SPIN_NANOS}), as {@code Task.join} does, so a short task's result
     * costs the caller no sleep and wake-up in the kernel. Everything else is {@code FutureTask}'s.
     */
    private static class SpinningFuture<T> extends FutureTask<T> {
        SpinningFuture(Callable<T> callable) {
            super(callable);
        }

        SpinningFuture(Runnable runnable, T value) {
            super(runnable, value);
        }

        @Override
        public T get() throws InterruptedException, ExecutionException {
            Parking.spinBeforeBlocking(this::isDone, Parking.PLATFORM_SPIN_NANOS);
            return super.get();
        }

        @Override
        public T get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
            return super.get(Parking.spinBeforeTimedWait(this::isDone, unit.toNanos(timeout)), TimeUnit.NANOSECONDS);
        }
    }
}
