package dev.weft.core.internal;

import dev.weft.core.spi.RuntimeClock;
import dev.weft.core.spi.NettyTransport;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.ManualIoEventLoop;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One carrier: a platform thread that drives a Netty {@link ManualIoEventLoop}, the carrier's
 * timers, and the continuations of the virtual threads whose scheduler it is.
 *
 * <h2>Implementation overview</h2>
 * Each turn of {@link #runLoop()}:
 * <ol>
 *   <li>I/O and Netty tasks ({@code loop.runNow()});</li>
 *   <li>due timers ({@link CarrierTimers#runDue});</li>
 *   <li>continuations: the remote queue is moved to the local deque, then continuations run until
 *       the deque is empty or the turn's budget ({@link #TURN_BUDGET_NANOS}) is spent, so a
 *       stream of wake-ups cannot starve I/O;</li>
 *   <li>when nothing is runnable, block in the event loop until I/O, a wake-up or the next timer.</li>
 * </ol>
 * Submissions ({@link #execute}) from this carrier's thread or from a task mounted on it go to
 * the local {@link ArrayDeque} with no atomics; all others go to the MPSC remote queue and wake
 * the loop only when it is (about to be) blocked. The {@code sleeping} flag and the queues form a
 * Dekker pair: the carrier writes {@code sleeping} then re-reads the queues, a submitter writes
 * the queue then reads {@code sleeping}; both are volatile, so one of them sees the other.
 *
 * <p>A task spawned onto a carrier in carrier mode is queued as its {@link TaskImpl}; the carrier
 * creates and starts its virtual thread when it reaches it, and the thread's first run goes to
 * the head of the deque, so the task starts in spawn order.
 *
 * <p>Run-slice accounting: while a slow-slice listener or a scheduling probe is installed (the
 * metrics module installs them), every continuation run is timed; slices longer than the
 * runtime's threshold are counted and reported to the listener with the task, so a task that
 * starves its loop can be named. While no one looks, short slices are timed in batches of
 * {@link #SLICE_BATCH} (a clock read per slice was a twentieth of a fork's cost): a batch over the
 * threshold counts as one slow slice, unnamed, and the slices after a batch of long ones are timed
 * one by one again, so the turn's budget holds either way.
 */
public final class Carrier extends CarrierPad2 implements Executor {
    /** Continuations run per turn before I/O gets another look. */
    static final long TURN_BUDGET_NANOS = 200_000;

    private static final java.lang.invoke.VarHandle TIMED_PARKER;
    private static final java.lang.invoke.VarHandle TIMED_PARK_DEADLINE;

    static {
        try {
            java.lang.invoke.MethodHandles.Lookup l = java.lang.invoke.MethodHandles.lookup();
            TIMED_PARKER = l.findVarHandle(Carrier.class, "timedParker", Thread.class);
            TIMED_PARK_DEADLINE = l.findVarHandle(Carrier.class, "timedParkDeadline", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final int index;
    final RuntimeCore runtime;
    final ManualIoEventLoop loop;
    final CarrierTimers timers;
    private final ArrayDeque<Runnable> local = new ArrayDeque<>(1024);
    /**
     * Continuations woken by the transport's I/O processing (carrier thread only), in wake order;
     * a turn runs them ahead of {@link #local} (see {@link #pollNext}).
     */
    private final ArrayDeque<Runnable> ioReady = new ArrayDeque<>();
    /**
     * Whether the I/O events of the loop pass going on now woke a task that has not run yet
     * (carrier thread only: the loop's own tasks run after its I/O, in the same pass).
     */
    public boolean ioWokeTasks() {
        return !ioReady.isEmpty();
    }

    /**
     * This carrier's event loop. A task mounted on the carrier counts as in the loop while it is
     * the loop's guest ({@link #enterLoop}), so Netty runs its channel calls in place instead of
     * queueing them for the loop's next pass.
     */
    final class Loop extends ManualIoEventLoop {
        Loop(IoEventLoopGroup group, io.netty.channel.IoHandlerFactory factory) {
            super(group, thread, factory);
        }

        Carrier carrier() {
            return Carrier.this;
        }

        @Override
        public boolean inEventLoop() {
            Thread t = Thread.currentThread();
            return t == loopGuest || inEventLoop(t);
        }

        @Override
        protected boolean canBlock() {
            return local.isEmpty() && ioReady.isEmpty() && remote.isEmpty() && !stopRequested;
        }
    }

    /** The task inside the loop's channel code now ({@link #enterLoop}), or null (carrier thread only). */
    private Thread loopGuest;

    /**
     * Makes the calling task the loop's guest if it is a task mounted on this carrier and no
     * other task is: until {@link #exitLoop}, Netty treats it as the loop's own thread, so a
     * write or a read request runs now, on this carrier, rather than as a task of the loop's next
     * pass. The loop's thread runs nothing of the loop while a guest is inside, so if the guest
     * parks there (a contended monitor in a handler), the loop's I/O and timers wait for it to
     * come back; other tasks keep running and their channel calls queue as usual.
     *
     * @return whether the caller is now the guest and must call {@link #exitLoop}
     */
    boolean enterLoop() {
        if (loopGuest != null || stopped) {
            return false;
        }
        Thread t = Thread.currentThread();
        if (!t.isVirtual() || !isCurrent()) {
            return false;
        }
        loopGuest = t;
        guestQueuedIo = true;
        return true;
    }

    /**
     * Set when a guest called the loop's channels in the current slice (carrier thread only). On
     * io_uring its writes and read requests are submission-queue entries that leave only with
     * the loop's next pass.
     */
    private boolean guestQueuedIo;
    /** Whether the transport queues channel calls until the loop's next pass (io_uring). */
    private final boolean submitsOnPass;

    /**
     * Waits a little for a guest parked inside the loop's code, with nothing else to run (carrier
     * thread only). Nothing of the loop may run until it is back, so the carrier cannot block in
     * the transport; the guest's wake-up comes from another thread, as a remote submission.
     */
    private void awaitGuest() {
        java.util.concurrent.locks.LockSupport.parkNanos(20_000);
    }

    /** Ends the guest's stay (the guest only, after {@link #enterLoop} returned true). */
    void exitLoop() {
        loopGuest = null;
    }

    /** {@link #enterLoop} on the carrier of {@code loop}, if it is a carrier's loop; else false. */
    public static boolean enterLoop(Object loop) {
        return loop instanceof Loop l && l.carrier().enterLoop();
    }

    /** {@link #exitLoop} for a guest of {@code loop}. */
    public static void exitLoop(Object loop) {
        ((Loop) loop).carrier().exitLoop();
    }

    /** Set while the transport handler processes I/O events (carrier thread only). */
    boolean processingIo;
    /**
     * Whether the last turn spent its whole budget on what I/O woke while other tasks waited
     * (carrier thread only): then the next turn serves the other tasks first.
     */
    private boolean othersFirst;
    /** Tasks of this carrier that ended; written by the carrier thread (release stores), after stop atomically. */
    final java.util.concurrent.atomic.AtomicLong ended = new java.util.concurrent.atomic.AtomicLong();
    /** Outcomes of this carrier's tasks; carrier thread only, read racily. */
    long completed, failed, cancelled;
    /** Started, not yet ended tasks of this carrier: an intrusive list confined to the carrier thread. */
    private TaskImpl<?> liveHead;
    final CarrierStats stats = new CarrierStats();
    private final Thread.Builder.OfVirtual vtBuilder;

    Carrier(RuntimeCore runtime, int index, String threadName, NettyTransport transport,
            IoEventLoopGroup group, boolean carrierMode) {
        this.runtime = runtime;
        this.index = index;
        this.thread = Thread.ofPlatform().name(threadName).daemon(true).unstarted(this::runLoop);
        io.netty.channel.IoHandlerFactory awareFactory =
                executor -> new AwakeAwareIoHandler(transport.ioHandlerFactory().newHandler(executor), this);
        this.loop = new Loop(group, awareFactory);
        this.submitsOnPass = transport.kind() == dev.weft.core.Transport.IO_URING;
        this.timers = new CarrierTimers(this, runtime.clock);
        this.vtBuilder = carrierMode ? CarrierScheduler.builderFor(this) : null;
    }

    void start() {
        thread.start();
    }

    /**
     * Hands a task spawned onto this carrier to a worker virtual thread (carrier thread only): an
     * idle worker if there is one, else a new one. The worker's run goes to the head of the deque,
     * so the task starts in spawn order, as if its thread had been started by the spawner (a
     * spawn-then-yieldNow lets the child run).
     */
    private void dispatch(TaskImpl<?> task) {
        TaskWorker w = idleWorkers.pollFirst();
        startingInline = true;
        try {
            if (w != null) {
                w.next = task;
                java.util.concurrent.locks.LockSupport.unpark(w.thread);
            } else {
                w = new TaskWorker(task);
                w.thread = newVirtualThread(null, w);
                // The JDK then hands this carrier the worker itself each time the thread is
                // scheduled, so the carrier knows which task runs with no lookup.
                w.ownContinuation = CarrierScheduler.replaceContinuation(w.thread, w);
                stats.workersStarted++;
                w.thread.start();
            }
        } finally {
            startingInline = false;
        }
    }

    /** Set while {@link #dispatch} starts or wakes a worker, so its run is queued first. */
    private boolean startingInline;

    /**
     * The context class loader every worker starts with and gets back after each task: the
     * carrier thread's, which the workers inherit, since they are all created on it. Kept here,
     * not per worker, so a worker (which a parked task keeps) is 32 bytes. Read and written by
     * this carrier's workers only, one at a time.
     */
    private ClassLoader workerLoader;

    /** Workers parked with no task, most recently parked first (carrier thread only). */
    private final ArrayDeque<TaskWorker> idleWorkers = new ArrayDeque<>();
    /** Idle workers kept; a worker that would be one more ends instead. */
    static final int MAX_IDLE_WORKERS = 256;
    /** When the current turn's continuation budget is spent (carrier thread only). */
    private long turnDeadlineNanos;

    /**
     * A virtual thread that runs tasks spawned onto its carrier, one after another (ADR 0003).
     * A task that never parks costs no thread of its own: after it ends, the worker takes the
     * next task waiting at the head of the carrier's queue, within the turn's budget. A task that
     * parks keeps its worker until it ends; the carrier starts or wakes another worker for the
     * next task. Between tasks the worker clears what a task could leave on its thread:
     * interrupt status, thread-locals, name, uncaught exception handler and context class loader.
     */
    private final class TaskWorker implements Runnable {
        Thread thread;
        /**
         * Whether the JDK submits the worker itself to run this thread; else its own runnable
         * (the replacement was refused), read from the thread when needed. A flag, not a field
         * holding either: a parked task keeps its worker, and this keeps a worker at 32 bytes.
         */
        boolean ownContinuation;
        /** The task this worker runs now (carrier thread only). */
        TaskImpl<?> task;
        /** The task to run next, handed over by {@link #dispatch} (carrier thread only). */
        TaskImpl<?> next;
        /** Set when the carrier stops, so an idle worker ends. */
        boolean retire;

        TaskWorker(TaskImpl<?> first) {
            this.next = first;
        }

        /**
         * Two jobs, told apart by the thread that calls: on a carrier (or any thread but the
         * worker's own) it runs the thread's continuation, which is what the JDK submits to run
         * this thread; on the worker's own thread it is the thread's body. One object for both
         * saves a body object per worker, and the body's frame is this one, with no lambda frame
         * under it: a frame less under every parked task (a million parked tasks' frames are
         * most of their memory).
         */
        @Override
        public void run() {
            if (Thread.currentThread() != thread) {
                CarrierScheduler.runContinuation(thread);
                return;
            }
            if (workerLoader == null) {
                workerLoader = thread.getContextClassLoader();
            }
            // One frame for the whole loop (no runTask method): every parked task's stack holds
            // this frame, and a million parked tasks' frames are most of their memory.
            do {
                TaskImpl<?> task = next;
                next = null;
                task.continuation = ownContinuation ? this : CarrierScheduler.continuationOf(thread);
                task.thread = thread;
                String name = task.rawName();
                if (name != null) {
                    thread.setName(name);
                }
                // An interrupt aimed at this thread while it ran an earlier task, or while idle, is
                // not for this task. (A cancel's interrupt is delivered before run() returns: FutureTask.)
                Thread.interrupted();
                task.run();
                // No local holds the task while the worker waits for the next one: an ended
                // task's handle must stay collectable (an unjoined failure is logged when it is).
                task = null;
                // Not only when the task had a name: an unnamed task may have renamed the thread.
                if (!thread.getName().isEmpty()) {
                    thread.setName("");
                }
                if (thread.getUncaughtExceptionHandler() != thread.getThreadGroup()) {
                    thread.setUncaughtExceptionHandler(null); // else the next task's failures go to it
                }
                CarrierScheduler.clearThreadLocals(thread);
                if (thread.getContextClassLoader() != workerLoader) {
                    thread.setContextClassLoader(workerLoader);
                }
            } while (awaitNext());
        }

        /**
         * Puts the next task for this worker in {@link #next}, or returns false when the worker
         * should end. Parks while idle.
         */
        private boolean awaitNext() {
            if (stopped || retire || !CarrierScheduler.canClearThreadLocals()) {
                return false; // off the carrier now (its queues are not ours), or the thread cannot be reset
            }
            long now = System.nanoTime();
            if (!stopRequested && now < turnDeadlineNanos && ioReady.isEmpty()) {   // I/O first (pollNext)
                Runnable head = local.peekFirst();
                if (head == null) {
                    drainRemote();
                    head = local.peekFirst();
                }
                if (head instanceof TaskImpl<?> queued && !queued.isOwnContinuation()) {
                    local.pollFirst();
                    stats.tasksChained++;
                    if (queued.spawnedNanos == 0) {
                        queued.spawnedNanos = now; // it starts now (see TaskImpl.spawnedNanos)
                    }
                    next = queued;
                    return true;
                }
            }
            if (idleWorkers.size() >= MAX_IDLE_WORKERS) {
                return false;
            }
            idleWorkers.addFirst(this);
            while (next == null && !retire) {
                Thread.interrupted(); // else a stray interrupt would make park return at once, forever
                java.util.concurrent.locks.LockSupport.park(this);
            }
            return next != null;
        }
    }

    /** Lets the idle workers end (carrier thread, once stopped). */
    private void retireIdleWorkers() {
        TaskWorker w;
        while ((w = idleWorkers.pollFirst()) != null) {
            w.retire = true;
            java.util.concurrent.locks.LockSupport.unpark(w.thread);
        }
    }

    /**
     * Runs a queued item away from the carrier once it has stopped: continuations on the common
     * pool, queued task starts as virtual threads of the JDK's scheduler, so nothing is lost.
     */
    private static void runAfterStop(Runnable r) {
        if (r instanceof TaskImpl<?> queued && !queued.isOwnContinuation()) {
            Thread vt = Thread.ofVirtual().unstarted(queued);
            queued.thread = vt;
            vt.start();
        } else {
            ForkJoinPool.commonPool().execute(r);
        }
    }

    /** An unstarted virtual thread scheduled by this carrier, named {@code name} (null: unnamed). */
    Thread newVirtualThread(String name, Runnable body) {
        return CarrierScheduler.newThread(vtBuilder, this, name, body);
    }

    /** The Netty event loop this carrier drives. */
    public ManualIoEventLoop eventLoop() {
        return loop;
    }

    /** This carrier's index in its runtime, from 0. */
    public int index() {
        return index;
    }

    /** The platform thread of this carrier. */
    public Thread thread() {
        return thread;
    }

    /** Counters of this carrier, read racily by metrics. */
    public CarrierStats stats() {
        return stats;
    }

    /** Installs (null removes) the scheduling probe this carrier reports samples to. */
    public void setSchedulingProbe(dev.weft.core.spi.SchedulingProbe p) {
        probe = p;
    }

    /** Timers of this carrier. */
    public CarrierTimers timers() {
        return timers;
    }

    /** Number of continuations waiting to run (racy snapshot). */
    public int runQueueDepth() {
        return local.size() + ioReady.size() + remote.size();
    }

    /** Live tasks homed on this carrier (spawned and not ended; racy). */
    public int liveTasks() {
        // Ended first: a task that starts and ends between the reads is then counted once too
        // often, never once too few (shutdown waits for zero).
        long e = ended.get();
        return (int) Math.max(0, spawnedTotal() - e);
    }

    /**
     * Tasks spawned onto this carrier and thread factories' tasks started on it: the spawn count
     * every spawner adds to, plus {@link #startedHere}.
     */
    long spawnedTotal() {
        return spawnedCount() + startedHere.get();
    }

    /**
     * Thread factories' tasks that started on this carrier (counted as they start, see
     * {@code TaskImpl.registerOnStart}). Written only by the carrier thread, with release
     * stores, as {@link #ended}: a fork of a scope then pays no atomic add to be counted.
     */
    private final java.util.concurrent.atomic.AtomicLong startedHere = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Counts a thread factory's task that starts now, in a slice of this carrier; after the
     * carrier stopped, its continuations run on the common pool's threads, which add atomically.
     */
    void countStartedHere() {
        if (stopped) {
            addSpawned(1);
        } else {
            startedHere.lazySet(startedHere.get() + 1);
        }
    }

    /**
     * The task whose continuation this carrier runs now (carrier thread only), so a task finds
     * itself with no scoped value; see {@link TaskImpl#currentOrNull()}.
     */
    TaskImpl<?> running;

    /**
     * The thread of this carrier's current slice that parks for a time this carrier's wheel
     * serves, and that park's deadline (runtime clock); null when none. A virtual thread that is
     * pinned when it parks (a class initialiser or a native frame on its stack) parks this
     * carrier's own thread instead of yielding: the wheel then never fires, and the runtime's pin
     * watch ({@link RuntimeCore#watchPinnedParks}) unparks it once the deadline has passed. Set by
     * the parking thread ({@link #registerTimedPark}); cleared when its park returns, or when its
     * slice ends (it yielded: the wheel serves it).
     */
    private volatile Thread timedParker;
    private long timedParkDeadline;
    /** When the continuation running now was given the carrier (carrier thread only). */
    private long sliceStartNanos;
    /** This carrier's started, not ended tasks by their continuation (carrier thread only). */
    private java.util.IdentityHashMap<Runnable, TaskImpl<?>> byContinuation = new java.util.IdentityHashMap<>();
    private int byContinuationPeak;

    /**
     * Records {@code task}, whose thread's first run is going on now, as running here, if its
     * thread is scheduled by this carrier and the carrier still runs; false otherwise (the caller
     * then binds a scoped value instead).
     */
    boolean bindRunning(TaskImpl<?> task) {
        Runnable cont = task.continuation;
        if (cont == null || stopped) {
            return false;
        }
        if (cont instanceof TaskWorker w) {
            w.task = task; // a worker is this carrier's own thread: no need to ask the JDK
        } else if (cont == task) {
            // its own continuation (a thread factory's task): found with no lookup
        } else if (CarrierScheduler.schedulerOf(task.thread) != this) {
            return false;
        } else {
            byContinuation.put(cont, task);
            byContinuationPeak = Math.max(byContinuationPeak, byContinuation.size());
        }
        running = task;
        task.lastRunNanos = sliceStartNanos; // its first run: the slice it starts in
        if (task.spawnedNanos == 0) {
            task.spawnedNanos = sliceStartNanos; // it starts in this slice (see TaskImpl.spawnedNanos)
        }
        return true;
    }

    /** Links a task that starts running here (carrier thread only). */
    void taskStarted(TaskImpl<?> t) {
        if (stopped) {
            return;
        }
        t.nextLive = liveHead;
        if (liveHead != null) {
            liveHead.prevLive = t;
        }
        liveHead = t;
        t.listed = true;
    }

    /**
     * The continuation and the task that ended last here, so a slow final slice is still named.
     * Both are cleared when the slice ends: an ended task's handle must become collectable (an
     * unjoined failure is logged when it is collected). The task, not its name, is kept, so an
     * unnamed task draws its id only when a slow slice needs the name.
     */
    Runnable lastEndedContinuation;
    TaskImpl<?> lastEndedTask;

    /** Unlinks a task that ended here and counts its outcome (carrier thread; after stop, the JDK thread it ended on). */
    void taskEnded(TaskImpl<?> t, dev.weft.core.Task.State outcome) {
        if (t.continuation != null && !stopped) {
            lastEndedContinuation = t.continuation;
            lastEndedTask = t;
        }
        switch (outcome) {
            case SUCCEEDED -> completed++;
            case FAILED -> failed++;
            case CANCELLED -> cancelled++;
            case RUNNING -> { }
        }
        if (t.continuation instanceof TaskWorker w) {
            w.task = null;
        } else if (!stopped && t.continuation != null && t.continuation != t && byContinuation.remove(t.continuation) != null
                && byContinuation.isEmpty() && byContinuationPeak > 4096) {
            byContinuation = new java.util.IdentityHashMap<>(); // give back the table a burst grew
            byContinuationPeak = 0;
        }
        if (t.listed && !stopped) {
            TaskImpl<?> p = t.prevLive, n = t.nextLive;
            if (p != null) {
                p.nextLive = n;
            } else if (liveHead == t) {
                liveHead = n;
            }
            if (n != null) {
                n.prevLive = p;
            }
            t.prevLive = t.nextLive = null;
            t.listed = false;
        }
        if (stopped) {
            ended.incrementAndGet(); // tasks that outlived the carrier end on the JDK's threads, several at once
        } else {
            ended.lazySet(ended.get() + 1);
        }
    }

    /**
     * The tasks running (started, not ended) on this carrier. Taken on the carrier thread: from
     * another thread this waits up to a second for the carrier to answer; empty once stopped. A
     * carrier that does not answer is held by one slice (a task that never parks): then only the
     * task it runs is returned (a racy read, as {@link #describeStuck}), so shutdown can still
     * cancel the task that holds it.
     */
    java.util.List<TaskImpl<?>> liveSnapshot() {
        return liveSnapshot(null);
    }

    /** {@link #liveSnapshot()}; sets {@code partial[0]} when the carrier did not answer (only its running task is returned). */
    java.util.List<TaskImpl<?>> liveSnapshot(boolean[] partial) {
        if (stopped) {
            return java.util.List.of();
        }
        if (Thread.currentThread() == thread || isCurrent()) {
            return collectLive();
        }
        var result = new java.util.concurrent.CompletableFuture<java.util.List<TaskImpl<?>>>();
        // Not cut short by an interrupt (the wait is bounded): an interrupted caller (a shutdown
        // from an interrupted thread) would get an empty list, and cancel and report nothing.
        boolean interrupted = false;
        long deadline = System.nanoTime() + 1_000_000_000L;
        try {
            loop.execute(() -> result.complete(collectLive()));
            while (true) {
                try {
                    return result.get(Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } catch (java.util.concurrent.TimeoutException e) {
            if (partial != null) {
                partial[0] = true;
            }
            TaskImpl<?> r = running;
            return r != null ? java.util.List.of(r) : java.util.List.of();
        } catch (java.util.concurrent.RejectedExecutionException | java.util.concurrent.ExecutionException e) {
            return java.util.List.of();
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private java.util.List<TaskImpl<?>> collectLive() {
        java.util.List<TaskImpl<?>> out = new java.util.ArrayList<>();
        for (TaskImpl<?> t = liveHead; t != null; t = t.nextLive) {
            out.add(t);
        }
        return out;
    }

    /**
     * Records that {@code t}, running on this carrier, is about to park until {@code deadline} with
     * this carrier's wheel to wake it (see {@link #timedParker}). Carrier thread only.
     */
    public void registerTimedPark(Thread t, long deadline) {
        TIMED_PARK_DEADLINE.setOpaque(this, deadline);
        TIMED_PARKER.setRelease(this, t); // read with acquire: the deadline read after it is this park's
    }

    /** {@code t}'s timed park has returned (carrier thread only). */
    public void clearTimedPark(Thread t) {
        if (timedParker == t) {
            TIMED_PARKER.setOpaque(this, null);
        }
    }

    /**
     * Unparks the thread registered by {@link #registerTimedPark} if its deadline has passed and
     * its slice has not ended: it is parked pinned, with this carrier's thread. Any thread; a
     * wake-up that comes when the park has just returned is a spurious one, which every caller of
     * a park tolerates.
     */
    void rescuePinnedPark(long now) {
        Thread t = (Thread) TIMED_PARKER.getAcquire(this);
        if (t != null && now - (long) TIMED_PARK_DEADLINE.getOpaque(this) >= 0) {
            java.util.concurrent.locks.LockSupport.unpark(t);
        }
    }

    /** Turns begun (carrier thread); the carrier watch reads it racily to tell a carrier that makes no progress. */
    private long turnsBegun;
    /** The carrier watch's last look (watch thread only): {@link #turnsBegun} then, and whether the thread was wedged. */
    private long watchedTurns = -1;
    private boolean seenWedged;

    /**
     * Wakes this carrier's thread, without interrupting it, if it was blocked on a monitor at the
     * watch's last look and still is, no turn has begun since, and continuations wait for it. Its
     * own Netty loop code (an allocation under the leak detector's map lock, a logging handler)
     * and one of its tasks may wait for the same monitor with the task first in line: when the
     * holder leaves, the JVM hands the monitor on to that task, whose wake-up is queued on this
     * carrier, which is blocked behind it; neither ever runs. Woken, the thread tries the lock
     * again, takes it (it is free), goes on, and runs the task later. Watch thread only; a wake-up
     * of a thread blocked for another reason is a spurious one, which a monitor enter tolerates.
     *
     * @return whether it woke the thread
     */
    boolean wakeIfWedged() {
        if (stopped) {
            return false;
        }
        long turns = turnsBegun;
        boolean wedged = turns == watchedTurns && !remote.isEmpty() && thread.getState() == Thread.State.BLOCKED;
        watchedTurns = turns;
        if (wedged && seenWedged) {
            seenWedged = false;
            return CarrierScheduler.wakeWithoutInterrupt(thread);
        }
        seenWedged = wedged;
        return false;
    }

    /** Whether the calling code runs on this carrier's thread (directly, or in a task mounted on it). */
    public boolean isCurrent() {
        if (stopped) {
            return false; // continuations now run on the common pool, not on this thread
        }
        Thread t = Thread.currentThread();
        if (t == thread) {
            return true;
        }
        if (t.isVirtual()) {
            // The task this carrier runs now, read with no lookup: a stale value cannot match, as
            // a thread whose scheduler is this carrier runs on no other thread while it runs.
            TaskImpl<?> now = running;
            if (now != null && now.thread == t) {
                return true;
            }
            TaskImpl<?> task = TaskImpl.currentOrNull();
            return task != null && task.carrier == this && task.thread == t;
        }
        return false;
    }

    /**
     * Schedules a continuation (the JDK calls this to start or resume a virtual thread). Never
     * rejects: after the carrier has stopped, continuations run on the common pool, so a task
     * that wakes late still ends rather than hang forever.
     */
    @Override
    public void execute(Runnable continuation) {
        dev.weft.core.spi.SchedulingProbe p = probe;
        if (p != null) {
            continuation = Probes.maybeStamp(p, continuation);
        }
        if (isCurrent() && !stopped) {
            if (startingInline) {
                local.addFirst(continuation);
            } else if (processingIo) {
                ioReady.addLast(continuation);
            } else {
                local.addLast(continuation);
            }
            return;
        }
        if (stopped) {
            runAfterStop(continuation);
            return;
        }
        remote.offer(continuation);
        if (sleeping) {
            loop.wakeup();
        }
        if (stopped) {
            drainAfterStop(); // the carrier may have drained the queue before this offer
        }
    }

    private volatile long idleDeadlineNanos = Long.MAX_VALUE;

    /** Whether the carrier is blocked (or about to block) waiting for work. */
    boolean isIdle() {
        return sleeping && local.isEmpty() && ioReady.isEmpty() && remote.isEmpty();
    }

    /** The earliest timer deadline the carrier saw before it went idle. */
    long idleDeadlineNanos() {
        return sleeping ? idleDeadlineNanos : Long.MIN_VALUE;
    }

    /**
     * Whether the loop may be blocked (or about to block) waiting for I/O, so a submission needs
     * an I/O wake-up. False while the carrier is running; true while stopping, so shutdown is
     * never delayed.
     */
    boolean mayBeBlocked() {
        return sleeping || stopRequested || stopped;
    }

    /** Wakes the loop unconditionally. */
    void wakeUp() {
        loop.wakeup();
    }

    /** Wakes the loop if it is blocked (or about to block) waiting for work. */
    void wakeIfSleeping() {
        if (sleeping) {
            loop.wakeup();
        }
    }

    /** Asks the loop to finish: it runs what is queued, shuts the event loop down and exits. */
    void requestStop() {
        stopRequested = true;
        loop.wakeup();
    }

    /**
     * For a carrier that did not stop when asked: the task it is running now, if any, and where
     * its thread is (any thread; the answer is a racy snapshot). A task that never gives its
     * carrier back shows here by name; a carrier stuck outside any task shows where it is stuck.
     */
    String describeStuck() {
        TaskImpl<?> r = running;
        StringBuilder sb = new StringBuilder();
        if (r != null) {
            sb.append("running task '").append(r.name()).append("'");
            Thread taskThread = r.thread();
            if (taskThread != null) {
                appendStack(sb.append(", at:"), taskThread.getStackTrace());
            }
            sb.append("\n\ton carrier thread:");
        } else {
            sb.append("running no task, carrier thread at:");
        }
        appendStack(sb, thread.getStackTrace());
        return sb.toString();
    }

    private static void appendStack(StringBuilder sb, StackTraceElement[] stack) {
        for (int i = 0; i < Math.min(STUCK_FRAMES, stack.length); i++) {
            sb.append("\n\tat ").append(stack[i]);
        }
        if (stack.length > STUCK_FRAMES) {
            sb.append("\n\t... ").append(stack.length - STUCK_FRAMES).append(" more");
        }
    }

    private static final int STUCK_FRAMES = 16;

    boolean awaitStopped(long millis) throws InterruptedException {
        thread.join(millis);
        return !thread.isAlive();
    }

    private void runLoop() {
        try {
            while (!stopRequested) {
                turn();
            }
            // Drain what is runnable now, then close the event loop (its channels close too).
            turn();
            loop.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.NANOSECONDS);
            long giveUp = System.nanoTime() + 2_000_000_000L;
            while (!loop.isTerminated() && System.nanoTime() < giveUp) {
                if (loopGuest == null) {   // never under a guest parked in the loop's code
                    loop.runNow();
                }
                if (runContinuations() == 0 && loopGuest != null) {
                    awaitGuest();
                }
            }
        } catch (Throwable t) {
            runtime.log.log(System.Logger.Level.ERROR, "carrier " + thread.getName() + " failed", t);
        } finally {
            stopped = true;
            timers.stop();
            retireIdleWorkers();
            Runnable r;
            while ((r = ioReady.pollFirst()) != null) {
                runAfterStop(r);
            }
            while ((r = local.pollFirst()) != null) {
                runAfterStop(r);
            }
            drainAfterStop();
        }
    }

    /**
     * Runs what is left in the remote queue away from the stopped carrier. The queue has one
     * consumer at a time: after stop, whoever holds its lock. A submitter that offers after the
     * carrier's last drain sees {@code stopped} and drains it itself, so nothing is stranded.
     */
    private void drainAfterStop() {
        synchronized (remote) {
            Runnable r;
            while ((r = remote.poll()) != null) {
                runAfterStop(r);
            }
        }
    }

    private void turn() {
        turnsBegun++;
        if (loopGuest == null) {
            loop.runNow();
            timers.runDue();
        }
        int ran = runContinuations();
        if (ran == 0 && local.isEmpty() && loopGuest != null) {
            awaitGuest();
            return;
        }
        if (ran == 0 && local.isEmpty()) {
            idleDeadlineNanos = timers.nextDeadlineNanos();
            sleeping = true;
            try {
                if (remote.isEmpty() && !stopRequested) {
                    long waitNanos = timers.nanosUntilNext();
                    if (waitNanos > 0) {
                        stats.blocks++;
                        // ManualIoEventLoop.run(0) means "no limit".
                        loop.run(waitNanos == Long.MAX_VALUE ? 0 : waitNanos);
                    }
                }
            } finally {
                sleeping = false;
            }
        }
    }

    /** Moves what other threads submitted to the local deque, in order (carrier thread only). */
    private void drainRemote() {
        Runnable r;
        while ((r = remote.poll()) != null) {
            local.addLast(r);
        }
    }

    /** Whether {@link #pollNext} took its last continuation from {@link #ioReady} (carrier thread only). */
    private boolean polledIo;

    /**
     * The next continuation of this turn: what I/O woke first, in wake order, so a socket's task
     * answers before a backlog of compute or file work queued earlier (Tokio gives such wake-ups
     * its LIFO slot for the same reason); then the rest. After a turn that spent its whole budget
     * on I/O wake-ups while other tasks waited, the others go first for one turn, so I/O alone
     * cannot keep them waiting for longer than that.
     */
    private Runnable pollNext() {
        Runnable r;
        if (othersFirst) {
            r = local.pollFirst();
            polledIo = r == null;
            return r != null ? r : ioReady.pollFirst();
        }
        r = ioReady.pollFirst();
        polledIo = r != null;
        return r != null ? r : local.pollFirst();
    }

    private int runContinuations() {
        drainRemote();
        boolean othersRan = false;
        long start = System.nanoTime();
        turnDeadlineNanos = start + TURN_BUDGET_NANOS;
        Runnable r;
        long sliceStart = start;
        int ran = 0;
        dev.weft.core.spi.SchedulingProbe p = probe;
        // Each slice is timed while someone looks (a probe, a slow-slice listener) and while
        // slices are long; otherwise the clock is read once per SLICE_BATCH slices (see timeBatch).
        boolean timeEach = p != null || runtime.hasSliceListener();
        int batch = 0;
        while ((r = pollNext()) != null) {
            othersRan |= !polledIo;
            if (r instanceof Probes.Stamped s) {
                r = s.continuation;
                if (p != null) {
                    Probes.wakeDelay(p, index, sliceStart - s.stampNanos);
                }
            }
            try {
                if (r instanceof TaskImpl<?> queued && !queued.isOwnContinuation()) {
                    dispatch(queued);
                } else {
                    running = r instanceof TaskWorker w ? w.task
                            : r instanceof TaskImpl<?> own ? own : byContinuation.get(r);
                    sliceStartNanos = sliceStart;
                    if (running != null) {
                        running.lastRunNanos = sliceStart;
                    }
                    try {
                        r.run();
                    } finally {
                        running = null;
                        if (timedParker != null) {
                            TIMED_PARKER.setOpaque(this, null); // it yielded: the wheel wakes it
                        }
                    }
                }
            } catch (Throwable t) {
                runtime.log.log(System.Logger.Level.ERROR, "continuation failed on " + thread.getName(), t);
            }
            ran++;
            batch++;
            if (timeEach || batch == SLICE_BATCH || longSlices) {
                long end = System.nanoTime();
                long elapsed = end - sliceStart;
                sliceStart = end;
                timeBatch(batch, elapsed, r, p);
                batch = 0;
                if (end - start > TURN_BUDGET_NANOS) {
                    lastEndedContinuation = null;
                    lastEndedTask = null;
                    guestQueuedIo = false; // the next turn starts with the loop's pass
                    return endSpentTurn(ran, othersRan, end - start);
                }
            }
            lastEndedContinuation = null; // it references the task's thread: do not keep it alive
            lastEndedTask = null;
            if (guestQueuedIo) {
                guestQueuedIo = false;
                if (submitsOnPass && ioReady.isEmpty() && !local.isEmpty() && loopGuest == null) {
                    // What a guest submitted goes out now, not after the tasks queued behind it:
                    // a socket's answer does not wait for a backlog of compute or file work.
                    // (Between I/O wake-ups it waits: they submit together at the turn's end.)
                    if (batch > 0) { // else this slice's batch was just timed, and the budget checked
                        long end = System.nanoTime();
                        timeBatch(batch, end - sliceStart, null, p);
                        batch = 0;
                        // This pass restarts the batch, so the budget is checked here too: else a
                        // guest in every slice or so would keep the turn, and the timers and stop
                        // requests looked at between turns, waiting for as long as it runs.
                        if (end - start > TURN_BUDGET_NANOS) {
                            return endSpentTurn(ran, othersRan, end - start); // the next turn's pass submits
                        }
                    }
                    loop.runNow();
                    sliceStart = System.nanoTime();
                }
            }
            if ((ran & 63) == 0) {
                drainRemote();
            }
        }
        if (batch > 0) {
            long end = System.nanoTime();
            timeBatch(batch, end - sliceStart, null, p);
            sliceStart = end;
        }
        othersFirst = false;
        stats.busyNanos += sliceStart - start;
        return ran;
    }

    /** Ends a turn that spent its budget after {@code ran} slices (carrier thread only). */
    private int endSpentTurn(int ran, boolean othersRan, long busyNanos) {
        othersFirst = !othersRan && !local.isEmpty();
        stats.busyNanos += busyNanos;
        return ran;
    }

    /**
     * Slices timed together when nobody looks at single slices: the clock is read once per this
     * many (a clock read was a twentieth of a slice that starts and ends a fork).
     */
    static final int SLICE_BATCH = 16;
    /**
     * A batch whose slices took longer than this each, on average, makes the next slices timed
     * one by one: then a read costs little next to a slice, and the turn's budget is kept exactly.
     */
    static final long LONG_SLICE_NANOS = 5_000;
    /** Whether the last batch's slices were long (carrier thread only; see {@link #LONG_SLICE_NANOS}). */
    private boolean longSlices;

    /**
     * Accounts {@code count} slices that took {@code elapsed} nanoseconds together (carrier thread
     * only). A single slice is exact: its time, the probe's sample, and a slow slice reported
     * under its task's name ({@code r}, the continuation that ran). A batch's time bounds each of
     * its slices from above: it counts as one slow slice when over the threshold, unnamed (a batch
     * is timed only while no listener and no probe are installed, so no one is owed a name).
     */
    private void timeBatch(int count, long elapsed, Runnable r, dev.weft.core.spi.SchedulingProbe p) {
        stats.recordSlices(count, elapsed);
        longSlices = elapsed > count * LONG_SLICE_NANOS;
        if (count == 1 && p != null) {
            Probes.slice(p, index, stats.slices, elapsed);
        }
        if (elapsed > runtime.slowSliceNanos) {
            runtime.reportSlowSlice(this, count == 1 ? r : null, elapsed);
        }
    }
}

/*
 * The fields other threads touch on every submission sit between padding, apart from what the
 * carrier writes for every task it runs (counters, the running task, its live list): sharing a
 * cache line with those writes made each spawn from another thread miss in its cache on the
 * carrier's fields. Padding by superclasses, because HotSpot lays a superclass's fields out before
 * its subclass's; byte fields, because HotSpot fills holes with the smallest fields first, so the
 * padding, not a subclass field, lands in any gap.
 */

abstract class CarrierPad0 {
    byte p000, p001, p002, p003, p004, p005, p006, p007, p010, p011, p012, p013, p014, p015, p016, p017,
         p020, p021, p022, p023, p024, p025, p026, p027, p030, p031, p032, p033, p034, p035, p036, p037,
         p040, p041, p042, p043, p044, p045, p046, p047, p050, p051, p052, p053, p054, p055, p056, p057,
         p060, p061, p062, p063, p064, p065, p066, p067, p070, p071, p072, p073, p074, p075, p076, p077;
}

/** What a submitter reads; written rarely (the carrier writes {@code sleeping} only around a block). */
abstract class CarrierSubmitSide extends CarrierPad0 {
    /**
     * What other threads submit. Netty's MPSC queue (JCTools, shaded in Netty): array chunks
     * instead of a node per item, so a spawner thread feeding a carrier allocates and contends
     * less than with a {@code ConcurrentLinkedQueue}. Single consumer: the carrier thread, and
     * after stop whoever holds the queue's lock ({@code Carrier.drainAfterStop}).
     */
    final java.util.Queue<Runnable> remote = io.netty.util.internal.PlatformDependent.newMpscQueue();
    /** The carrier's platform thread; written once, by the constructor, before the carrier is shared. */
    Thread thread;
    /** Metrics' scheduling probe, or null: read once per turn and once per submission (see {@link Probes}). */
    volatile dev.weft.core.spi.SchedulingProbe probe;
    volatile boolean sleeping;
    volatile boolean stopRequested;
    volatile boolean stopped;
}

abstract class CarrierPad1 extends CarrierSubmitSide {
    byte p100, p101, p102, p103, p104, p105, p106, p107, p110, p111, p112, p113, p114, p115, p116, p117,
         p120, p121, p122, p123, p124, p125, p126, p127, p130, p131, p132, p133, p134, p135, p136, p137,
         p140, p141, p142, p143, p144, p145, p146, p147, p150, p151, p152, p153, p154, p155, p156, p157,
         p160, p161, p162, p163, p164, p165, p166, p167, p170, p171, p172, p173, p174, p175, p176, p177;
}

/** The spawn count, written by every spawner (and read by neither side's hot path). */
abstract class CarrierSpawnCount extends CarrierPad1 {
    private static final java.lang.invoke.VarHandle SPAWNED;

    static {
        try {
            SPAWNED = java.lang.invoke.MethodHandles.lookup().findVarHandle(CarrierSpawnCount.class, "spawned", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Tasks spawned onto this carrier (by any thread). */
    private volatile long spawned;

    /** Adds {@code delta} to the tasks spawned onto this carrier. */
    final void addSpawned(long delta) {
        SPAWNED.getAndAdd(this, delta);
    }

    /** Tasks spawned onto this carrier so far. */
    final long spawnedCount() {
        return spawned;
    }
}

abstract class CarrierPad2 extends CarrierSpawnCount {
    byte p200, p201, p202, p203, p204, p205, p206, p207, p210, p211, p212, p213, p214, p215, p216, p217,
         p220, p221, p222, p223, p224, p225, p226, p227, p230, p231, p232, p233, p234, p235, p236, p237,
         p240, p241, p242, p243, p244, p245, p246, p247, p250, p251, p252, p253, p254, p255, p256, p257,
         p260, p261, p262, p263, p264, p265, p266, p267, p270, p271, p272, p273, p274, p275, p276, p277;
}
