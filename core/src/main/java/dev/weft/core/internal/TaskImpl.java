package dev.weft.core.internal;

import dev.weft.core.Task;
import dev.weft.core.TaskFailedException;
import dev.weft.core.TaskInfo;
import dev.weft.core.spi.Parking;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A task: its body, its outcome, the thread that runs it and the bookkeeping the runtime needs.
 * The task is its own completion (no separate future object), so a spawn allocates one object
 * besides the caller's callable.
 *
 * <h2>Implementation overview</h2>
 * <ul>
 *   <li>{@link #run()} is the thread's body: it makes the task findable from its own thread (so
 *       {@code WeftRuntime.current()} and placement find it): on a carrier, the carrier records
 *       which task it runs; elsewhere (blocking pool, fallback mode) {@link #CURRENT} is bound.
 *       It binds the inherited task-locals,
 *       runs the body, then marks the task ended and tells the runtime. A thread factory's task
 *       (a structured scope's fork) is also what the JDK hands its carrier to run its thread
 *       ({@link #isOwnContinuation()}): called on any other thread, {@link #run()} runs the
 *       thread's continuation instead of the body.</li>
 *   <li>{@code state} moves once from {@code NEW} to an outcome, by CAS: the body's end
 *       ({@code SUCCEEDED}, {@code FAILED}) races {@link #cancel()} ({@code CANCELLING} while the
 *       canceller interrupts the thread, then {@code CANCELLED}). A run whose task was cancelled
 *       waits until the interrupt has been delivered before it returns, so the interrupt never
 *       reaches whatever the thread runs next (a worker's next task): FutureTask's hand-shake.</li>
 *   <li>A task has ended once its own thread set a succeeded or failed state (only it does,
 *       after the body), or, for a cancelled task, once {@code ended} flips after the body has
 *       returned ({@link #hasEnded()}). {@link #join()} waits for that, on a latch created only
 *       when someone waits, then reads the outcome. A cancelled task's join thus throws only
 *       once its body has returned. A task that completes pays one fence (the state's CAS) for
 *       its end, not two.</li>
 *   <li>The id is drawn from the JVM-wide counter the first time someone asks for it, so a task
 *       nobody names or lists costs no shared atomic.</li>
 *   <li>A failure nobody joined is logged once, when the handle becomes unreachable: the Cleaner
 *       is registered only on failure, so successful tasks pay nothing for it.</li>
 * </ul>
 */
public final class TaskImpl<T> implements Task<T>, Runnable {
    /**
     * A body that must hear when it will never be called: the task ended before its body started
     * (cancelled first, or started while the runtime was cancelling what is left, or binding its
     * context failed). Whoever counts on the body running (an executor's bookkeeping, a future
     * its caller waits on) would otherwise wait forever. Checked only on that cold path, so a body
     * pays nothing for it when it runs.
     */
    public interface BodyNeverRan {
        /**
         * Called on the thread that ends the task, after its outcome is recorded; must not
         * block. A joiner of a cancelled task returns only after this call; one of a task whose
         * context failed to bind may return before it (the failed state is itself the end).
         * What it throws is handed to that thread's uncaught exception handler. Must be
         * idempotent and tolerate a call after the body did run: that happens only when
         * recording the body's outcome itself failed (out of memory).
         */
        void bodyNeverRan();
    }

    static final ScopedValue<TaskImpl<?>> CURRENT = ScopedValue.newInstance();
    private static final AtomicLong IDS = new AtomicLong();
    private static final Cleaner CLEANER = Cleaner.create(
            Thread.ofPlatform().daemon(true).name("weft-task-cleaner").factory());

    private static final int NEW = 0;
    private static final int SUCCEEDED = 1;
    private static final int FAILED = 2;
    /** Cancelled; the canceller is still interrupting the thread. */
    private static final int CANCELLING = 3;
    private static final int CANCELLED = 4;

    private static final VarHandle STATE;
    private static final VarHandle ID;
    private static final VarHandle THREAD;
    private static final VarHandle ENDED;

    static {
        try {
            MethodHandles.Lookup l = MethodHandles.lookup();
            STATE = l.findVarHandle(TaskImpl.class, "state", int.class);
            ID = l.findVarHandle(TaskImpl.class, "id", long.class);
            THREAD = l.findVarHandle(TaskImpl.class, "thread", Thread.class);
            ENDED = l.findVarHandle(TaskImpl.class, "ended", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** 0 until {@link #id()} draws one. */
    private volatile long id;
    private final String name;
    final RuntimeCore runtime;
    /** The carrier whose scheduler runs this task; null for blocking-pool and fallback tasks. */
    final Carrier carrier;
    /**
     * The body: a {@code Callable<T>}, or a {@code Runnable} whose value is null (a thread
     * factory's runnable, run without a wrapper object). Dropped when it has run, so a kept handle
     * does not keep what the body captured.
     */
    private Object body;
    private volatile int state;
    /**
     * The body's value, or for a failure its {@link FailureRecord} (which holds the exception);
     * published by the CAS that sets {@code state}.
     */
    private Object outcome;
    /**
     * A spawned task's captured task-locals, or a thread factory's task's
     * {@link dev.weft.core.spi.CancellationSource}, or null. One field for the two, which no task
     * has both of, keeps a task at 88 bytes (a million parked tasks' handles are a tenth of their memory).
     * Task-locals are dropped when the task ends, as the body is; written then only by the task's
     * own thread (or the one that ends it unstarted), the only reader of task-locals.
     */
    private Object context;
    /**
     * {@link System#nanoTime()} when the task was spawned or, for a task queued on a carrier, when
     * its carrier started it (to within the slice it starts in); 0 until then. The carrier reads
     * the clock then anyway, while a clock read in the spawner was a fifth of a spawn's cost
     * (W1). Written once, by the thread that starts the task, before it is listed as live.
     */
    long spawnedNanos;
    /** The thread running the body (set before start; for blocking tasks, when the body starts). */
    volatile Thread thread;
    /** Counted by the runtime only when it starts (threads handed to a thread factory's caller). */
    boolean registerOnStart;
    /** Links of the carrier's live list (carrier thread only). */
    TaskImpl<?> prevLive, nextLive;
    boolean listed;
    /**
     * What the JDK hands the carrier to run this task's virtual thread (carrier mode), to name
     * slow slices: the worker of a spawned task, or, for a thread factory's task, this task
     * itself (see {@link #isOwnContinuation()}), or the JDK's own runnable where it cannot be replaced.
     */
    Runnable continuation;
    /**
     * {@link System#nanoTime()} when the carrier last gave this task's thread a slice (to within
     * the batch of slices the carrier timed together, see {@code Carrier}); 0: never.
     * Written by the carrier thread only; a plain field (read racily by diagnostics, which may see
     * a stale value: a snapshot tolerates that, the carrier's hot path would not tolerate a fence).
     */
    long lastRunNanos;
    private volatile boolean ended;
    private volatile CountDownLatch endLatch;

    /**
     * @param stampNow whether to read the clock for {@link #spawnedNanos} now; false for a task
     *                 queued on a carrier, which the carrier stamps when it first runs it
     */
    TaskImpl(RuntimeCore runtime, Carrier carrier, String name, Callable<T> callable, Object taskLocals,
             boolean stampNow) {
        this(runtime, carrier, name, (Object) Objects.requireNonNull(callable, "callable"), taskLocals, stampNow);
    }

    /** A task whose body is a thread factory's runnable (its value is null), cancelled through {@code source}. */
    TaskImpl(RuntimeCore runtime, Carrier carrier, String name, Runnable body,
             dev.weft.core.spi.CancellationSource source, boolean stampNow) {
        this(runtime, carrier, name, (Object) Objects.requireNonNull(body, "body"), source, stampNow);
    }

    /** @param context the captured task-locals, or the task's cancellation source, or null */
    private TaskImpl(RuntimeCore runtime, Carrier carrier, String name, Object body, Object context,
                     boolean stampNow) {
        this.runtime = runtime;
        this.carrier = carrier;
        this.name = name;
        this.body = body;
        this.context = context;
        if (stampNow) {
            this.spawnedNanos = System.nanoTime();
        }
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

    /**
     * Whether this task's {@link dev.weft.core.spi.CancellationSource}, if it has one, reports its
     * work cancelled (sticky cancellation, see {@link dev.weft.core.spi.Parking}). Asked by the
     * task's own thread right before parking, never on a fast path.
     */
    public boolean cancellationRequested() {
        return context instanceof dev.weft.core.spi.CancellationSource s && s.cancellationRequested();
    }

    /** The source of this task's sticky cancellation, or null: none. Set before the task starts. */
    public dev.weft.core.spi.CancellationSource cancellationSource() {
        return context instanceof dev.weft.core.spi.CancellationSource s ? s : null;
    }

    /** The task-locals captured for this task, or null. */
    private Object taskLocals() {
        Object c = context;
        return c instanceof dev.weft.core.spi.CancellationSource ? null : c;
    }

    /** The runtime this task belongs to. */
    public RuntimeCore runtime() {
        return runtime;
    }

    /** The thread running this task (null for a blocking job not yet started). */
    public Thread thread() {
        return thread;
    }

    /**
     * Gives a task that nobody else holds yet its unstarted thread: a release store, not a
     * volatile one (a fence per task), as whoever gets the task later gets it through a
     * happens-before edge (the thread's start, or the handle's publication).
     */
    void initThread(Thread t) {
        THREAD.setRelease(this, t);
    }

    /** The carrier scheduling this task, or null (blocking pool, fallback mode). */
    public Carrier carrier() {
        return carrier;
    }

    @Override
    @SuppressWarnings("unchecked") // a Callable body is the task's Callable<T>
    public void run() {
        if (continuation == this && Thread.currentThread() != thread) {
            CarrierScheduler.runContinuation(thread); // the JDK scheduled this task's thread
            return;
        }
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
        if (runtime.cancelNewStarts && cancel(false)) {
            // The runtime is cancelling what is left: do not start the body. The shutdown's scan
            // of live tasks could not see this one (queued, not started), so it reports it here.
            runtime.cancelledAtStart(this);
        }
        try {
            boolean bound = c != null && c.bindRunning(this);
            if (bound && taskLocals() == null) {
                // The carrier knows which of its tasks runs, so no scoped value is bound: a parked
                // task keeps no binding objects alive and its stack is three frames shallower.
                // runBody's body, not a call to it: one frame less under every parked task
                // (a million parked tasks' frames are most of their memory).
                if (state == NEW) {
                    boolean returned = false;
                    T v = null;
                    try {
                        if (body instanceof Callable<?> call) {
                            v = (T) call.call();
                        } else {
                            ((Runnable) body).run();
                        }
                        returned = true;
                    } catch (Throwable t) {
                        complete(FAILED, t);
                    }
                    if (returned) {
                        complete(SUCCEEDED, v);
                    }
                } else {
                    bodyNeverRan();
                }
            } else {
                runWithBindings(bound);
            }
        } catch (Throwable t) {
            failedToStart(t);
            throw t;
        } finally {
            afterRun(); // a call, not the lines: javac copies a finally block into every exit path
        }
    }

    /** Marks the task ended and tells the runtime, once its body (if any) has returned. */
    private void afterRun() {
        if (state == CANCELLING) {
            awaitCancelInterrupt();
        }
        body = null;
        dropTaskLocals();
        markEnded();
        runtime.taskEnded(this);
        // A handle may outlive its task by far (an array of a million handles): let the
        // thread and its continuation be collected now. Not a task that is its own thread's
        // continuation: the JDK may still hand it to the carrier until the thread ends, and
        // only its thread holds it.
        if (continuation != this) {
            thread = null;
            continuation = null;
        }
    }

    /**
     * Whether the JDK hands the carrier this task itself to run its thread (a thread factory's
     * task in carrier mode): then {@link #run()} on any thread but the task's runs its thread's
     * continuation, and the carrier knows the running task with no lookup. Carrier thread, or the
     * thread that created the task.
     */
    boolean isOwnContinuation() {
        return continuation == this;
    }

    /**
     * The body with its bindings: the task-locals, and {@link #CURRENT} where the carrier cannot
     * name the running task. Kept out of {@link #run()} so that method stays small enough for the
     * JIT to inline into the carrier's worker loop (its carrier fast path is what a million
     * parked tasks' stacks hold).
     *
     * @param bound whether the carrier records this task as running
     */
    private void runWithBindings(boolean bound) {
        if (bound) {
            CoreBridge.get().runWithTaskLocals(taskLocals(), null, this::runBody);
            return;
        }
        if (spawnedNanos == 0) {
            spawnedNanos = System.nanoTime(); // queued on a carrier that has stopped since
        }
        Object taskLocals = taskLocals();
        if (taskLocals == null) {
            ScopedValue.where(CURRENT, this).run(this::runBody);
        } else {
            CoreBridge.get().runWithTaskLocals(taskLocals, ScopedValue.where(CURRENT, this), this::runBody);
        }
    }

    /** The body never ran because binding its context failed: joiners see why. */
    private void failedToStart(Throwable t) {
        complete(FAILED, t);
        bodyNeverRan();
    }

    /** Runs the body unless the task was cancelled first, and records its outcome. */
    @SuppressWarnings("unchecked") // a Callable body is the task's Callable<T>
    private void runBody() {
        if (state != NEW) {
            bodyNeverRan();
            return;
        }
        T v = null;
        try {
            if (body instanceof Callable<?> c) {
                v = (T) c.call();
            } else {
                ((Runnable) body).run();
            }
        } catch (Throwable t) {
            complete(FAILED, t);
            return;
        }
        complete(SUCCEEDED, v);
    }

    /** Tells a {@link BodyNeverRan} body that it will never be called (cold path). */
    private void bodyNeverRan() {
        if (body instanceof BodyNeverRan b) {
            try {
                b.bodyNeverRan();
            } catch (Throwable e) {
                Thread t = Thread.currentThread();
                t.getUncaughtExceptionHandler().uncaughtException(t, e);
            }
        }
    }

    /**
     * Ends a task whose thread will never run it: a blocking-pool job still queued when the pool
     * stops. Marks it cancelled (unless it already has an outcome), tells a {@link BodyNeverRan}
     * body, wakes joiners and tells the runtime, as {@link #run()} would have. Called once per
     * job, by the thread that took it from the pool's queue.
     */
    void endUnstarted() {
        cancel(false);
        if (state == CANCELLING) {
            awaitCancelInterrupt(); // a concurrent cancel(); it has no thread to interrupt
        }
        bodyNeverRan();
        body = null;
        dropTaskLocals();
        markEnded();
        runtime.taskEnded(this);
    }

    /**
     * Lets a kept handle's inherited task-local values be collected (a request's whole context).
     * A thread factory's cancellation source stays: its fork's scope may still ask for it.
     */
    private void dropTaskLocals() {
        Object c = context;
        if (c != null && !(c instanceof dev.weft.core.spi.CancellationSource)) {
            context = null;
        }
    }

    /**
     * Records the body's outcome unless a cancel (or an earlier outcome) came first; false then.
     * Called only by the thread running the task, so {@code outcome} has one writer.
     */
    private boolean complete(int outcomeState, Object value) {
        if (state != NEW) {
            return false;
        }
        FailureRecord f = null;
        Object recorded = value;
        if (outcomeState == FAILED) {
            // The failure is its record, so a join that sees the failure also marks it observed
            // (else the failure would be logged as unjoined).
            f = new FailureRecord(name(), (Throwable) value, runtime.log);
            recorded = f;
        }
        outcome = recorded; // published by the CAS below; only this thread writes it
        if (STATE.compareAndSet(this, NEW, outcomeState)) {
            if (f != null) {
                CLEANER.register(this, f);
            }
            return true;
        }
        outcome = null;
        return false;
    }

    /**
     * A cancel won while this task's thread ran it: wait until the canceller has interrupted the
     * thread, so the interrupt lands now (and is cleared before the thread's next task) rather
     * than later. The canceller is between two statements: yielding is enough.
     */
    private void awaitCancelInterrupt() {
        while (state == CANCELLING) {
            Thread.yield();
        }
    }

    @Override
    public T join() throws InterruptedException {
        if (!hasEnded()) {
            RuntimeCore.checkNotCarrierThread("Task.join()");
            // A task of this runtime waiting for another is waiting on the runtime itself, not on the
            // outside world: the test clock may still move time for the task it waits for.
            TaskImpl<?> caller = currentOrNull();
            if (caller == this) {
                throw joinsItself("Task.join()");
            }
            boolean internal = caller != null && caller.runtime == runtime;
            if (internal) {
                runtime.internalWaiters.incrementAndGet();
            }
            try {
                awaitEnd(Long.MAX_VALUE);
            } finally {
                if (internal) {
                    runtime.internalWaiters.decrementAndGet();
                }
            }
        }
        return outcome();
    }

    @Override
    public T join(Duration timeout) throws InterruptedException, TimeoutException {
        long nanos = RuntimeCore.saturatedNanos(timeout);
        boolean internal = false;
        if (!hasEnded() && nanos > 0) {
            RuntimeCore.checkNotCarrierThread("Task.join(Duration)");
            TaskImpl<?> caller = currentOrNull();
            if (caller == this) {
                throw joinsItself("Task.join(Duration)");
            }
            // As join(): a wait for a task of the same runtime. Its time limit is real time, off
            // the wheels, so it must not hold a test clock still either (the joined task's own
            // timed wait then never came, and the join ran out its whole limit).
            internal = caller != null && caller.runtime == runtime;
        }
        boolean ended;
        if (internal) {
            runtime.internalWaiters.incrementAndGet();
            try {
                ended = awaitEnd(nanos);
            } finally {
                runtime.internalWaiters.decrementAndGet();
            }
        } else {
            ended = awaitEnd(nanos);
        }
        if (!ended) {
            if (isCancelled()) {
                throw new TimeoutException("task '" + name() + "' was cancelled and has not ended after " + timeout);
            }
            throw new TimeoutException("task '" + name() + "' still running after " + timeout);
        }
        return outcome();
    }

    /** A task waiting for its own end would wait forever (or until its timeout, for nothing). */
    private IllegalStateException joinsItself(String what) {
        return new IllegalStateException(what + " called by task '" + name() + "' on its own handle: a task cannot"
                + " wait for its own end (it would wait forever)");
    }

    /** The outcome of an ended task, as {@link #join()} reports it. */
    @SuppressWarnings("unchecked")
    private T outcome() {
        int s = state;
        if (s == SUCCEEDED) {
            return (T) outcome;
        }
        if (s == FAILED) {
            FailureRecord f = (FailureRecord) outcome;
            f.observed = true;
            throw new TaskFailedException(name(), f.error);
        }
        throw new CancellationException("task '" + name() + "' was cancelled");
    }

    /** Set once the body no longer runs, after its outcome is recorded; wakes joiners. */
    private void markEnded() {
        if (ended) {
            return;
        }
        if (completedByBody(state)) {
            // Joiners see this end through the state already (hasEnded), and the CAS that set it
            // (complete) is the full fence between that write and the read of endLatch below: no
            // second fence per task (a few percent of a fork's cost).
            ENDED.setRelease(this, true);
        } else {
            ended = true;   // cancelled: only this flag says the body has returned
        }
        CountDownLatch latch = endLatch;
        if (latch != null) {
            latch.countDown();
        }
    }

    /** Whether {@code s} is an outcome only the task's own thread sets, once its body has returned. */
    private static boolean completedByBody(int s) {
        return s == SUCCEEDED || s == FAILED;
    }

    /**
     * Whether the body no longer runs and the outcome is recorded: a succeeded or failed state
     * (set by the task's own thread after its body), or {@code ended} (a cancelled task's body
     * has returned). A joiner publishes its latch and then reads this; {@link #markEnded} writes
     * the state or {@code ended} (both through a full fence) and then reads the latch.
     */
    private boolean hasEnded() {
        return ended || completedByBody(state);
    }

    /** Waits up to {@code nanos} for the body to have ended. */
    boolean awaitEnd(long nanos) throws InterruptedException {
        if (hasEnded()) {
            return true;
        }
        nanos = Parking.spinBeforeTimedWait(this::hasEnded, nanos);
        if (hasEnded()) {
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
        if (hasEnded()) {
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
        return cancel(true);
    }

    /** Marks the task cancelled if its body has not completed; with {@code interrupt}, interrupts its thread. */
    private boolean cancel(boolean interrupt) {
        if (!STATE.compareAndSet(this, NEW, interrupt ? CANCELLING : CANCELLED)) {
            return false;
        }
        if (interrupt) {
            Thread t = null;
            try {
                t = thread;
                if (t != null) {
                    t.interrupt();
                }
            } finally {
                state = CANCELLED;
            }
            if (t == null && carrier == null) {
                // A blocking-pool job no pool thread has taken yet: end it now, or its joiners
                // would wait until a pool thread frees up (forever if none does).
                runtime.dropQueuedBlockingJob(this);
            }
        }
        return true;
    }

    @Override
    public boolean isDone() {
        return hasEnded();
    }

    @Override
    public boolean isCancelled() {
        return state >= CANCELLING;
    }

    @Override
    public State state() {
        if (!hasEnded()) {
            return State.RUNNING;
        }
        return switch (state) {
            case SUCCEEDED -> State.SUCCEEDED;
            case FAILED -> State.FAILED;
            case CANCELLING, CANCELLED -> State.CANCELLED;
            default -> State.RUNNING;
        };
    }

    @Override
    public String name() {
        return name != null ? name : "task-" + id();
    }

    /** The name given at spawn, or null. */
    String rawName() {
        return name;
    }

    @Override
    public long id() {
        long v = id;
        if (v != 0) {
            return v;
        }
        long fresh = IDS.incrementAndGet();
        long witness = (long) ID.compareAndExchange(this, 0L, fresh);
        return witness == 0 ? fresh : witness;
    }

    /** A snapshot for reports; takes a stack trace, so not for hot paths. */
    public TaskInfo info() {
        Thread t = thread;
        StackTraceElement[] trace = t == null ? new StackTraceElement[0] : t.getStackTrace();
        List<StackTraceElement> stack = Arrays.asList(trace).subList(0, Math.min(8, trace.length));
        long now = System.nanoTime();
        long lastRun = lastRunNanos;
        long spawned = spawnedNanos;
        return new TaskInfo(id(), name(), spawned == 0 ? Duration.ZERO : Duration.ofNanos(Math.max(0, now - spawned)), stack,
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
}
