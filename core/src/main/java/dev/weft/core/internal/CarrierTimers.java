package dev.weft.core.internal;

import dev.weft.core.spi.RuntimeClock;
import dev.weft.core.internal.time.TimerEntry;
import dev.weft.core.internal.time.TimerWheel;
import dev.weft.core.spi.TimerHandle;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The timers of one carrier: a {@link TimerWheel} owned by the carrier thread, fed by an MPSC
 * queue for timers armed or cancelled from other threads. Actions run on the carrier thread and
 * must not block (typically they unpark a task).
 */
public final class CarrierTimers {
    private final Carrier carrier;
    private final RuntimeClock clock;
    private final long originNanos;
    private final TimerWheel wheel;
    private final ConcurrentLinkedQueue<RemoteArm> inbox = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<Timer> cancelled = new ConcurrentLinkedQueue<>();
    private volatile boolean stopped;
    /**
     * Timers armed (counted here when armed on the carrier, else when the carrier takes them from
     * its inbox) and cancelled on the carrier (carrier thread only, read racily; once stopped,
     * under the inbox's lock, see {@link #releaseInbox}); with
     * {@link #fired} and {@link #cancelledRemotely} they give {@link #pending()}, so arming and
     * cancelling on the carrier cost no atomic counter.
     */
    private long armed, cancelledHere;
    /** Timers cancelled by other threads: counted at once, as the carrier may be asleep. */
    private final java.util.concurrent.atomic.AtomicLong cancelledRemotely = new java.util.concurrent.atomic.AtomicLong();
    public long fired;
    public long cancelledCount;
    /** Sum and maximum of how late fired timers ran, in runtime-clock nanos (carrier thread only, read racily). */
    public long latenessTotalNanos, latenessMaxNanos;
    /** The runtime clock when the current {@link #runDue} started firing. */
    private long firingNanos;

    CarrierTimers(Carrier carrier, RuntimeClock clock) {
        this.carrier = carrier;
        this.clock = clock;
        this.originNanos = clock.nanoTime();
        this.wheel = new TimerWheel(0);
    }

    /**
     * Timers armed, not yet fired or cancelled (racy; a timer armed from another thread counts
     * once the carrier has taken it in, which it is woken for).
     */
    public int pending() {
        return (int) Math.max(0, armed - fired - cancelledHere - cancelledRemotely.get());
    }

    /**
     * Arms a timer that runs {@code action} on this carrier's thread once the runtime clock
     * reaches {@code deadlineNanos}. Callable from any thread.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the carrier has stopped
     */
    public TimerHandle schedule(long deadlineNanos, Runnable action) {
        return arm(deadlineNanos, java.util.Objects.requireNonNull(action, "action"));
    }

    /**
     * Arms a timer that unparks {@code thread} once the runtime clock reaches
     * {@code deadlineNanos}: what every timed park needs, without an action object per park.
     * Callable from any thread.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the carrier has stopped
     */
    public TimerHandle scheduleUnpark(long deadlineNanos, Thread thread) {
        return arm(deadlineNanos, java.util.Objects.requireNonNull(thread, "thread"));
    }

    private Timer arm(long deadlineNanos, Object target) {
        if (stopped) {
            throw new java.util.concurrent.RejectedExecutionException("runtime '" + carrier.runtime.name + "' is closed");
        }
        Timer t = new Timer(target);
        long deadlineMs = toWheelMs(deadlineNanos);
        if (carrier.isCurrent()) {
            armed++;
            wheel.insert(t, deadlineMs);
        } else {
            // The timer itself has room only for the wheel's 32-bit deadline: the full one travels beside it.
            inbox.offer(new RemoteArm(t, deadlineMs));
            carrier.wakeIfSleeping();
            if (stopped) {
                // The carrier may have taken in its inbox for the last time before this offer:
                // release what is left (this timer included) ourselves, so nothing is stranded.
                releaseInbox(t);
                throw new java.util.concurrent.RejectedExecutionException("runtime '" + carrier.runtime.name + "' is closed");
            }
        }
        return t;
    }

    private long toWheelMs(long deadlineNanos) {
        long rel = deadlineNanos - originNanos;
        if (deadlineNanos > 0 && originNanos < 0 && rel < 0) {
            rel = Long.MAX_VALUE; // the subtraction overflowed: as far away as it gets
        }
        if (rel <= 0) {
            return 0;
        }
        // Round up: a timer never fires before its deadline.
        return Math.ceilDiv(rel, 1_000_000L);
    }

    private long nowMs() {
        return Math.max(0, (clock.nanoTime() - originNanos) / 1_000_000);
    }

    /** Runs on the carrier: takes in foreign arms and cancels, fires what is due. */
    int runDue() {
        Timer t;
        while ((t = cancelled.poll()) != null) {
            cancelledCount++;
            wheel.remove(t); // false when it was cancelled before the carrier took it in
        }
        RemoteArm arm;
        while ((arm = inbox.poll()) != null) {
            armed++;
            if (arm.timer.isPending()) {
                wheel.insert(arm.timer, arm.deadlineMs);
            }
        }
        if (wheel.size() == 0) {
            return 0;
        }
        long now = clock.nanoTime();
        firingNanos = now;
        return wheel.advanceTo(Math.max(0, (now - originNanos) / 1_000_000));
    }

