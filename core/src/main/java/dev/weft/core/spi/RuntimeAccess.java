package dev.weft.core.spi;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.core.internal.Carrier;
import dev.weft.core.internal.CarrierTimers;
import dev.weft.core.internal.CoreBridge;
import dev.weft.core.internal.RuntimeCore;
import dev.weft.core.internal.TaskImpl;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEventLoopGroup;

import java.util.concurrent.Callable;

/**
 * What the other Weft modules need from a runtime: its event loops, its transport, placing a
 * task on the carrier that owns a channel, threads for {@code StructuredTaskScope} forks, and
 * timers on the carriers' wheels. Exported only to Weft's own modules.
 */
public final class RuntimeAccess {
    private RuntimeAccess() {}

    /** The carriers' event loops as one group (owned by the runtime: do not shut it down). */
    public static IoEventLoopGroup eventLoopGroup(WeftRuntime rt) {
        return CoreBridge.core(rt).eventLoopGroup();
    }

    /**
     * The event loop of the carrier the calling task of {@code rt} is homed on (its wake-ups from
     * that loop are local), or null when the caller is not a task of {@code rt} running on its own
     * virtual thread (a plain thread, a blocking-pool job, a task of another runtime).
     */
    public static io.netty.channel.IoEventLoop currentEventLoop(WeftRuntime rt) {
        TaskImpl<?> t = TaskImpl.currentOrNull();
        if (t != null && t.runtime() == CoreBridge.core(rt) && t.carrier() != null && t.thread() == Thread.currentThread()) {
            return t.carrier().eventLoop();
        }
        return null;
    }

    /**
     * For work that shares a carrier with sockets: a signal, to be read only on {@code loop}'s
     * thread by a task of its queue, that is true when the I/O events of the loop's current pass
     * woke a task that has not run yet. Null if {@code loop} is not one of {@code rt}'s carriers.
     */
    public static java.util.function.BooleanSupplier ioWakeSignal(WeftRuntime rt, EventLoop loop) {
        for (Carrier c : CoreBridge.core(rt).carriers()) {
            if (c.eventLoop() == loop) {
                return c::ioWokeTasks;
            }
        }
        return null;
    }

    /**
     * Lets the calling task run channel calls of {@code loop} in place, as the loop's own
     * thread would (see {@code Carrier.enterLoop}): true if the caller is a task mounted on the
     * carrier of {@code loop} and no other task is inside; then it must call
     * {@link #exitLoop(EventLoop)} in a {@code finally}. False otherwise: its calls queue as usual.
     * Between the two calls the caller must not park on purpose (the loop waits for it).
     */
    public static boolean enterLoop(EventLoop loop) {
        return Carrier.enterLoop(loop);
    }

    /** Ends what {@link #enterLoop(EventLoop)} began (only after it returned true). */
    public static void exitLoop(EventLoop loop) {
        Carrier.exitLoop(loop);
    }

    /** The transport's channel classes. */
    public static NettyTransport transport(WeftRuntime rt) {
        return CoreBridge.core(rt).transport();
    }

    /**
     * Spawns a task on the carrier that drives {@code loop} (e.g. the loop of an accepted
     * channel), so the task's wake-ups by that channel are local. Falls back to normal placement
     * if {@code loop} is not one of this runtime's.
     */
    public static <T> Task<T> spawnOn(WeftRuntime rt, EventLoop loop, String name, Callable<T> body) {
        RuntimeCore core = CoreBridge.core(rt);
        Carrier target = null;
        for (Carrier c : core.carriers()) {
            if (c.eventLoop() == loop) {
                target = c;
                break;
            }
        }
        return core.spawnOn(target != null ? target : core.place(), name, body);
    }

