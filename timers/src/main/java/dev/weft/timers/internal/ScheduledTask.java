package dev.weft.timers.internal;

import dev.weft.core.Task;
import dev.weft.core.spi.Parking;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.core.spi.TimerHandle;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.Callable;

/**
 * One scheduled task of a {@link WheelScheduledExecutorImpl}: its future, its time on the
 * runtime clock, its period ({@code 0} one-shot, {@code > 0} fixed rate, {@code < 0} fixed
 * delay), the wheel timer that waits for it and, while it runs, the Weft task that runs it.
 */
final class ScheduledTask<V> extends FutureTask<V> implements RunnableScheduledFuture<V> {
    private final WheelScheduledExecutorImpl owner;
    private final long seq;
    final long period;
    volatile long time;
    volatile TimerHandle timer;
    volatile Task<?> runner;
    /** Threads in {@link #get} on a virtual clock (see there). */
    private final ConcurrentLinkedQueue<Thread> virtualWaiters = new ConcurrentLinkedQueue<>();

    ScheduledTask(WheelScheduledExecutorImpl owner, Callable<V> body, long time, long period, long seq) {
        super(body);
        this.owner = owner;
        this.time = time;
        this.period = period;
        this.seq = seq;
    }

    ScheduledTask(WheelScheduledExecutorImpl owner, Runnable body, V result, long time, long period, long seq) {
        super(body, result);
        this.owner = owner;
        this.time = time;
        this.period = period;
        this.seq = seq;
    }

    @Override
    public boolean isPeriodic() {
        return period != 0;
    }

    @Override
    public long getDelay(TimeUnit unit) {
        return unit.convert(time - owner.now(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
        if (other == this) {
            return 0;
        }
        if (other instanceof ScheduledTask<?> x) {
            int c = Long.compare(time, x.time);
            return c != 0 ? c : Long.compare(seq, x.seq);
        }
        return Long.compare(getDelay(TimeUnit.NANOSECONDS), other.getDelay(TimeUnit.NANOSECONDS));
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            owner.onCancel(this);
        }
        return cancelled;
    }

    /** Runs a periodic task once, leaving the future pending unless it threw or was cancelled. */
    boolean runPeriodic() {
        return super.runAndReset();
    }

    @Override
    protected void done() {
        Thread t;
        while ((t = virtualWaiters.poll()) != null) {
            Parking.unpark(t);
        }
    }

    /*
     * On a virtual clock, a task that waits here must count as waiting for time while the result
     * depends only on this task's timer, or auto-advance would never jump to it. So it parks with
     * Parking.parkNanos up to the task's time (a timed wait on the wheel), and untimed once the
     * run has started (the running task then holds the clock still until done() wakes us).
     */
    @Override
    public V get() throws InterruptedException, ExecutionException {
        if (!isDone() && owner.waitsInVirtualTime()) {
            awaitVirtual(Long.MAX_VALUE);
        }
        return super.get();
    }

    @Override
    public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
        if (!isDone() && owner.waitsInVirtualTime()) {
            long until = Clocks.plus(owner.now(), unit.toNanos(timeout));
            if (!awaitVirtual(until)) {
                throw new TimeoutException();
            }
            return super.get();
        }
        return super.get(timeout, unit);
    }

    private boolean awaitVirtual(long until) throws InterruptedException {
        Thread me = Thread.currentThread();
        virtualWaiters.add(me);
        try {
            while (!isDone()) {
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                long now = owner.now();
                if (until != Long.MAX_VALUE && until - now <= 0) {
                    return false;
                }
                long wake = until;
                if (owner.isQueued(this) && time - wake < 0) {
                    wake = time;
                }
                if (wake == Long.MAX_VALUE || wake - now <= 0) {
                    // Waiting for the run, a task of the runtime: a wait on the runtime itself, so
                    // the test clock still moves for the run when it sleeps (as for Task.join).
                    boolean internal = RuntimeAccess.beginInternalWait(owner.runtime());
                    try {
                        Parking.park(this);
                    } finally {
                        if (internal) {
                            RuntimeAccess.endInternalWait(owner.runtime());
                        }
                    }
                } else {
                    Parking.parkNanos(this, wake - now);
                }
            }
            return true;
        } finally {
            virtualWaiters.remove(me);
        }
    }
}
