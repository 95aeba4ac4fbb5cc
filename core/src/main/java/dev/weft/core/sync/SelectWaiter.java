package dev.weft.core.sync;

import dev.weft.core.spi.Parking;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The one-shot decision cell of a parked operation: a {@link Select}, or a single
 * {@code send}/{@code receive}/{@code acquire} (which is a select of one clause).
 *
 * <p>Whoever wants to complete a waiting operation (a channel offering a value, a sender freeing
 * capacity, a timer firing, a task completing) must first win {@link #tryWin(int, Object)}; only
 * the party that wins may transfer anything. A losing party leaves its value where it was, so a
 * select never takes a message in a branch that did not win. The waiting thread itself competes
 * through the same compare-and-set when it gives up (interrupt or deadline): if it loses, the
 * operation completed first and the result stands.
 *
 * <p>This class is the protocol between {@link Select} and the {@link SelectClause}s that other
 * Weft modules implement (timers, task completion); applications never need it.
 *
 * <p><b>Memory consistency:</b> actions of the winning party before {@code tryWin} happen-before
 * the waiting thread's return from the operation.
 *
 * <p>Example (a clause that completes at once, as a "default" branch would):
 * {@snippet :
 * SelectClause<String> always = (waiter, index) -> {
 *     waiter.tryWin(index, "now");
 *     return SelectClause.Registration.NONE;
 * };
 * }
 */
public final class SelectWaiter {
    /** Outcome of {@link #awaitOutcome}: the wait stopped because the thread was interrupted. */
    static final Object INTERRUPTED = new Marker("INTERRUPTED");
    /** Outcome of {@link #awaitOutcome}: the wait stopped because the deadline passed. */
    static final Object TIMED_OUT = new Marker("TIMED_OUT");
    /** State of a waiter that gave up; nobody can win it any more. */
    private static final Object CANCELLED = new Marker("CANCELLED");

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(SelectWaiter.class, "state", Object.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread thread;
    /**
     * The earliest time, on {@link Parking#nanoTime()}'s clock, at which a clause's timer decides
     * this waiter ({@code Long.MAX_VALUE}: none); the waiting thread's own field (see {@link #timerAt}).
     */
    private long timerDeadline = Long.MAX_VALUE;
    /** How many clauses the select registers (0: a single operation, not a select); the waiting thread's. */
    private int clauses;
    /** How many of them wait only for time ({@link #timerAt}) or for tasks ({@link #waitsForTasksOf}). */
    private int quietClauses;
    /** The runtime whose tasks completion clauses wait for, or {@link #MIXED}; null: none. */
    private Object tasksOf;
    private static final Object MIXED = new Marker("MIXED");
    /** {@code null} while waiting, then a {@link Won} or {@link #CANCELLED}, never changed again. */
    @SuppressWarnings("unused") // accessed through STATE
    private volatile Object state;

    /** A waiter owned by the calling thread. */
    SelectWaiter() {
        this.thread = Thread.currentThread();
    }

    /** The thread that waits; the winner of {@link #tryWin} unparks it. */
    public Thread thread() {
        return thread;
    }

    /**
     * Tries to decide this waiter in favour of clause {@code clauseIndex} with {@code value}, and
     * wakes the waiting thread if that succeeded. Never parks.
     *
     * @param clauseIndex the index the clause was registered with
     * @param value       what the clause hands to the waiter (a received value, or a marker the
     *                    clause itself understands in {@link SelectClause#complete(Object)}); may be null
     * @return {@code true} if this call decided the waiter: the caller must now perform its side of
     *     the operation (e.g. remove the value it offered); {@code false} if another clause won
     *     already or the waiter gave up: the caller must not transfer anything
     */
    public boolean tryWin(int clauseIndex, Object value) {
        if (state == null && STATE.compareAndSet(this, null, new Won(clauseIndex, value))) {
            if (thread != Thread.currentThread()) {
                Parking.unpark(thread);
            }
            return true;
        }
        return false;
    }

    /**
     * Tells the waiter that a clause's timer will decide it at {@code deadlineNanos} on the
     * runtime's clock (the clock of {@link Parking#nanoTime()}) unless another clause wins first,
     * so that the waiting thread parks with that time limit rather than without one: a test
     * clock's auto-advance then sees a task that waits only for time, and moves time to the
     * timer. Only a hint: the timer must still {@link #tryWin} the waiter itself. Call it from
     * {@link SelectClause#register}, in the selecting thread (calls from other threads are
     * ignored); never parks.
     *
     * @param deadlineNanos when the timer fires
     */
    public void timerAt(long deadlineNanos) {
        if (thread == Thread.currentThread()) {
            quietClauses++;
            if (deadlineNanos < timerDeadline) {
                timerDeadline = deadlineNanos;
            }
        }
    }

    /**
     * Tells the waiter that a clause waits for the end of tasks of {@code runtime} (a fork, a join
     * set's tasks, a task): a select whose clauses all wait for such tasks or for timers then
     * waits as {@code Task.join} does, so a test clock's auto-advance may still move time for the
     * tasks waited for. Only a hint; call it from {@link SelectClause#register}, in the selecting
     * thread (calls from other threads are ignored); never parks.
     *
     * @param runtime the runtime the awaited tasks run in
     */
    public void waitsForTasksOf(dev.weft.core.WeftRuntime runtime) {
        if (thread == Thread.currentThread()) {
            quietClauses++;
            tasksOf = tasksOf == null || tasksOf == runtime ? runtime : MIXED;
        }
    }

    /** Called by {@link Select} before it registers its {@code n} clauses. */
    void expectClauses(int n) {
        clauses = n;
    }

    /**
     * The runtime whose tasks this select waits for, if every clause waits only for them or for
     * time; else null.
     */
    private dev.weft.core.WeftRuntime waitsOnlyForTasksOf() {
        return quietClauses == clauses && tasksOf instanceof dev.weft.core.WeftRuntime rt ? rt : null;
    }

    /** Whether some clause won or the waiter gave up; once true it stays true. */
    public boolean isDecided() {
        return state != null;
    }

    /** Gives up: returns true if nobody had won yet (and now nobody can). */
    boolean tryCancel() {
        return state == null && STATE.compareAndSet(this, null, CANCELLED);
    }

    /** The winning clause and its value, or null if not (yet) won. */
    Won won() {
        return state instanceof Won w ? w : null;
    }

    /**
     * Parks until the waiter is decided, the thread is interrupted, or the deadline passes. Does not
     * cancel: on {@link #INTERRUPTED} (interrupt status cleared) or {@link #TIMED_OUT} the caller
     * decides, usually with {@link #tryCancel()}.
     *
     * @return a {@link Won}, {@link #INTERRUPTED} or {@link #TIMED_OUT}
     */
    Object awaitOutcome(boolean timed, long deadline) {
        for (;;) {
            Object s = state;
            if (s instanceof Won) {
                return s;
            }
            if (Thread.interrupted()) {
                return INTERRUPTED;
            }
            if (timed) {
                long remaining = deadline - Parking.nanoTime();
                if (remaining <= 0) {
                    return TIMED_OUT;
                }
                Parking.parkNanos(this, remaining);
            } else {
                // Timed until a clause's timer, so that a test clock sees a wait for time (see
                // timerAt); that timer decides the waiter itself, so after its time a plain park.
                long toTimer = timerDeadline == Long.MAX_VALUE ? 0 : timerDeadline - Parking.nanoTime();
                if (toTimer > 0) {
                    Parking.parkNanos(this, toTimer);   // counted as a wait for time
                } else {
                    parkCounted();
                }
            }
        }
    }

    /**
     * Parks with no time limit, counted as a wait for other tasks if that is all this select
     * waits for (see {@link #waitsForTasksOf}); a timed park is counted as a wait for time instead,
     * and counting one wait twice would let a test clock move while another task waits on I/O.
     */
    private void parkCounted() {
        dev.weft.core.WeftRuntime rt = waitsOnlyForTasksOf();
        boolean internal = rt != null && dev.weft.core.spi.RuntimeAccess.beginInternalWait(rt);
        try {
            Parking.park(this);
        } finally {
            if (internal) {
                dev.weft.core.spi.RuntimeAccess.endInternalWait(rt);
            }
        }
    }

    /**
     * Parks until decided; on interrupt or deadline tries to cancel. If cancelling loses (the
     * operation completed first) the result is returned and the interrupt status is restored.
     *
     * @return the winning clause, or null if the deadline passed and the waiter is now cancelled
     * @throws InterruptedException if interrupted and the waiter is now cancelled
     */
    Won await(boolean timed, long deadline) throws InterruptedException {
        Object outcome = awaitOutcome(timed, deadline);
        if (outcome instanceof Won w) {
            return w;
        }
        if (tryCancel()) {
            if (outcome == INTERRUPTED) {
                throw new InterruptedException();
            }
            return null;
        }
        if (outcome == INTERRUPTED) {
            Thread.currentThread().interrupt();
        }
        return won();
    }

    /** The decision: clause {@code index} won and handed over {@code value}. */
    record Won(int index, Object value) {}

    /** A named marker object (never equal to a user value). */
    record Marker(String name) {
        @Override
        public String toString() {
            return name;
        }
    }
}