    /**
     * An unstarted thread that runs {@code body} as a task of {@code rt} (live-tracked,
     * cancellable by shutdown, placed like a spawn), for the thread factory a
     * {@code StructuredTaskScope} forks with; the caller starts it. The task's cancellation is
     * sticky: once {@code source} answers true, every wait of the task through {@link Parking}
     * (sleeps, channels, sync primitives, I/O) returns at once with the task's interrupt status
     * set, so it throws its interruption exception instead of blocking (see {@link Parking}).
     * The thread gets no task-locals of its own: the scope starts it with the scoped values its
     * owner had bound (task-locals among them).
     */
    public static Thread newTaskThread(WeftRuntime rt, String name, Runnable body, CancellationSource source) {
        RuntimeCore core = CoreBridge.core(rt);
        return core.newFactoryThreadTask(core.place(), name, body, source).thread();
    }

    /**
     * The {@code source} the calling thread's task was created with by
     * {@link #newTaskThread(WeftRuntime, String, Runnable, CancellationSource)}, or null when the
     * caller is not such a task. Costs no allocation: a fork finds its scope this way instead of
     * through a scoped-value binding per fork (two objects per fork).
     */
    public static CancellationSource currentCancellationSource() {
        TaskImpl<?> t = TaskImpl.currentOrNull();
        return t != null && t.thread() == Thread.currentThread() ? t.cancellationSource() : null;
    }

    /**
     * Arms a timer that runs {@code action} on a carrier thread once the runtime's clock reaches
     * {@code deadlineNanos} (see {@link Parking#nanoTime()}): on the caller's carrier when the
     * caller is a task or carrier of {@code rt}, else on one chosen round-robin. The action must
     * not block.
     *
     * @throws java.util.concurrent.RejectedExecutionException if the runtime is closed
     */
    public static TimerHandle schedule(WeftRuntime rt, long deadlineNanos, Runnable action) {
        return timersHere(CoreBridge.core(rt)).schedule(deadlineNanos, action);
    }

    static CarrierTimers timersHere(RuntimeCore core) {
        TaskImpl<?> t = TaskImpl.currentOrNull();
        if (t != null && t.runtime() == core && t.carrier() != null) {
            return t.carrier().timers();
        }
        Carrier c = core.carrierOfCurrentThread();
        return (c != null ? c : core.place()).timers();
    }

    /** The runtime's clock, in nanoseconds. */
    public static long nanoTime(WeftRuntime rt) {
        return CoreBridge.core(rt).nanoTime();
    }

    /** Makes {@code builder} build runtimes that read time from {@code clock} (the test clock). */
    public static WeftRuntime.Builder withClock(WeftRuntime.Builder builder, RuntimeClock clock) {
        CoreBridge.get().setClock(builder, clock);
        return builder;
    }

    /** The clock {@code rt} reads. */
    public static RuntimeClock clock(WeftRuntime rt) {
        return CoreBridge.core(rt).clock();
    }

    /**
     * Whether {@code rt} is waiting only for time: every carrier is idle, no blocking job runs or
     * waits, and every live task is parked either in a timed wait on a wheel or in a wait for
     * other of its tasks ({@code join()}, or one marked by {@link #beginInternalWait}), with at
     * least one timed wait (so no I/O, channel or lock can wake
     * anything). This is when a test clock may jump to the next deadline.
     */
    public static boolean isWaitingOnlyForTime(WeftRuntime rt) {
        RuntimeCore core = CoreBridge.core(rt);
        return core.allCarriersIdle() && core.blockingBusy() == 0 && core.blockingQueued() == 0
                && core.timedWaiters.get() > 0
                && core.liveTasks() == core.timedWaiters.get() + core.internalWaiters.get()
                && core.allCarriersIdle();
    }

    /**
     * Marks the calling thread, if it is a task of {@code rt}, as about to park waiting only for
     * other tasks of {@code rt} (a fork, a scope's forks, a join set's tasks), as {@code Task.join}
     * does: such a wait does not keep {@link #isWaitingOnlyForTime} false, so a test clock can
     * still move time for the tasks waited for. Never parks.
     *
     * @return true if the wait was counted; then the caller must call
     *     {@link #endInternalWait(WeftRuntime)} once, in a {@code finally}, when it stops waiting.
     *     False (nothing to undo) for a plain thread or a task of another runtime, whose wait the
     *     runtime cannot see.
     */
    public static boolean beginInternalWait(WeftRuntime rt) {
        TaskImpl<?> t = TaskImpl.currentOrNull();
        if (t == null) {
            return false;
        }
        RuntimeCore core = t.runtime();
        if (core != CoreBridge.core(rt)) {
            return false;
        }
        core.internalWaiters.incrementAndGet();
        return true;
    }

