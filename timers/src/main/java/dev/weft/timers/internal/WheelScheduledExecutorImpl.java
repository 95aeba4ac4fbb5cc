package dev.weft.timers.internal;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.core.spi.RuntimeClock;
import dev.weft.core.spi.TimerHandle;
import dev.weft.timers.WheelScheduledExecutor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link WheelScheduledExecutor} on a runtime's timer wheels.
 *
 * <p><b>Implementation overview.</b> A task waiting for its time is in {@link #queued} and has
 * one wheel timer. When the timer fires (on a carrier thread, which must not block) the task
 * moves from {@code queued} to {@link #running} and is spawned as a Weft task; a periodic task,
 * once its run ends, moves back to {@code queued} with a new timer. Moving between the sets by
 * atomic {@code remove} decides every race (fire against cancel, fire against shutdownNow): only
 * the thread that removed the task acts on it. Arming and the checks of the run state happen under
 * {@link #lock}, so no task is armed after {@code shutdown} has looked at the queue. The executor
 * has terminated when it is shut down and both sets are empty.
 *
 * <pre>
 *   schedule --> QUEUED --timer--> RUNNING --one-shot ends--> done
 *                  ^                  |
 *                  +--periodic run ok-+     cancel / shutdown policy / shutdownNow: leaves QUEUED
 * </pre>
 */
public final class WheelScheduledExecutorImpl extends AbstractExecutorService implements WheelScheduledExecutor {
    private static final int RUNNING = 0, SHUTDOWN = 1, STOP = 2;

    private final WeftRuntime rt;
    private final RuntimeClock clock;
    private final Set<ScheduledTask<?>> queued = ConcurrentHashMap.newKeySet();
    private final Set<ScheduledTask<?>> running = ConcurrentHashMap.newKeySet();
    private final AtomicLong sequence = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final CountDownLatch terminated = new CountDownLatch(1);
    /** Tasks of {@link #rt} in {@link #awaitTermination} on a virtual clock (see there). */
    private final java.util.concurrent.ConcurrentLinkedQueue<Thread> terminationWaiters = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private volatile int state = RUNNING;
    private volatile boolean continuePeriodicAfterShutdown = false;
    private volatile boolean executeDelayedAfterShutdown = true;

    /** The runtime whose wheel and tasks this executor uses. */
    WeftRuntime runtime() {
        return rt;
    }

    public WheelScheduledExecutorImpl(WeftRuntime rt) {
        this.rt = rt;
        this.clock = RuntimeAccess.clock(rt);
    }

    long now() {
        return clock.nanoTime();
    }

    /** Whether a caller of get() must wait as a timed waiter: a task of this runtime on a virtual clock. */
    boolean waitsInVirtualTime() {
        return clock.isVirtual() && Clocks.runtimeOrNull() == rt;
    }

    boolean isQueued(ScheduledTask<?> t) {
        return queued.contains(t);
    }

    // ---- scheduling ----

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(unit, "unit");
        return enqueue(new ScheduledTask<Void>(this, command, null, triggerTime(delay, unit), 0, sequence.getAndIncrement()));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        Objects.requireNonNull(callable, "callable");
        Objects.requireNonNull(unit, "unit");
        return enqueue(new ScheduledTask<>(this, callable, triggerTime(delay, unit), 0, sequence.getAndIncrement()));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(unit, "unit");
        if (period <= 0) {
            throw new IllegalArgumentException("period must be > 0, was " + period + " " + unit);
        }
        return enqueue(new ScheduledTask<Void>(this, command, null, triggerTime(initialDelay, unit),
                Math.max(1, unit.toNanos(period)), sequence.getAndIncrement()));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(unit, "unit");
        if (delay <= 0) {
            throw new IllegalArgumentException("delay must be > 0, was " + delay + " " + unit);
        }
        return enqueue(new ScheduledTask<Void>(this, command, null, triggerTime(initialDelay, unit),
                -Math.max(1, unit.toNanos(delay)), sequence.getAndIncrement()));
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public Future<?> submit(Runnable task) {
        return schedule(task, 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> Future<T> submit(Runnable task, T result) {
        Objects.requireNonNull(task, "task");
        return schedule(java.util.concurrent.Executors.callable(task, result), 0, TimeUnit.NANOSECONDS);
    }

    @Override
    public <T> Future<T> submit(Callable<T> task) {
        return schedule(task, 0, TimeUnit.NANOSECONDS);
    }

    private long triggerTime(long delay, TimeUnit unit) {
        return Clocks.plus(now(), Math.max(0, unit.toNanos(delay)));
    }

    private <V> ScheduledTask<V> enqueue(ScheduledTask<V> t) {
        lock.lock();
        try {
            if (state != RUNNING) {
                throw new RejectedExecutionException("scheduled executor is shut down");
            }
            arm(t);
        } finally {
            lock.unlock();
        }
        return t;
    }

    /** Under {@link #lock}: queues {@code t} with a timer at its time. */
    private void arm(ScheduledTask<?> t) {
        queued.add(t);
        try {
            t.timer = RuntimeAccess.schedule(rt, t.time, () -> fire(t));
        } catch (RejectedExecutionException closed) {
            queued.remove(t);
            throw new RejectedExecutionException("runtime '" + rt.name() + "' is closed", closed);
        }
    }

    /** The timer's action, on a carrier thread: must not block. */
    private void fire(ScheduledTask<?> t) {
        running.add(t);
        if (!queued.remove(t)) {
            running.remove(t); // cancelled, or drained by shutdownNow
            tryTerminate();
            return;
        }
        if (!canRun(t)) {
            running.remove(t);
            t.cancel(false);
            tryTerminate();
            return;
        }
        try {
            rt.spawn(() -> {
                runTask(t);
                return null;
            });
        } catch (RejectedExecutionException closed) {
            running.remove(t);
            t.cancel(false);
            tryTerminate();
        }
    }

    private void runTask(ScheduledTask<?> t) {
        try {
            t.runner = dev.weft.core.Weft.currentTask().orElse(null);
            // As ScheduledThreadPoolExecutor's run: the run state is checked again when the run
            // starts, since shutdown (or shutdownNow) may have come between the timer, which took
            // the task out of the queue, and this start. Read after runner is published, so a
            // shutdownNow that this check misses sees the runner and interrupts the run.
            if (!canRun(t)) {
                t.cancel(false);
                return;
            }
            if (!t.isPeriodic()) {
                t.run();
                return;
            }
            if (!t.runPeriodic()) {
                return; // threw (the future holds the exception) or was cancelled
            }
            lock.lock();
            try {
                if (canRun(t) && !t.isDone()) {
                    t.time = t.period > 0 ? Clocks.plus(t.time, t.period) : Clocks.plus(now(), -t.period);
                    try {
                        arm(t);
                        if (t.isDone() && queued.remove(t)) {
                            // Cancelled while being re-armed, after its cancel looked for it in
                            // the queue: take it out now, or shutdown would wait for its timer.
                            t.timer.cancel();
                        }
                    } catch (RejectedExecutionException closed) {
                        t.cancel(false);
                    }
                } else {
                    t.cancel(false);
                }
            } finally {
                lock.unlock();
            }
        } finally {
            t.runner = null;
            running.remove(t);
            Thread.interrupted(); // an interrupt meant for this run must not outlive it (the task ends anyway)
            tryTerminate();
        }
    }

    private boolean canRun(ScheduledTask<?> t) {
        int s = state;
        if (s == RUNNING) {
            return true;
        }
        if (s == STOP) {
            return false;
        }
        // As ScheduledThreadPoolExecutor: a one-shot task already due (submit, execute) is not
        // "delayed": shutdown runs it whatever the delayed-tasks policy says.
        return t.isPeriodic() ? continuePeriodicAfterShutdown
                : executeDelayedAfterShutdown || t.getDelay(TimeUnit.NANOSECONDS) <= 0;
    }

    void onCancel(ScheduledTask<?> t) {
        if (queued.remove(t)) {
            TimerHandle h = t.timer;
            if (h != null) {
                h.cancel();
            }
        }
        tryTerminate();
    }

    private void tryTerminate() {
        if (state != RUNNING && queued.isEmpty() && running.isEmpty() && terminated.getCount() > 0) {
            terminated.countDown();
            Thread w;
            while ((w = terminationWaiters.poll()) != null) {
                dev.weft.core.spi.Parking.unpark(w);
            }
        }
    }

    // ---- lifecycle ----

    @Override
    public void shutdown() {
        lock.lock();
        try {
            if (state == RUNNING) {
                state = SHUTDOWN;
            }
            applyShutdownPolicies();
        } finally {
            lock.unlock();
        }
        tryTerminate();
    }

    private void applyShutdownPolicies() {
        if (state == RUNNING) {
            return;
        }
        for (ScheduledTask<?> t : queued) {
            if (!canRun(t)) {
                t.cancel(false);
            }
        }
    }

    @Override
    public List<Runnable> shutdownNow() {
        List<ScheduledTask<?>> drained = new ArrayList<>();
        lock.lock();
        try {
            state = STOP;
            for (ScheduledTask<?> t : queued) {
                if (queued.remove(t)) {
                    TimerHandle h = t.timer;
                    if (h != null) {
                        h.cancel();
                    }
                    drained.add(t);
                }
            }
            for (ScheduledTask<?> t : running) {
                Task<?> runner = t.runner;
                if (runner != null) {
                    runner.cancel();
                }
            }
        } finally {
            lock.unlock();
        }
        tryTerminate();
        Collections.sort(drained);
        return new ArrayList<>(drained);
    }

    @Override
    public boolean isShutdown() {
        return state != RUNNING;
    }

    @Override
    public boolean isTerminated() {
        return terminated.getCount() == 0;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        if (terminated.getCount() == 0) {
            // As ThreadPoolExecutor's (and Weft.newExecutor's): a terminated executor answers true
            // even to an interrupted caller, whose status is kept. The latch alone would throw.
            return true;
        }
        if (waitsInVirtualTime()) {
            return awaitTerminationVirtual(Clocks.plus(now(), unit.toNanos(timeout)));
        }
        return terminated.await(timeout, unit);
    }

    /*
     * As ScheduledTask.get: on a virtual clock a task of the runtime must wait on the wheel (a
     * timed wait, in virtual time), or auto-advance would never move time to the queued tasks
     * this wait depends on, and the latch's real-time wait would hold the clock still.
     */
    private boolean awaitTerminationVirtual(long until) throws InterruptedException {
        Thread me = Thread.currentThread();
        terminationWaiters.add(me);
        try {
            while (terminated.getCount() > 0) {
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                long left = Clocks.minus(until, now());
                if (left <= 0) {
                    return false;
                }
                dev.weft.core.spi.Parking.parkNanos(this, left);
            }
            return true;
        } finally {
            terminationWaiters.remove(me);
        }
    }

    // ---- policies ----

    @Override
    public boolean getContinueExistingPeriodicTasksAfterShutdownPolicy() {
        return continuePeriodicAfterShutdown;
    }

    @Override
    public void setContinueExistingPeriodicTasksAfterShutdownPolicy(boolean value) {
        lock.lock();
        try {
            continuePeriodicAfterShutdown = value;
            applyShutdownPolicies();
        } finally {
            lock.unlock();
        }
        tryTerminate();
    }

    @Override
    public boolean getExecuteExistingDelayedTasksAfterShutdownPolicy() {
        return executeDelayedAfterShutdown;
    }

    @Override
    public void setExecuteExistingDelayedTasksAfterShutdownPolicy(boolean value) {
        lock.lock();
        try {
            executeDelayedAfterShutdown = value;
            applyShutdownPolicies();
        } finally {
            lock.unlock();
        }
        tryTerminate();
    }

    @Override
    public int queuedTaskCount() {
        return queued.size();
    }

    @Override
    public String toString() {
        String s = switch (state) {
            case RUNNING -> "running";
            case SHUTDOWN -> isTerminated() ? "terminated" : "shutting down";
            default -> isTerminated() ? "terminated" : "stopping";
        };
        return "WheelScheduledExecutor[" + s + ", queued=" + queued.size() + ", running=" + running.size()
                + ", runtime=" + rt.name() + "]";
    }
}
