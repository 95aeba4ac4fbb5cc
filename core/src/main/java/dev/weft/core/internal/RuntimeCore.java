package dev.weft.core.internal;

import dev.weft.core.spi.RuntimeClock;
import dev.weft.core.SchedulerMode;
import dev.weft.core.ShutdownReport;
import dev.weft.core.Task;
import dev.weft.core.TaskInfo;
import dev.weft.core.Transport;
import dev.weft.core.spi.NettyTransport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The engine behind {@link dev.weft.core.WeftRuntime}: carriers, placement, the blocking pool, the
 * registry of live tasks and the shutdown protocol.
 *
 * <h2>Placement</h2>
 * A task spawned from a task stays on its parent's carrier (locality: their wake-ups are local
 * enqueues); from outside the runtime, carriers are taken round-robin. When the parent's carrier
 * has more than {@code spillThreshold} live tasks and another has fewer than half as many, the
 * child goes to the least loaded one. See docs/adr/0001-task-placement.md.
 *
 * <h2>Shutdown</h2>
 * Close the door (spawns are rejected), wait for live tasks until the deadline, cancel the rest,
 * give them a short grace period to end, report any still alive as stuck, stop the carriers.
 */
public final class RuntimeCore {
    private static final AtomicBoolean FALLBACK_LOGGED = new AtomicBoolean();
    private static final AtomicBoolean POLLER_INITIALISED = new AtomicBoolean();

