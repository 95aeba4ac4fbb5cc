package dev.weft.structured.internal;

import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.Parking;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.core.spi.TimerHandle;
import dev.weft.structured.DeadlineExceededException;
import dev.weft.structured.Fork;
import dev.weft.structured.ForkFailedException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.StructureViolationException;
import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Joiner;
import java.util.concurrent.StructuredTaskScope.Subtask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The one implementation behind {@code Scope}, {@code JoinSet} and the {@code Structured} verbs:
 * a JDK {@link StructuredTaskScope} (preview in JDK 25, so it never leaves this class) whose
 * thread factory makes every fork a Weft task, plus Weft's own bookkeeping.
 *
 * <h2>Implementation overview</h2>
 * The JDK scope gives structure (forks are confined to the owner's block, {@code close} waits for
 * every thread, the thread dump shows the scope as a thread container named after it) and owner
 * checks. Everything else is decided here, because the JDK 25 API cannot cancel a scope from
 * outside a joiner and its timeout uses the common pool's wall clock:
 * <ul>
 *   <li>Each fork's body ({@link ForkImpl#call()}) never throws: it records its outcome, then calls
 *       {@link #forkDone}, which applies the {@linkplain Policy policy} and may cancel the scope.
 *       The joiner's {@code onComplete} then answers "cancel" to the JDK scope once this scope is
 *       cancelled, so the JDK's {@code join} wakes.</li>
 *   <li>Cancelling ({@link #tryCancel}) is a single compare-and-set of {@link #reason}; the winner
 *       interrupts every live fork (interruption is cancellation in Weft) and cancels child
 *       scopes. It may run in any thread: a fork, a timer on a carrier, another task.</li>
 *   <li>Cancellation is sticky: each fork's task carries its {@link ForkImpl} as core's
 *       {@code CancellationSource}, which core's {@code Parking} asks right before it parks; a fork
 *       of a cancelled scope ({@link #cancels}) is then re-interrupted instead of parked, so a fork
 *       that swallowed the first interrupt still fails fast at its next wait. Nothing is added to
 *       a path that does not park.</li>
 *   <li>Daemon forks: when the owner joins and the last user fork has ended, the scope is
 *       cancelled with reason {@code DONE}, which interrupts only the daemons (and cancels the
 *       scopes they opened).</li>
 *   <li>Nested scopes: a scope opened in a fork records that fork ({@link #ownerFork}); whatever
 *       cancels the fork (its scope's cancellation for a reason that applies to it, a won race
 *       for a loser, {@link ForkImpl#cancel()}) cancels that scope too, also when it is opened
 *       after the fork was cancelled, so a fork that swallowed its interrupt and joins a nested
 *       scope still ends promptly. An enclosing cancellation that finds a scope already ended
 *       ({@code DONE}, {@code WON}, {@code FAILED}) still goes on to the scopes its owner opened
 *       inside it ({@link #cancelFromEnclosing}).</li>
 *   <li>Deadlines: {@code min(own, enclosing scope's)}, armed on the carrier's timer wheel
 *       ({@link RuntimeAccess#schedule}) so they follow the runtime's (test) clock.</li>
 * </ul>
 *
 * <table class="striped">
 *   <caption>Cancellation reasons and what join throws</caption>
 *   <tr><th>reason</th><th>set by</th><th>join</th></tr>
 *   <tr><td>DONE</td><td>last user fork after join started</td><td>returns (WAIT_ALL: first failure)</td></tr>
 *   <tr><td>FAILED</td><td>first failure (FAIL_FAST)</td><td>ForkFailedException</td></tr>
 *   <tr><td>WON</td><td>first success (RACE)</td><td>returns</td></tr>
 *   <tr><td>CANCELLED</td><td>cancel(), owner interrupted, close before join</td><td>CancellationException</td></tr>
 *   <tr><td>TIMED_OUT</td><td>deadline timer</td><td>DeadlineExceededException</td></tr>
 * </table>
 */
public final class ScopeCore {
    /** The innermost open scope the current thread owns. */
    private static final ThreadLocal<ScopeCore> OWNED = new ThreadLocal<>();

    /** What a scope does when a fork ends. */
    public enum Policy {
        /** A failure of any fork cancels the scope; join throws it (Ox's supervised, JDK's default). */
        FAIL_FAST,
        /** Failures are recorded; join waits for all and throws the first (Tokio's join!). */
        WAIT_ALL,
        /** The first success cancels the others; join fails only if all failed. */
        RACE,
        /** Nothing is cancelled on completion (JoinSet). */
        COLLECT
    }

    private static final int NONE = 0, DONE = 1, FAILED = 2, WON = 3, CANCELLED = 4, TIMED_OUT = 5;
    private static final int OPEN = 0, JOINED = 1, CLOSED = 2;
    /** A virtual-thread owner yields after this many forks (a power of two). */
    private static final int YIELD_EVERY = 64;

    private final String name;
    private final Policy policy;
    private final WeftRuntime runtime;
    private final Thread owner;
    private final ScopeCore parent;
    /** The fork of {@code parent} whose thread opened this scope, or null. */
    private final ForkImpl<?> ownerFork;
    private final ScopeCore previouslyOwned;
    private final long deadline;
    private final Consumer<ForkImpl<?>> onForkDone;
    private StructuredTaskScope<Object, Void> sts;
    private TimerHandle timer;

    /**
     * Every fork that may still run, for cancellation to interrupt. Not a concurrent set: a fork
     * would then pay a hash insert and remove (plus the table's resizes as a scope grows to
     * thousands of forks), which was the largest cost this module added to a fork. Only the owner
     * appends; a done fork is simply skipped and dropped at the next compaction.
     */
    private volatile ForkList forks = new ForkList(8);
    /** Default fork names, shared with every scope of the same name. */
    private final ForkNames forkNames;
    private final Set<ScopeCore> children = ConcurrentHashMap.newKeySet();
    /**
     * User forks forked and not rejected (owner only: a plain count, read by forks only once
     * {@link #joining} is set, after the last fork).
     */
    private int userForked;
    /**
     * User forks that ended. Live user forks are {@code userForked - userEnded.get()}: counting
     * the starts on the owner's side costs a fork no atomic there.
     */
    private final AtomicInteger userEnded = new AtomicInteger();
    private final AtomicInteger reason = new AtomicInteger(NONE);
    private final ConcurrentLinkedQueue<ForkImpl<?>> failures = new ConcurrentLinkedQueue<>();
    /** Set when {@link #join()} returned normally (owner only): failures recorded later are daemons' (see {@link #close()}). */
    private boolean joinedNormally;
    /**
     * Set when {@link #join()} threw this scope's failure (owner only): the owner has been told, so
     * the scopes it opens from then on (to recover) are not cancelled by that failure.
     */
    private boolean failureReported;
    /**
     * {@code CANCELLED} or {@code TIMED_OUT} once an enclosing scope's cancellation reached this
     * scope after it had ended for a reason that leaves its owner's scopes running ({@code DONE},
     * {@code WON}, {@code FAILED}); see {@link #cancelFromEnclosing}. This scope's own outcome stays.
     */
    private final AtomicInteger lateReason = new AtomicInteger(NONE);
    /** The race's winner: set once, by the fork whose success cancelled the scope ({@code WON}). */
    private volatile ForkImpl<?> winner;
    private volatile boolean joining;
    /**
     * The thread of the user fork that last ended (written before it counts itself into
     * {@code userEnded}, so an owner that then reads no live user fork sees it): {@link #spinBeforeJoin}
     * waits for it to finish exiting.
     */
    private Thread lastEndedFork;

    // Owner-thread state.
    private volatile int state = OPEN;
    private boolean stsJoinStarted;
    private ForkImpl<?> pendingFork;
    /** Forks started (a long: a join set may outlive {@code Integer.MAX_VALUE} tasks). */
    private long forkCount;
    private boolean daemonForked;

    private ScopeCore(String name, Policy policy, WeftRuntime runtime, ScopeCore parent, ForkImpl<?> ownerFork, long deadline,
                      Consumer<ForkImpl<?>> onForkDone) {
        this.ownerFork = ownerFork;
        this.name = name;
        this.policy = policy;
        this.runtime = runtime;
        this.owner = Thread.currentThread();
        this.parent = parent;
        this.previouslyOwned = OWNED.get();
        this.deadline = deadline;
        this.onForkDone = onForkDone;
        this.forkNames = ForkNames.of(name);
    }

    /**
     * An append-only array of forks with a published size. The owner writes slot {@code size}
     * and then the volatile {@code size}; any thread reads {@code size} and then the slots below
     * it, so it sees every fork appended before. A full list is replaced, never mutated again.
     */
    private static final class ForkList {
        final ForkImpl<?>[] items;
        volatile int size;

        ForkList(int capacity) {
            items = new ForkImpl<?>[capacity];
        }
    }

    /** Owner only: makes {@code f} visible to cancellation. */
    private void track(ForkImpl<?> f) {
        ForkList l = forks;
        int n = l.size;
        if (n == l.items.length) {
            l = compact(l, n);
            n = l.size;
        }
        l.items[n] = f;
        l.size = n + 1;
    }

    /**
     * Owner only: a new list with the forks of {@code l} that have not ended, at least half free,
     * and three quarters while it is small (so appends stay amortised O(1), a scope whose owner
     * yields every {@value #YIELD_EVERY} forks compacts once per few hundred forks rather than
     * per {@value #YIELD_EVERY}, and a long-lived JoinSet does not keep ended forks).
     */
    private ForkList compact(ForkList l, int n) {
        int running = 0;
        for (int i = 0; i < n; i++) {
            if (!l.items[i].isDone()) {
                running++;
            }
        }
        int capacity = l.items.length;
        while (capacity < running * 2 || (capacity < running * 4 && capacity <= 1024)) {
            capacity *= 2;
        }
        ForkList m = new ForkList(capacity);
        int k = 0;
        for (int i = 0; i < n; i++) {
            ForkImpl<?> f = l.items[i];
            if (!f.isDone()) {
                m.items[k++] = f;
            }
        }
        m.size = k;
        // Publish before the caller appends: a canceller that reads the old list after this
        // write would miss the new fork, but then the owner's isCancelled() check after the
        // append sees the cancellation (both sides write, then read, volatiles).
        forks = m;
        return m;
    }

    /**
     * Opens a scope owned by the calling thread.
     *
     * @param timeout    the scope's own time limit, or null for none (an enclosing deadline still applies)
     * @param onForkDone called in each fork's thread after it ended, or null
     */
    public static ScopeCore open(String name, Policy policy, Duration timeout, Consumer<ForkImpl<?>> onForkDone) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("name must not be blank, was '" + name + "'");
        }
        WeftRuntime rt = runtimeHere();
        ScopeCore parent = OWNED.get();
        ForkImpl<?> ownerFork = null;
        if (parent == null && RuntimeAccess.currentCancellationSource() instanceof ForkImpl<?> fork) {
            parent = fork.scope(); // a scope opened in a fork nests in the fork's scope
            ownerFork = fork;
        }
        long now = RuntimeAccess.nanoTime(rt);
        long dl = Long.MAX_VALUE;
        if (timeout != null) {
            long nanos;
            try {
                nanos = Math.max(0, timeout.toNanos());
            } catch (ArithmeticException e) {
                nanos = timeout.isNegative() ? 0 : Long.MAX_VALUE;
            }
            dl = now + nanos < now ? Long.MAX_VALUE : now + nanos;
        }
        if (parent != null) {
            dl = Math.min(dl, parent.deadline);
        }
        ScopeCore s = new ScopeCore(name, policy, rt, parent, ownerFork, dl, onForkDone);
        if (parent == null) {
            settleBindings(); // a scope nested in another one finds them settled by it
        }
        s.sts = StructuredTaskScope.open(new WeftJoiner(s),
                cf -> cf.withThreadFactory(s::newThread).withName(name));
        OWNED.set(s);
        if (parent != null) {
            // Add, then read the parent's reasons; a canceller sets them, then reads the children.
            parent.children.add(s);
            if (ownerFork != null) {
                if (ownerFork.cancellationRequested()) {
                    s.tryCancel(parent.reason.get() == TIMED_OUT ? TIMED_OUT : CANCELLED);
                }
            } else {
                int r = parent.reasonForOwnersNewScope();
                if (r != NONE) {
                    s.tryCancel(r);
                }
            }
        }
        if (dl != Long.MAX_VALUE && !s.isCancelled()) {
            if (dl <= now) {
                s.deadlinePassed();
            } else {
                try {
                    s.timer = RuntimeAccess.schedule(rt, dl, s::deadlinePassed);
                } catch (RejectedExecutionException e) {
                    s.close();
                    throw e;
                }
            }
        }
        return s;
    }

    /**
     * The deadline has passed (the timer's carrier, or the opening thread). A deadline inherited
     * from the enclosing scope is that scope's too, whose own timer may fire a moment later, on
     * another carrier: it is timed out first, so that the fork this scope's deadline exception
     * ends finds its scope timed out, and that scope's join reports its deadline, not the fork's
     * failure.
     */
    private void deadlinePassed() {
        if (parent != null && parent.deadline == deadline) {
            parent.deadlinePassed();
        }
        tryCancel(TIMED_OUT);
    }

    /** Bound only by {@link #settleBindings()}. */
    private static final ScopedValue<Boolean> SETTLE = ScopedValue.newInstance();
    private static final Runnable NOTHING = () -> { };

    /**
     * Works around the JDK 25 scope's check that a fork is started with the bindings its scope was
     * opened with. A thread that never bound a scoped value holds a marker instead of bindings,
     * which the JDK's scope captures at open as they are; the end of any binding (a
     * {@code TaskLocal.where(...).run} the owner made and left after opening the scope) leaves the
     * empty bindings in the marker's place, which the check takes for a binding made since: every
     * later fork would throw StructureViolationException. An empty binding run here replaces the
     * marker first. Forks need none of this: the scope starts them with its captured bindings.
     */
    private static void settleBindings() {
        ScopedValue.where(SETTLE, Boolean.TRUE).run(NOTHING);
    }

    private static WeftRuntime runtimeHere() {
        try {
            return WeftRuntime.current();
        } catch (IllegalStateException outside) {
            return WeftRuntime.shared();
        }
    }

    private Thread newThread(Runnable r) {
        ForkImpl<?> f = pendingFork;
        Thread t = RuntimeAccess.newTaskThread(runtime, f.name(), r, f);
        f.setThread(t);
        return t;
    }

    /** The JDK joiner: cancels the JDK scope once this scope is cancelled. */
    private record WeftJoiner(ScopeCore core) implements Joiner<Object, Void> {
        @Override
        public boolean onComplete(Subtask<?> subtask) {
            return core.isCancelled();
        }

        @Override
        public Void result() {
            return null;
        }
    }

    public String name() {
        return name;
    }

    /** The runtime the forks run on. */
    public WeftRuntime runtime() {
        return runtime;
    }

    /** Whether the scope was cancelled for any reason (including "user forks done"). */
    public boolean isCancelled() {
        return reason.get() != NONE;
    }

    /**
     * Whether the scope's cancellation applies to a fork of this kind: any reason for a daemon,
     * any but {@code DONE} (the user forks have ended) for a user fork; as {@link #tryCancel}
     * interrupts them. Sticky cancellation asks this before each park of a fork.
     */
    boolean cancels(boolean daemon) {
        int r = reason.get();
        return r != NONE && (r != DONE || daemon);
    }

    /** Whether the scope was cancelled by {@link #cancel()}, an enclosing scope, a failure or its deadline. */
    public boolean isCancelledAbnormally() {
        int r = reason.get();
        return r == FAILED || r == CANCELLED || r == TIMED_OUT;
    }

    /** Time left before the deadline, or null if the scope has none. */
    public Duration remaining() {
        if (deadline == Long.MAX_VALUE) {
            return null;
        }
        return Duration.ofNanos(Math.max(0, deadline - RuntimeAccess.nanoTime(runtime)));
    }

    private void checkOwner(String what) {
        if (Thread.currentThread() != owner) {
            throw new WrongThreadException("scope '" + name + "' is owned by thread " + describe(owner)
                    + ", not " + describe(Thread.currentThread()) + "; only its owner may " + what
                    + " (open a scope in this thread instead)");
        }
    }

    /** A thread as errors name it: tasks and virtual threads are often unnamed, so with its id. */
    private static String describe(Thread t) {
        String n = t.getName();
        return n.isEmpty() ? "#" + t.threadId() : "'" + n + "' (#" + t.threadId() + ")";
    }

    private void checkOpen(String what) {
        if (state == CLOSED) {
            throw new IllegalStateException("scope '" + name + "' is closed; cannot " + what);
        }
    }

    /**
     * Forks {@code body} as a Weft task of this scope (owner thread only).
     *
     * @param forkName the fork's name, or null for {@code <scope>-<n>}
     */
    public <T> ForkImpl<T> fork(String forkName, Callable<? extends T> body, boolean daemon) {
        Objects.requireNonNull(body, "body");
        checkOwner("fork");
        checkOpen("fork");
        if (state != OPEN) {
            throw new IllegalStateException("scope '" + name + "' was already joined; fork before join");
        }
        long n = forkCount++;
        ForkImpl<T> f = new ForkImpl<>(this, forkName != null ? forkName : forkNames.name(n), daemon, body);
        if (!daemon) {
            userForked++;
        } else {
            daemonForked = true;
        }
        // Track, then check: a concurrent tryCancel either sees this fork or is seen here.
        track(f);
        if (isCancelled()) {
            f.finishNotStarted();
            return f;
        }
        pendingFork = f;
        try {
            sts.fork((Callable<Object>) f);
        } catch (StructureViolationException e) {
            // The JDK starts forks with the bindings the scope was opened with, so it refuses a
            // fork inside a binding made since. Its exception is a preview type, which callers
            // compiled without preview cannot name: report the misuse as the API documents it.
            f.finishRejected();
            throw new IllegalStateException("scope '" + name + "' cannot fork inside a TaskLocal or ScopedValue "
                    + "binding made after it was opened (its forks see the bindings it was opened with): "
                    + "open the scope inside the binding", e);
        } catch (RuntimeException | Error e) {
            // The caller gets the exception, never this fork: it must leave no trace (a JoinSet
            // would otherwise receive a result for a task nobody was handed).
            f.finishRejected();
            throw e;
        } finally {
            pendingFork = null;
        }
        if (isCancelled() && !started(f)) {
            // The JDK scope was cancelled concurrently and did not start the thread. It is only
            // ever cancelled after this scope was (the joiner asks isCancelled), so a fork of a
            // scope not cancelled needs no look at its thread's state (a large method, per fork).
            f.finishNotStarted();
        } else if ((n & (YIELD_EVERY - 1)) == YIELD_EVERY - 1 && owner.isVirtual()) {
            // A task's forks are queued on its own carrier and wait until the owner parks. Let
            // them run every YIELD_EVERY forks, so a scope with thousands of forks keeps only a
            // few dozen alive (their threads, stacks and the JDK scope's thread set stay small
            // and in cache) instead of all of them at once.
            Thread.yield();
        }
        return f;
    }

    /** Whether the JDK scope started {@code f}'s thread (owner only, right after the JDK's fork). */
    private static boolean started(ForkImpl<?> f) {
        Thread t = f.thread;
        return t == null ? f.isDone() : t.getState() != Thread.State.NEW;
    }

    /**
     * Called by a failing fork before its outcome is published, so that once every fork
     * {@linkplain ForkImpl#isDone() is done} every failure is here for {@link #outcomeException}.
     */
    void recordFailure(ForkImpl<?> f) {
        if (policy == Policy.COLLECT) {
            return; // JoinSet reports failures through joinNext; never read here
        }
        failures.add(f);
    }

    /** Called by a fork whose start was rejected: undoes its count, reports it to nobody. */
    void forkRejected(ForkImpl<?> f) {
        if (!f.daemon) {
            userForked--;   // the owner's thread: rejected in fork
        }
    }

    /**
     * Called by each fork, in its thread, right after its outcome was recorded (a release store).
     *
     * @return whether this made a full fence after that store (a user fork's atomic count): the
     *         fork relies on one before it looks for select waiters
     */
    boolean forkDone(ForkImpl<?> f) {
        switch (f.state()) {
            case FAILED -> {
                if (policy == Policy.FAIL_FAST) {
                    tryCancel(FAILED);
                }
            }
            case SUCCEEDED -> {
                if (policy == Policy.RACE && !f.daemon) {
                    // The win is the cancellation's compare-and-set: a deadline or cancel that
                    // came first leaves no winner, and one that comes later cannot turn a win
                    // into a timeout.
                    tryCancel(WON, f);
                }
            }
            default -> { }
        }
        if (onForkDone != null) {
            onForkDone.accept(f);
        }
        if (!f.daemon) {
            lastEndedFork = Thread.currentThread();
            // Count, then read joining; the owner sets joining, then counts (join): one of the two
            // sees the other, so the last user fork to end after join started is never missed.
            int ended = userEnded.incrementAndGet();
            if (joining && ended == userForked) {
                tryCancel(DONE);
            }
            return true;
        }
        return false;
    }

    /** Whether every user fork has ended (owner only). */
    private boolean userForksEnded() {
        return userEnded.get() == userForked;
    }

    /**
     * How a scope that this scope's owner opens inside it now starts: cancelled ({@code CANCELLED},
     * {@code TIMED_OUT}) if this scope was cancelled, timed out, reached late by an enclosing
     * cancellation, or failed and the owner was not told yet; else {@code NONE} (the user forks
     * are done, or join has thrown the failure and the owner recovers, as with the JDK's scopes).
     */
    private int reasonForOwnersNewScope() {
        int late = lateReason.get();
        if (late != NONE) {
            return late;
        }
        int r = reason.get();
        return switch (r) {
            case CANCELLED, TIMED_OUT -> r;
            case FAILED -> failureReported ? NONE : CANCELLED;
            default -> NONE;
        };
    }

    /**
     * An enclosing scope's cancellation ({@code CANCELLED} or {@code TIMED_OUT}) reaching this one
     * (any thread). A scope that already ended otherwise keeps its outcome, but the cancellation
     * still goes on to the scopes that ending left running (those its owner opened after its
     * join), and to those its owner opens later.
     */
    private void cancelFromEnclosing(int r) {
        if (tryCancel(r)) {
            return;
        }
        int own = reason.get();
        if ((own == DONE || own == WON || own == FAILED) && lateReason.compareAndSet(NONE, r)) {
            for (ScopeCore c : children) {
                c.cancelFromEnclosing(r);
            }
        }
    }

    /** Cancels the scope (any thread): its forks are interrupted and child scopes cancelled. */
    public void cancel() {
        tryCancel(CANCELLED);
    }

    /** Cancels every live fork without cancelling the scope (JoinSet.cancelAll). */
    public void cancelForks() {
        ForkList l = forks;
        for (int i = 0, n = l.size; i < n; i++) {
            ForkImpl<?> f = l.items[i];
            if (!f.isDone()) {
                f.cancelQuietly();
            }
        }
    }

    private boolean tryCancel(int r) {
        return tryCancel(r, null);
    }

    /** @param won for {@code WON}, the fork that won (recorded only if this call cancels the scope) */
    private boolean tryCancel(int r, ForkImpl<?> won) {
        if (!reason.compareAndSet(NONE, r)) {
            return false;
        }
        if (won != null) {
            winner = won;
        }
        ForkList l = forks;
        for (int i = 0, n = l.size; i < n; i++) {
            ForkImpl<?> f = l.items[i];
            if (!f.isDone() && (r != DONE || f.daemon)) {
                f.interrupt();
            }
        }
        for (ScopeCore c : children) {
            ForkImpl<?> of = c.ownerFork;
            if ((r == DONE || r == WON) && (of == null || !cancels(of.daemon) || of == winner)) {
                // "Done" cancels only what daemons opened, "won" only what the losers opened; a
                // scope the owner opened inside this one is its own to end.
                continue;
            }
            c.cancelFromEnclosing(r == TIMED_OUT ? TIMED_OUT : CANCELLED);
        }
        return true;
    }

    /** Cancels the scopes opened by {@code f} (Fork.cancel). */
    void cancelChildrenOf(ForkImpl<?> f) {
        for (ScopeCore c : children) {
            if (c.ownerFork == f) {
                c.cancelFromEnclosing(CANCELLED);
            }
        }
    }

    /**
     * Spins, for at most {@link Parking#PLATFORM_SPIN_NANOS} and only on a platform thread, until
     * the user forks have ended and the thread of the last one has exited, so that the JDK's join
     * finds nothing to wait for: a platform thread that blocks there sleeps in the kernel until
     * the last fork's thread wakes it, which costs more than forks that return at once (a scope
     * of two such forks opened on the main thread ran at a third of raw
     * {@code StructuredTaskScope}'s speed, whose pool threads spin before they sleep). An
     * interrupt ends the spin at once; a cancellation or the scope's deadline is seen by the
     * JDK's join at most that long later.
     */
    private void spinBeforeJoin() {
        long left = Parking.spinBeforeTimedWait(this::userForksEnded, Parking.PLATFORM_SPIN_NANOS);
        if (!userForksEnded()) {
            return;
        }
        Thread last = lastEndedFork;   // read after userEnded: the last fork's write is visible
        if (last != null && last != Thread.currentThread()) {   // the owner: a fork that never started
            Parking.spinBeforeBlocking(() -> !last.isAlive(), left);
        }
    }

    /**
     * Waits for the user forks (owner only), then cancels the daemons, and reports the outcome.
     * Before it throws a failure, cancellation or deadline, it also waits for every fork to end,
     * so that forks failing in reaction to the cancellation are among the suppressed exceptions.
     *
     * @throws InterruptedException if the owner is interrupted; the scope is then cancelled (its
     *                              forks may still be running: {@link #close()} waits for them)
     */
    public void join() throws InterruptedException {
        checkOwner("join");
        checkOpen("join");
        if (state != OPEN) {
            throw new IllegalStateException("scope '" + name + "' was already joined");
        }
        state = JOINED;
        if (Thread.interrupted()) {
            tryCancel(CANCELLED);
            throw new InterruptedException();
        }
        joining = true;
        if (userForksEnded() && tryCancel(DONE)) {
            wakeJdkJoin();
        }
        stsJoinStarted = true;
        boolean internal = RuntimeAccess.beginInternalWait(runtime);
        try {
            spinBeforeJoin();   // a platform-thread owner only; tasks park at once
            sts.join();
            if (mayThrow()) {
                // The JDK's join wakes as soon as the scope is cancelled, while the other forks
                // are still reacting to their interrupt; one that then fails for real must still
                // be reported, so the exception is built only once all have ended.
                awaitAllForks();
            }
        } catch (InterruptedException e) {
            tryCancel(CANCELLED);
            throw e;
        } finally {
            if (internal) {
                RuntimeAccess.endInternalWait(runtime);
            }
        }
        RuntimeException ex = outcomeException();
        if (ex != null) {
            failureReported = reason.get() == FAILED;
            throw ex;
        }
        joinedNormally = true;
    }

    /**
     * Owner only, in join, once it found the user forks ended and cancelled the scope itself: the
     * JDK scope is cancelled only by a fork that completes after that ({@link WeftJoiner}), so a
     * daemon that is slow to end would keep the JDK's join waiting, though join must not wait for
     * the daemons. A fork that ends at once (the scope is cancelled, so it runs nothing) wakes it.
     */
    private void wakeJdkJoin() {
        if (!daemonForked) {
            return;
        }
        ForkList l = forks;
        boolean daemonRunning = false;
        for (int i = 0, n = l.size; i < n && !daemonRunning; i++) {
            daemonRunning = !l.items[i].isDone();   // only daemons are left
        }
        if (!daemonRunning) {
            return;
        }
        ForkImpl<Object> waker = new ForkImpl<>(this, name + "-join", true, () -> null);
        pendingFork = waker;
        try {
            sts.fork((Callable<Object>) waker);
        } catch (RuntimeException e) {
            // The runtime is closed: join then waits for the daemons, as close does.
        } finally {
            pendingFork = null;
        }
    }

    /** Whether {@link #outcomeException()} may build an exception (it surely does not on a win). */
    private boolean mayThrow() {
        int r = reason.get();
        return r != WON && (r != DONE || policy == Policy.RACE || !failures.isEmpty());
    }

    /** Owner only, after the JDK's join: parks until every fork of this scope has ended. */
    private void awaitAllForks() throws InterruptedException {
        // No fork is added any more (only the owner forks, and it is joining), so one pass suffices.
        ForkList l = forks;
        for (int i = 0, n = l.size; i < n; i++) {
            l.items[i].awaitDoneUncounted(); // join counts this wait already
        }
    }

    private RuntimeException outcomeException() {
        List<ForkImpl<?>> fails = new ArrayList<>(failures);
        RuntimeException ex = switch (reason.get()) {
            case TIMED_OUT -> new DeadlineExceededException(name);
            case CANCELLED -> new CancellationException("scope '" + name + "' was cancelled");
            case FAILED -> fails.removeFirst().failure();
            case WON -> null;
            default -> {
                if (policy == Policy.RACE) {
                    yield fails.isEmpty() ? new CancellationException("scope '" + name + "': no fork succeeded")
                            : fails.removeFirst().failure();
                }
                yield fails.isEmpty() ? null : fails.removeFirst().failure();
            }
        };
        return withSuppressed(ex, fails);
    }

    /** {@code ex} (may be null) with the failures of {@code others} suppressed by it. */
    private static RuntimeException withSuppressed(RuntimeException ex, List<ForkImpl<?>> others) {
        if (ex != null) {
            for (ForkImpl<?> f : others) {
                ex.addSuppressed(f.failure());
            }
        }
        return ex;
    }

    /**
     * After a {@link #join()} that returned normally (so no fork had failed then): the failures of
     * the daemon forks that failed while they were being cancelled, as the first one's exception with
     * the others suppressed; null if none did. A race's losers and a join set's tasks are reported
     * by their own API, not here.
     */
    private RuntimeException lateDaemonFailure() {
        if (!joinedNormally || policy != Policy.FAIL_FAST || failures.isEmpty()) {
            return null;
        }
        List<ForkImpl<?>> fails = new ArrayList<>(failures);
        return withSuppressed(fails.removeFirst().failure(), fails);
    }

    /** The first fork that succeeded (RACE), or null. */
    @SuppressWarnings("unchecked")
    public <T> Fork<T> winner() {
        ForkImpl<?> w = winner;
        if (w == null && reason.get() == WON) {
            // The winning fork sets the reason, then the winner, one statement later, with no park
            // in between: a loser that ended in that gap may have woken the owner's join first.
            while ((w = winner) == null) {
                Thread.onSpinWait();
            }
        }
        return (Fork<T>) w;
    }

    /** Whether {@link #close()} has run. */
    public boolean isClosed() {
        return state == CLOSED;
    }

    /**
     * Cancels what is left, waits for every fork to end, and closes (owner only; idempotent); then
     * throws {@link #lateDaemonFailure()}, if any.
     */
    public void close() {
        checkOwner("close");
        if (state == CLOSED) {
            return;
        }
        boolean interrupted = false;
        try {
            boolean internal = RuntimeAccess.beginInternalWait(runtime);
            try {
                if (!stsJoinStarted) {
                    tryCancel(CANCELLED);
                    stsJoinStarted = true;
                    try {
                        sts.join();
                    } catch (InterruptedException e) {
                        interrupted = true;
                    }
                }
                try {
                    sts.close();
                } catch (StructureViolationException e) {
                    // The JDK has closed the scopes opened inside this one as well; its exception
                    // is a preview type that callers compiled without preview cannot name.
                    throw new IllegalStateException("scope '" + name + "' was closed before scopes opened inside it"
                            + " (they were closed with it): close nested scopes first", e);
                }
            } finally {
                if (internal) {
                    RuntimeAccess.endInternalWait(runtime);
                }
            }
        } finally {
            state = CLOSED;
            if (timer != null) {
                timer.cancel();
            }
            popOwned();
            if (parent != null) {
                parent.children.remove(this);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        RuntimeException late = lateDaemonFailure();
        if (late != null) {
            throw late;
        }
    }

    /**
     * Takes this scope, and any scope opened inside it that is still open (closed out of order:
     * the JDK closed them with this one), off the calling thread's open scopes. A scope no longer
     * among them (closed after an enclosing one) changes nothing: putting back the scope that was
     * open before it would make a closed scope the enclosing scope of every scope the thread opens
     * later.
     */
    private void popOwned() {
        for (ScopeCore o = OWNED.get(); o != null; o = o.previouslyOwned) {
            if (o == this) {
                if (previouslyOwned == null) {
                    OWNED.remove();
                } else {
                    OWNED.set(previouslyOwned);
                }
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "Scope[" + name + "]";
    }
}