    /** Nanoseconds until the next timer may be due; 0 when work is waiting; MAX_VALUE when none. */
    long nanosUntilNext() {
        if (!inbox.isEmpty() || !cancelled.isEmpty()) {
            return 0;
        }
        long next = wheel.nextDeadlineMs();
        if (next == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        if (clock.isVirtual()) {
            // Virtual time moves only when the clock is advanced, which wakes the carriers.
            return next <= nowMs() ? 0 : Long.MAX_VALUE;
        }
        long wait = originNanos + next * 1_000_000 - clock.nanoTime();
        return Math.max(0, wait);
    }

    /** Earliest pending deadline in runtime-clock nanos, or {@code Long.MAX_VALUE} (carrier thread only). */
    long nextDeadlineNanos() {
        long next = wheel.nextDeadlineMs();
        return next == Long.MAX_VALUE ? Long.MAX_VALUE : originNanos + next * 1_000_000;
    }

    /**
     * Stops the timers (carrier thread, once the carrier has stopped, so that what a wake-up
     * schedules runs away from it): later arms are refused, and every pending timer is let go of.
     * One that unparks a thread (a timed park) unparks it now, early, which a park allows: the
     * waiter loops, its re-arm is refused and it waits out the rest of its time in the JDK's timed
     * park, so a task that outlives its runtime still ends its timed waits. An action timer is
     * dropped, never run: there is no carrier thread left to run it on, and running it now would
     * run it before its deadline.
     */
    void stop() {
        stopped = true;
        synchronized (inbox) {
            releaseInbox(null);
            while (cancelled.poll() != null) {
                cancelledCount++;
            }
            wheel.clear(e -> release((Timer) e));
        }
    }

    /**
     * Lets go of every timer in the inbox (once stopped), by the carrier's stop or by an arm that
     * saw the stop after offering {@code mine}, which it takes without unparking (its caller is
     * refused instead). The inbox has one consumer at a time: the carrier while it runs, after
     * that whoever holds the inbox's lock (which also orders the counts it updates).
     */
    private void releaseInbox(Timer mine) {
        synchronized (inbox) {
            RemoteArm arm;
            while ((arm = inbox.poll()) != null) {
                armed++;
                if (arm.timer == mine) {
                    if (Timer.TARGET.getAndSet(mine, null) != null) {
                        cancelledHere++;
                    }
                } else {
                    release(arm.timer);
                }
            }
        }
    }

    /** Lets go of a timer at stop: unparks a thread target, drops an action (see {@link #stop()}). */
    private void release(Timer t) {
        Object target = Timer.TARGET.getAndSet(t, null);
        if (target != null) {
            cancelledHere++;
            if (target instanceof Thread thread) {
                LockSupport.unpark(thread);
            }
        }
    }

    /** Lateness against the wheel's deadline (the requested one rounded up to the millisecond). */
    private void recordLateness(Timer t) {
        long late = Math.max(0, firingNanos - (originNanos + wheel.deadlineMs(t) * 1_000_000L));
        latenessTotalNanos += late;
        if (late > latenessMaxNanos) {
            latenessMaxNanos = late;
        }
        dev.weft.core.spi.SchedulingProbe p = carrier.probe;
        if (p != null) {
            Probes.timer(p, carrier.index, fired, late);
        }
    }

    /** A timer armed by another thread, with its deadline in wheel milliseconds. */
    private record RemoteArm(Timer timer, long deadlineMs) {}

    /**
     * One armed timer: 32 bytes (a 12-byte header, the entry's 32-bit deadline and two links, the
     * target and the owner), because a million outstanding timers are a million live objects that
     * every young collection copies. That is why its state is the target itself (null once fired or
     * cancelled), not a field of its own.
     */
    private final class Timer extends TimerEntry implements TimerHandle {
        private static final VarHandle TARGET;

        static {
            try {
                TARGET = MethodHandles.lookup().findVarHandle(Timer.class, "target", Object.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        /**
         * While pending, the thread to unpark or the action to run; null once the timer has fired or
         * been cancelled, whichever took it first with an atomic update (taking it also lets go of
         * the thread or action). Written plainly only in the constructor: a timer reaches other
         * threads through the inbox queue or its handle's publication, both safe.
         */
        private Object target;

        Timer(Object target) {
            this.target = target;
        }

        boolean isPending() {
            return TARGET.getAcquire(this) != null;
        }

        @Override
        protected void fire() {
            Object target = TARGET.getAndSet(this, null);
            if (target != null) {
                fired++;
                recordLateness(this);
                try {
                    if (target instanceof Thread thread) {
                        LockSupport.unpark(thread);
                    } else {
                        ((Runnable) target).run();
                    }
                } catch (Throwable e) {
                    carrier.runtime.log.log(System.Logger.Level.ERROR, "timer action failed", e);
                }
            }
        }

        @Override
        public boolean cancel() {
            if (TARGET.getAndSet(this, null) == null) {
                return false;
            }
            if (carrier.isCurrent()) {
                cancelledCount++;
                cancelledHere++;
                wheel.remove(this);
            } else {
                cancelledRemotely.incrementAndGet();
                cancelled.offer(this);
            }
            return true;
        }
    }
}