    public final String name;
    final System.Logger log = System.getLogger("dev.weft.core");
    final RuntimeClock clock;
    final long slowSliceNanos;
    private final int spillThreshold;
    private final Duration closeTimeout;
    private final SchedulerMode mode;
    private final NettyTransport transport;
    private final Carrier[] carriers;
    private final CarrierGroup group;
    private final ThreadPoolExecutor blockingPool;
    private final AtomicInteger blockingBusy = new AtomicInteger();
    /**
     * {@code spawnCursor[CURSOR]}: index of the carrier the last spawn from outside the runtime went
     * to (see {@link #place}). The slots around it are padding: the spawner writes it on every
     * spawn, and carriers read this object's fields for every task.
     */
    private final int[] spawnCursor = new int[2 * CURSOR + 1];
    private static final int CURSOR = 16;
    /** Live tasks with no carrier (blocking-pool jobs, fallback mode); carrier tasks are listed by their carrier. */
    private final ConcurrentHashMap<TaskImpl<?>, Boolean> unhomed = new ConcurrentHashMap<>();
    /** Set while shutdown cancels what is left: tasks starting from then on cancel themselves. */
    volatile boolean cancelNewStarts;
    /**
     * Tasks that cancelled themselves as they started because of {@link #cancelNewStarts}: queued
     * on a carrier, not started, so in no live list shutdown scans; its report lists them too.
     */
    private final java.util.concurrent.ConcurrentLinkedQueue<TaskInfo> cancelledAtStart =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Tasks parked in a timed wait of the carriers' wheels (the test clock's auto-advance reads it). */
    public final AtomicInteger timedWaiters = new AtomicInteger();
    /** Tasks parked in {@code join()} of another task of this runtime. */
    public final AtomicInteger internalWaiters = new AtomicInteger();
    final AtomicLong unhomedSpawned = new AtomicLong();
    final AtomicLong completed = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong cancelled = new AtomicLong();
    private volatile boolean closed;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition quiet = lock.newCondition();
    private volatile ShutdownReport report;
    private static final dev.weft.core.spi.RuntimeAccess.SlowSliceListener[] NO_SLICE_LISTENERS = {};
    // The listener of RuntimeAccess.onSlowSlice and those added beside it, each removed alone;
    // carriers read only the volatile array, rebuilt under the lock on every change.
    private final Object sliceListenerLock = new Object();
    private dev.weft.core.spi.RuntimeAccess.SlowSliceListener slotSliceListener;
    private final List<dev.weft.core.spi.RuntimeAccess.SlowSliceListener> addedSliceListeners = new ArrayList<>();
    private volatile dev.weft.core.spi.RuntimeAccess.SlowSliceListener[] sliceListeners = NO_SLICE_LISTENERS;
    private final Thread.Builder.OfVirtual fallbackBuilder = Thread.ofVirtual();

    public RuntimeCore(String name, int carriers, Transport transport, int blockingThreads,
                       Duration blockingKeepAlive, Duration slowSlice, int spillThreshold,
                       Duration closeTimeout, boolean forceFallback, RuntimeClock clock) {
        this.name = name;
        this.clock = clock;
        this.slowSliceNanos = saturatedNanos(slowSlice);
        this.spillThreshold = spillThreshold;
        this.closeTimeout = closeTimeout;
        this.transport = Transports.resolve(transport);
        boolean carrierMode = !forceFallback && CarrierScheduler.isAvailable();
        this.mode = carrierMode ? SchedulerMode.CARRIER : SchedulerMode.FALLBACK;
        if (!carrierMode && !forceFallback && FALLBACK_LOGGED.compareAndSet(false, true)) {
            log.log(System.Logger.Level.WARNING, "Weft runs tasks on the JDK's default scheduler (fallback mode): "
                    + CarrierScheduler.unavailabilityReason());
        }
        if (POLLER_INITIALISED.compareAndSet(false, true)) {
            CarrierScheduler.initJdkPollerOffCarrier();
        }
        spawnCursor[CURSOR] = -1; // the first spawn from outside goes to carrier 0
        this.group = new CarrierGroup(this);
        this.carriers = new Carrier[carriers];
        for (int i = 0; i < carriers; i++) {
            this.carriers[i] = new Carrier(this, i, name + "-carrier-" + i, this.transport, group, carrierMode);
        }
        AtomicInteger threadIds = new AtomicInteger();
        // Tokio's policy: hand a job to an idle thread if there is one, else start a thread (up to
        // the maximum), else queue it. A plain ThreadPoolExecutor with core == max would start a new
        // thread for every job until the maximum even while others sit idle.
        HandOffQueue queue = new HandOffQueue();
        this.blockingPool = new ThreadPoolExecutor(0, blockingThreads,
                saturatedNanos(blockingKeepAlive), TimeUnit.NANOSECONDS, queue,
                r -> Thread.ofPlatform().daemon(true).name(name + "-blocking-" + threadIds.getAndIncrement()).unstarted(r),
                (job, pool) -> {
                    if (pool.isShutdown()) {
                        throw new RejectedExecutionException("runtime '" + name + "' is closed");
                    }
                    queue.enqueue(job); // every thread busy and the maximum reached: wait in line
                });
        queue.pool = this.blockingPool;
        for (Carrier c : this.carriers) {
            c.start();
        }
        if (this.carriers.length > 0) {
            watch = Thread.ofPlatform().daemon(true).name(name + "-carrier-watch").start(this::watchCarriers);
        } else {
            watch = null;
        }
        RUNNING.add(this);
    }

    private static final java.util.concurrent.CopyOnWriteArrayList<RuntimeCore> RUNNING =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile dev.weft.core.WeftRuntime api;

    /** Links the public face; called once by its constructor. */
    public void attach(dev.weft.core.WeftRuntime api) {
        this.api = api;
    }

    /** The public face of this runtime. */
    public dev.weft.core.WeftRuntime api() {
        return api;
    }

    /** The runtime whose carrier thread is the current thread, or null. */
    public static RuntimeCore ofCurrentCarrierThread() {
        for (RuntimeCore rc : RUNNING) {
            if (rc.carrierOfCurrentThread() != null) {
                return rc;
            }
        }
        return null;
    }

    /**
     * {@code d} in nanoseconds, saturated to {@code Long.MIN_VALUE}/{@code Long.MAX_VALUE} where
     * {@link Duration#toNanos()} would overflow (about 292 years): a timeout that long is
     * "forever", not an error.
     *
     * @throws NullPointerException if {@code d} is null
     */
    public static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }

    /**
     * Throws if the calling thread is the platform thread of a carrier of a running runtime
     * (code in a Netty handler on the runtime's event loop, say): blocking it until a task ends
     * stops every task and all I/O of that carrier, and deadlocks when the awaited task is
     * scheduled there. Tokio's {@code block_on} refuses the same way. Only for paths about to block.
     *
     * @param what the blocking call, for the message
     * @throws IllegalStateException if the caller is a carrier thread
     */
    public static void checkNotCarrierThread(String what) {
        if (Thread.currentThread().isVirtual()) {
            return; // tasks park, they do not block their carrier
        }
        RuntimeCore rc = ofCurrentCarrierThread();
        if (rc != null) {
            throw new IllegalStateException(what + " would block carrier thread '" + Thread.currentThread().getName()
                    + "' of runtime '" + rc.name + "', stalling its tasks and I/O (and deadlocking if the task"
                    + " waited for runs there); spawn a task and wait in it, or react to the task's end without blocking");
        }
    }

    // ---- properties -------------------------------------------------------------------------

    public SchedulerMode mode() {
        return mode;
    }

    public NettyTransport transport() {
        return transport;
    }

    public List<Carrier> carriers() {
        return List.of(carriers);
    }

    public CarrierGroup eventLoopGroup() {
        return group;
    }

    public boolean isClosed() {
        return closed;
    }

    /** {@code base} plus {@code perCarrier} summed over the carriers (racy, for statistics). */
    private long plusCarriers(long base, java.util.function.ToLongFunction<Carrier> perCarrier) {
        long n = base;
        for (Carrier c : carriers) {
            n += perCarrier.applyAsLong(c);
        }
        return n;
    }

    public long liveTasks() {
        return Math.max(0, plusCarriers(unhomed.size(), c -> c.liveTasks()));
    }

    public long spawnedTasks() {
        return plusCarriers(unhomedSpawned.get(), c -> c.spawnedTotal());
    }

    public long completedTasks() {
        return plusCarriers(completed.get(), c -> c.completed);
    }

    public long failedTasks() {
        return plusCarriers(failed.get(), c -> c.failed);
    }

    public long cancelledTasks() {
        return plusCarriers(cancelled.get(), c -> c.cancelled);
    }

    public int blockingThreads() {
        return blockingPool.getPoolSize();
    }

    public int blockingBusy() {
        return blockingBusy.get();
    }

    public int blockingQueued() {
        return blockingPool.getQueue().size();
    }

    public int blockingMaxThreads() {
        return blockingPool.getMaximumPoolSize();
    }

    public RuntimeClock clock() {
        return clock;
    }

    public long nanoTime() {
        return clock.nanoTime();
    }

    /** How often the carrier watch looks at the carriers: a pinned timed park ends at most this late. */
    static final long WATCH_PERIOD_MS = 50;
    /** The carrier watch's thread (see {@link #watchCarriers}); null in fallback mode (no carriers). */
    private final Thread watch;

    /**
     * The carrier watch: a daemon thread that, every {@value #WATCH_PERIOD_MS} ms until the runtime
     * has stopped, looks at each carrier for what its own thread cannot end. It unparks a task whose
     * timed park has passed its deadline while it parks pinned (ADR 0009: the carrier's thread is
     * parked with it, so its wheel cannot wake it), and wakes a carrier thread wedged on a monitor
     * handed to one of its own tasks (ADR 0010, {@link Carrier#wakeIfWedged}).
     */
    private void watchCarriers() {
        while (report == null) {
            try {
                Thread.sleep(WATCH_PERIOD_MS);
            } catch (InterruptedException stop) {
                return;
            }
            long now = nanoTime();
            for (Carrier c : carriers) {
                c.rescuePinnedPark(now);
                c.wakeIfWedged();
            }
        }
    }

    /** Whether every carrier is blocked waiting for work (racy snapshot). */
    public boolean allCarriersIdle() {
        for (Carrier c : carriers) {
            if (!c.isIdle()) {
                return false;
            }
        }
        return true;
    }

    /** Earliest timer deadline any carrier published before going idle, or {@code Long.MAX_VALUE}. */
    public long earliestTimerDeadline() {
        long min = Long.MAX_VALUE;
        for (Carrier c : carriers) {
            min = Math.min(min, c.idleDeadlineNanos());
        }
        return min;
    }

    /** Wakes every carrier, e.g. after a virtual clock moved. */
    public void wakeCarriers() {
        for (Carrier c : carriers) {
            c.wakeUp();
        }
    }

    /** Snapshots of the live tasks. */
    public List<TaskInfo> liveTaskInfos() {
        List<TaskInfo> out = new ArrayList<>();
        for (TaskImpl<?> t : liveTasksList()) {
            out.add(t.info());
        }
        return out;
    }

    /** Every started, not ended task (carrier lists are read on their carriers). */
    private List<TaskImpl<?>> liveTasksList() {
        return liveTasksList(null);
    }

    /** {@link #liveTasksList()}; sets {@code partial[0]} if a carrier showed only the task holding it. */
    private List<TaskImpl<?>> liveTasksList(boolean[] partial) {
        List<TaskImpl<?>> out = new ArrayList<>(unhomed.keySet());
        for (Carrier c : carriers) {
            out.addAll(c.liveSnapshot(partial));
        }
        return out;
    }

    /** Sets the listener of {@code RuntimeAccess.onSlowSlice} (null removes it); the added ones stay. */
    public void setSliceListener(dev.weft.core.spi.RuntimeAccess.SlowSliceListener l) {
        synchronized (sliceListenerLock) {
            slotSliceListener = l;
            publishSliceListeners();
        }
    }

    /** Adds {@code l} beside the other slow-slice listeners. */
    public void addSliceListener(dev.weft.core.spi.RuntimeAccess.SlowSliceListener l) {
        Objects.requireNonNull(l, "listener");
        synchronized (sliceListenerLock) {
            addedSliceListeners.add(l);
            publishSliceListeners();
        }
    }

    /** Removes one addition of {@code l} (compared by identity); false if it was not added. */
    public boolean removeSliceListener(dev.weft.core.spi.RuntimeAccess.SlowSliceListener l) {
        synchronized (sliceListenerLock) {
            for (int i = 0; i < addedSliceListeners.size(); i++) {
                if (addedSliceListeners.get(i) == l) {
                    addedSliceListeners.remove(i);
                    publishSliceListeners();
                    return true;
                }
            }
            return false;
        }
    }

    private void publishSliceListeners() {
        List<dev.weft.core.spi.RuntimeAccess.SlowSliceListener> all = new ArrayList<>(addedSliceListeners.size() + 1);
        if (slotSliceListener != null) {
            all.add(slotSliceListener);
        }
        all.addAll(addedSliceListeners);
        sliceListeners = all.toArray(NO_SLICE_LISTENERS);
    }

    // ---- spawning -----------------------------------------------------------------------------

    private RejectedExecutionException rejected() {
        return new RejectedExecutionException("runtime '" + name + "' is closed");
    }

    /** Spawns a task on a carrier chosen by the placement policy. */
    public <T> TaskImpl<T> spawn(String taskName, Callable<T> body) {
        return spawnOn(place(), taskName, body);
    }

    /**
     * Spawns a task placed as {@link #spawn} places it, with {@code taskLocals} (as captured by
     * {@link CoreBridge#captureTaskLocals()}; null: none) instead of the caller's: for work queued
     * by one thread and started later by another, which must see its submitter's context.
     */
    public <T> TaskImpl<T> spawnWithTaskLocals(String taskName, Callable<T> body, Object taskLocals) {
        return spawnOn(place(), taskName, body, taskLocals);
    }

    /** Spawns a task on {@code carrier} (or on the default scheduler in fallback mode). */
    public <T> TaskImpl<T> spawnOn(Carrier carrier, String taskName, Callable<T> body) {
        return spawnOn(carrier, taskName, body, CoreBridge.get().captureTaskLocals());
    }

    private <T> TaskImpl<T> spawnOn(Carrier carrier, String taskName, Callable<T> body, Object taskLocals) {
        if (mode == SchedulerMode.CARRIER) {
            // The spawner only queues the task: its carrier creates and starts the virtual thread.
            // Spawning is then a few stores and one queue insert, and a burst of spawns (a
            // million from one thread) spreads its thread-creation cost over the carriers.
            if (closed) {
                throw rejected();
            }
            TaskImpl<T> task = new TaskImpl<>(this, carrier, taskName, body, taskLocals, false);
            register(task);
            carrier.execute(task);
            return task;
        }
        if (closed) {
            throw rejected();
        }
        TaskImpl<T> task = withThread(new TaskImpl<>(this, null, taskName, body, taskLocals, true), null, taskName, true);
        task.thread.start();
        return task;
    }

    /**
     * Creates a task that runs a thread factory's runnable, and its unstarted thread; the caller
     * starts it. This is how a {@code StructuredTaskScope}'s thread factory hands forks to the
     * runtime. The task is counted as live only once it starts (a cancelled scope never starts
     * its thread, and shutdown must not wait for that ghost). It captures no task-locals: the
     * scope starts the thread with the scoped values its owner had bound, task-locals among them.
     *
     * @param source the task's sticky cancellation, or null
     */
    public TaskImpl<Void> newFactoryThreadTask(Carrier carrier, String taskName, Runnable body,
                                               dev.weft.core.spi.CancellationSource source) {
        if (closed) {
            throw rejected();
        }
        Carrier home = mode == SchedulerMode.CARRIER ? carrier : null;
        // A task that is listed before it runs is stamped now; one listed when it starts (a thread
        // factory's) is stamped by its carrier in the slice it starts in, which reads the clock
        // anyway (a fork's own clock read was half of fan-out's).
        return withThread(new TaskImpl<>(this, home, taskName, body, source, home == null), home, taskName, false);
    }

    /** Gives {@code task} (of carrier {@code home}, or null: fallback) its unstarted thread. */
    private <T> TaskImpl<T> withThread(TaskImpl<T> task, Carrier home, String taskName, boolean registerNow) {
        Thread vt = home != null ? home.newVirtualThread(taskName, task)
                : CarrierScheduler.newThread(fallbackBuilder, null, taskName, task);
        if (home != null) {
            // The JDK then hands the carrier the task itself each time the thread is scheduled,
            // so the carrier knows which task runs with no lookup (a map put, get and remove per
            // fork, and an identity hash of the JDK's runnable, were a tenth of fan-out).
            task.continuation = CarrierScheduler.replaceContinuation(vt, task) ? task : CarrierScheduler.continuationOf(vt);
        }
        task.initThread(vt);
        if (registerNow) {
            register(task);
        } else {
            // A thread factory's caller may never start the thread (a cancelled StructuredTaskScope
            // does that): count the task only once it runs, so shutdown never waits for a ghost.
            task.registerOnStart = true;
        }
        return task;
    }

    /**
     * Spawns {@code body} on the blocking pool.
     *
     * @throws NullPointerException       if {@code body} is null
     * @throws RejectedExecutionException if the runtime is closed
     */
    public <T> TaskImpl<T> spawnBlocking(String taskName, Callable<T> body) {
        // Checked here: the body is wrapped below, so TaskImpl's own check would see the wrapper.
        Objects.requireNonNull(body, "body");
        if (closed) {
            throw rejected();
        }
        TaskImpl<T> task = new TaskImpl<>(this, null, taskName,
                () -> {
                    blockingBusy.incrementAndGet();
                    String old = Thread.currentThread().getName();
                    if (taskName != null) {
                        Thread.currentThread().setName(taskName);
                    }
                    try {
                        return body.call();
                    } finally {
                        Thread.currentThread().setName(old);
                        blockingBusy.decrementAndGet();
                    }
                }, CoreBridge.get().captureTaskLocals(), true);
        register(task);
        try {
            blockingPool.execute(task);
        } catch (RejectedExecutionException e) {
            unregisterUnhomed(task);
            throw rejected();
        }
        return task;
    }

    private void register(TaskImpl<?> task) {
        Carrier c = task.carrier;
        if (c != null) {
            c.addSpawned(1);
        } else {
            unhomed.put(task, Boolean.TRUE);
            unhomedSpawned.incrementAndGet();
        }
        if (closed) {
            // Raced with shutdown, which may already be counting: take it back.
            if (c != null) {
                c.addSpawned(-1);
            } else {
                unhomed.remove(task);
                unhomedSpawned.decrementAndGet();
            }
            throw rejected();
        }
    }

    /** Counts a task created with {@code registerNow == false}, from its own thread as it starts. */
    void registerStarted(TaskImpl<?> task) {
        Carrier c = task.carrier;
        if (c != null) {
            c.countStartedHere(); // the task's own thread, on its carrier
        } else {
            unhomed.put(task, Boolean.TRUE);
            unhomedSpawned.incrementAndGet();
        }
    }

    private void unregisterUnhomed(TaskImpl<?> task) {
        if (unhomed.remove(task) != null) {
            unhomedSpawned.decrementAndGet();
        }
    }

    void taskEnded(TaskImpl<?> task) {
        Carrier c = task.carrier;
        if (c != null) {
            c.taskEnded(task, task.state());
            return;
        }
        switch (task.state()) {
            case SUCCEEDED -> completed.incrementAndGet();
            case FAILED -> failed.incrementAndGet();
            case CANCELLED -> cancelled.incrementAndGet();
            case RUNNING -> { }
        }
        unhomed.remove(task);
        if (closed && liveTasks() == 0) {
            signalQuiet();
        }
    }

    /** {@code task} cancelled itself as it started, its body never run (see {@link #cancelNewStarts}). */
    void cancelledAtStart(TaskImpl<?> task) {
        if (report == null) { // else the report is out and no longer collects
            cancelledAtStart.add(new TaskInfo(task.id(), task.name(), Duration.ZERO, List.of()));
        }
    }

    private void signalQuiet() {
        lock.lock();
        try {
            quiet.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The carrier a new task should run on. */
    public Carrier place() {
        Carrier[] cs = carriers;
        Carrier home = null;
        if (Thread.currentThread().isVirtual()) {
            // Only a virtual thread can run a task with a carrier (blocking-pool tasks have none).
            TaskImpl<?> parent = TaskImpl.currentOrNull();
            home = parent != null && parent.runtime == this ? parent.carrier : null;
        }
        if (home == null) {
            Carrier onThread = carrierOfCurrentThread();
            if (onThread != null) {
                home = onThread;
            } else {
                // Racy on purpose: two spawners may read the same cursor and pick the same carrier,
                // which costs a little balance, never correctness; an atomic would cost every spawn.
                int[] cursor = spawnCursor;
                int i = cursor[CURSOR] + 1;
                if (i >= cs.length) {
                    i = 0;
                }
                cursor[CURSOR] = i;
                return cs[i];
            }
        }
        int load = home.liveTasks();
        if (load > spillThreshold && cs.length > 1) {
            Carrier least = home;
            for (Carrier c : cs) {
                if (c.liveTasks() < least.liveTasks()) {
                    least = c;
                }
            }
            if (least.liveTasks() * 2 < load) {
                return least;
            }
        }
        return home;
    }

    /** The carrier whose platform thread is the current thread, or null. */
    public Carrier carrierOfCurrentThread() {
        Thread t = Thread.currentThread();
        for (Carrier c : carriers) {
            if (c.thread == t) {
                return c;
            }
        }
        return null;
    }

    /** Whether a slow-slice listener is installed (then every slice is timed, see {@code Carrier}). */
    boolean hasSliceListener() {
        return sliceListeners.length != 0;
    }

    /**
     * Counts a slow slice of {@code carrier} and tells the listener, if any, under the name of the
     * task that ran {@code continuation}; a null continuation (a batch of slices timed together)
     * is only counted.
     */
    void reportSlowSlice(Carrier carrier, Runnable continuation, long nanos) {
        carrier.stats.slowSlices++;
        dev.weft.core.spi.RuntimeAccess.SlowSliceListener[] ls = sliceListeners;
        if (ls.length != 0 && continuation != null) {
            TaskImpl<?> lastEnded = carrier.lastEndedTask;
            String taskName = lastEnded != null && continuation == carrier.lastEndedContinuation
                    ? lastEnded.name() : "unknown task";
            for (TaskImpl<?> t : carrier.liveSnapshot()) { // rare path, on the carrier: a scan is fine
                if (t.continuation == continuation) {
                    taskName = t.name();
                    break;
                }
            }
            for (dev.weft.core.spi.RuntimeAccess.SlowSliceListener l : ls) {
                try {
                    l.slowSlice(carrier.index, nanos, taskName);
                } catch (Throwable e) {
                    log.log(System.Logger.Level.WARNING, "slice listener failed", e);
                }
            }
        }
    }

    // ---- shutdown -----------------------------------------------------------------------------

    public ShutdownReport close() {
        return shutdown(closeTimeout);
    }

    public ShutdownReport shutdown(Duration timeout) {
        long start = System.nanoTime();
        // Before closing: a bad argument must throw while the runtime is still as it was. Past
        // about 292 years the deadline saturates; start + MAX_VALUE wraps, but every use below
        // compares by difference (deadline - now), which stays right.
        long timeoutNanos = Math.max(0, saturatedNanos(timeout));
        boolean follower;
        lock.lock();
        try {
            if (report != null) {
                return report;
            }
            follower = closed;
            closed = true;
        } finally {
            lock.unlock();
        }
        if (follower) {
            return awaitFirstShutdown();
        }
        TaskImpl<?> self = TaskImpl.currentOrNull();
        if (self != null && self.runtime != this) {
            // A task of another runtime is not among the tasks waited for here, nor does it hold
            // one of this runtime's carriers: it waits like any outside caller.
            self = null;
        }
        long deadline = start + timeoutNanos;
        awaitQuiet(deadline, self);
        // An interrupt (before the call or during the wait above) ends the wait for tasks: they are
        // cancelled now, as at the deadline. The rest (the grace period, stopping the carriers) is
        // bounded and runs with the status cleared, so it is not cut short too: the tasks that end
        // on cancellation are not reported stuck. The status is set again before returning.
        boolean interrupted = Thread.interrupted();
        try {
            return cancelAndStop(start, timeoutNanos, self);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Counted down once the first shutdown has its report (see {@link #awaitFirstShutdown}). */
    private final java.util.concurrent.CountDownLatch shutdownDone = new java.util.concurrent.CountDownLatch(1);

    /**
     * A shutdown called while another one runs waits for that one and returns its report, so
     * every caller gets the first report and returns only once the runtime has stopped. The wait
     * is bounded by the first call's (its timeout, the grace period, the carriers' stop); an
     * interrupt does not end it and is kept for the caller.
     */
    private ShutdownReport awaitFirstShutdown() {
        boolean interrupted = false;
        while (true) {
            try {
                shutdownDone.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return report;
    }

    private ShutdownReport cancelAndStop(long start, long timeoutNanos, TaskImpl<?> self) {
        cancelNewStarts = true;
        List<TaskInfo> cancelledInfos = new ArrayList<>();
        // A carrier held by a task that never parks shows only that task (see Carrier.liveSnapshot):
        // once it is cancelled and lets go, a second pass sees the rest.
        boolean[] partial = {false};
        List<TaskImpl<?>> live = liveTasksList(partial);
        java.util.Set<TaskImpl<?>> seen = null;
        for (int pass = 0; pass < 2; pass++) {
            for (TaskImpl<?> t : live) {
                if (t != self && !t.isDone() && (seen == null || seen.add(t))) {
                    TaskInfo info = t.info(); // before the cancel: where it was, not where the interrupt sent it
                    if (t.cancel() || t.isCancelled()) { // not one that completed meanwhile
                        cancelledInfos.add(info);
                    }
                }
            }
            if (!partial[0]) {
                break;
            }
            seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            seen.addAll(live);
            live = liveTasksList();
        }
        // Blocking jobs still waiting for a pool thread would start only to cancel themselves, and
        // only if a thread frees up: end them here, so the grace period does not wait for them
        // and their joiners are not left hanging.
        List<Runnable> unstartedJobs = new ArrayList<>();
        blockingPool.getQueue().drainTo(unstartedJobs);
        endUnstarted(unstartedJobs);
        List<TaskInfo> stuck = new ArrayList<>();
        if (!cancelledInfos.isEmpty() || liveTasks() > (self != null ? 1 : 0)) {
            long grace = System.nanoTime() + Math.min(Math.max(timeoutNanos, 100_000_000L), 1_000_000_000L);
            awaitQuiet(grace, self);
            for (TaskImpl<?> t : liveTasksList()) {
                if (t != self && !t.isDone()) {
                    stuck.add(t.info());
                }
            }
        }
        for (Carrier c : carriers) {
            c.requestStop();
        }
        // Jobs queued since the drain above (a spawn that passed the closed check just before it)
        endUnstarted(blockingPool.shutdownNow());
        if (self != null && self.carrier == null && !Thread.currentThread().isVirtual() && !self.isCancelled()) {
            // Called from a blocking-pool job: shutdownNow interrupted its own thread. That is not
            // the caller's interrupt (one from before is restored by shutdown), and it would cut
            // short the wait for the carriers below.
            Thread.interrupted();
        }
        if (self == null || self.carrier == null) {
            for (Carrier c : carriers) {
                try {
                    if (!c.awaitStopped(5_000)) {
                        log.log(System.Logger.Level.WARNING, "carrier " + c.thread.getName() + " did not stop in 5 s; " + c.describeStuck());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        // Tasks that were queued, not started, when the scan above ran: they cancelled themselves
        // as they started since (a task may be in both: it started between the flag and the scan).
        java.util.Set<Long> listed = new java.util.HashSet<>();
        for (TaskInfo info : cancelledInfos) {
            listed.add(info.id());
        }
        for (TaskInfo info : cancelledAtStart) {
            if (listed.add(info.id())) {
                cancelledInfos.add(info);
            }
        }
        group.terminated();
        RUNNING.remove(this);
        ShutdownReport r = new ShutdownReport(cancelledInfos, stuck, Duration.ofNanos(System.nanoTime() - start));
        if (!stuck.isEmpty()) {
            log.log(System.Logger.Level.WARNING, "runtime '" + name + "' stopped with tasks that ignore cancellation: " + stuck);
        }
        report = r;
        shutdownDone.countDown();
        if (watch != null) {
            watch.interrupt();
        }
        return r;
    }

    /**
     * Ends {@code task}, cancelled, if it is still in the blocking pool's queue (no pool thread has
     * taken it); otherwise the thread that took it ends it. Cold path: called by a cancel of a
     * task that has no thread yet.
     */
    void dropQueuedBlockingJob(TaskImpl<?> task) {
        if (blockingPool.remove(task)) {
            task.endUnstarted();
        }
    }

    /** Ends blocking jobs taken off the pool's queue unstarted, as cancelled. */
    private static void endUnstarted(List<Runnable> jobs) {
        for (Runnable job : jobs) {
            if (job instanceof TaskImpl<?> t) {
                t.endUnstarted();
            }
        }
    }

    private void awaitQuiet(long deadlineNanos, TaskImpl<?> self) {
        lock.lock();
        try {
            while (true) {
                long others = liveTasks() - (self != null && !self.isDone() ? 1 : 0);
                if (others <= 0) {
                    return;
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                // Bounded wait: the signal comes when the count reaches zero, which a caller that
                // is itself a task never sees, so re-check periodically.
                quiet.awaitNanos(Math.min(left, 10_000_000L));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /**
     * The blocking pool's queue: {@code offer} succeeds only by handing the job straight to an idle
     * thread, so the pool starts a new thread otherwise; when the pool is at its maximum the
     * rejection handler {@linkplain #enqueue queues} the job for the next free thread.
     */
    private static final class HandOffQueue extends java.util.concurrent.LinkedTransferQueue<Runnable> {
        private static final long serialVersionUID = 1L;
        /** The pool this queue feeds; set once, right after the pool is built. */
        transient volatile ThreadPoolExecutor pool;

        /**
         * Hands {@code job} to an idle thread, else queues it if the pool is at its maximum, else
         * refuses (the pool then starts a thread for it). Queueing here rather than in the
         * rejection handler matters: the pool re-checks its thread count after a successful offer
         * and starts a thread if none is left. A job queued by the handler at the moment the last
         * thread timed out on its keep-alive waited with no thread to run it until the next spawn.
         */
        @Override
        public boolean offer(Runnable job) {
            if (tryTransfer(job)) {
                return true;
            }
            ThreadPoolExecutor p = pool;
            return p != null && p.getPoolSize() >= p.getMaximumPoolSize() && super.offer(job);
        }

        void enqueue(Runnable job) {
            super.offer(job);
        }
    }
}