    /** Ends a wait that {@link #beginInternalWait(WeftRuntime)} counted. */
    public static void endInternalWait(WeftRuntime rt) {
        CoreBridge.core(rt).internalWaiters.decrementAndGet();
    }

    /** The earliest timer deadline over idle carriers ({@code Long.MAX_VALUE} if none). */
    public static long earliestTimerDeadline(WeftRuntime rt) {
        return CoreBridge.core(rt).earliestTimerDeadline();
    }

    /** Wakes every carrier so it looks at its timers again (after a virtual clock moved). */
    public static void wakeCarriers(WeftRuntime rt) {
        CoreBridge.core(rt).wakeCarriers();
    }

    /** A racy snapshot of the runtime's counters. */
    public static RuntimeStats stats(WeftRuntime rt) {
        RuntimeCore core = CoreBridge.core(rt);
        java.util.List<RuntimeStats.Carrier> cs = new java.util.ArrayList<>();
        for (Carrier c : core.carriers()) {
            var st = c.stats();
            cs.add(new RuntimeStats.Carrier(c.index(), c.thread().getName(), c.runQueueDepth(), c.liveTasks(),
                    st.slices, st.busyNanos, st.slowSlices, st.maxSliceNanos, st.blocks,
                    c.timers().pending(), c.timers().fired, c.timers().cancelledCount,
                    c.timers().latenessTotalNanos, c.timers().latenessMaxNanos));
        }
        return new RuntimeStats(core.spawnedTasks(), core.completedTasks(), core.failedTasks(), core.cancelledTasks(),
                core.liveTasks(), core.timedWaiters.get(), core.blockingThreads(), core.blockingBusy(),
                core.blockingQueued(), core.blockingMaxThreads(), cs);
    }

    /** Told about a continuation run longer than the runtime's slow-slice threshold (on the carrier thread). */
    @FunctionalInterface
    public interface SlowSliceListener {
        /** The task named {@code taskName} ran {@code nanos} on carrier {@code carrierIndex} without parking. Must not block. */
        void slowSlice(int carrierIndex, long nanos, String taskName);
    }

    /**
     * Installs the runtime's one scheduling probe on every carrier (null removes it); it replaces
     * the previous one. Takes effect on each carrier within a turn: a sample already in flight
     * may still reach the previous probe.
     */
    public static void setSchedulingProbe(WeftRuntime rt, SchedulingProbe probe) {
        CoreBridge.core(rt).carriers().forEach(c -> c.setSchedulingProbe(probe));
    }

    /**
     * Sets the slow-slice listener of this method (null removes it), replacing the one it set
     * before; listeners added with {@link #addSlowSliceListener} are not affected.
     */
    public static void onSlowSlice(WeftRuntime rt, SlowSliceListener listener) {
        CoreBridge.core(rt).setSliceListener(listener);
    }

    /**
     * Adds a slow-slice listener beside the others (each is told of every slow slice), so that
     * several users do not displace one another. Undo with {@link #removeSlowSliceListener}.
     *
     * @throws NullPointerException if {@code listener} is null
     */
    public static void addSlowSliceListener(WeftRuntime rt, SlowSliceListener listener) {
        CoreBridge.core(rt).addSliceListener(listener);
    }

    /**
     * Removes one {@link #addSlowSliceListener} of {@code listener} (compared by identity); the
     * other listeners stay.
     *
     * @return false if it was not added
     */
    public static boolean removeSlowSliceListener(WeftRuntime rt, SlowSliceListener listener) {
        return CoreBridge.core(rt).removeSliceListener(listener);
    }
}
