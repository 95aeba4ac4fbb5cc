package dev.weft.core.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link java.util.concurrent.ExecutorService} on Weft tasks, with an optional bound on how many
 * run at once (the rest wait FIFO).
 *
 * <h2>Implementation overview</h2>
 * Each submission is a {@link Work} item: {@code NEW -> RUNNING -> DONE}, or {@code NEW -> DROPPED}
 * when {@link #shutdownNow()} takes it back before it ran. Items either wait in {@code queued}
 * (only when the concurrency bound is reached) or are {@code started} as a task. One lock guards
 * the sets and the termination condition; the task bodies run outside it.
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

    private final class Work implements java.util.concurrent.Callable<Void> {
        final Runnable command;
        final AtomicInteger state = new AtomicInteger(NEW);
        volatile Thread thread;

        Work(Runnable command) {
            this.command = command;
        }

        @Override
        public Void call() {
            try {
                if (state.compareAndSet(NEW, RUNNING)) {
                    thread = Thread.currentThread();
                    try {
                        command.run();
                    } catch (Throwable e) {
                        Thread t = Thread.currentThread();
                        t.getUncaughtExceptionHandler().uncaughtException(t, e);
                    } finally {
                        thread = null;
                        state.set(DONE);
                        Thread.interrupted(); // an interrupt from shutdownNow must not leak into bookkeeping
                    }
                }
            } finally {
                finished(this);
            }
            return null;
        }
    }

    @Override
    public void execute(Runnable command) {
        Objects.requireNonNull(command, "command");
        Work w = new Work(command);
        lock.lock();
        try {
            if (shutdown) {
                throw new RejectedExecutionException("executor is shut down");
            }
            if (started.size() >= maxConcurrency) {
                queued.addLast(w);
                return;
            }
            started.add(w);
        } finally {
            lock.unlock();
        }
        start(w);
    }

    private void start(Work w) {
        try {
            runtime.spawn(null, w);
        } catch (RejectedExecutionException e) {
            lock.lock();
            try {
                started.remove(w);
                signalIfTerminated();
            } finally {
                lock.unlock();
            }
            throw e;
        }
    }

    private void finished(Work w) {
        Work next;
        lock.lock();
        try {
            started.remove(w);
            next = queued.pollFirst();
            if (next != null) {
                started.add(next);
            }
            signalIfTerminated();
        } finally {
            lock.unlock();
        }
        if (next != null) {
            try {
                start(next);
            } catch (RejectedExecutionException e) {
                // The runtime closed under us: the item can never run.
                next.state.set(DROPPED);
            }
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
}
