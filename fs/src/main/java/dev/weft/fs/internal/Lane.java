package dev.weft.fs.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;

/**
 * How much carrier time the {@link NoWait} calls of one carrier may take between two I/O passes
 * of its loop, and who waits for the next pass.
 *
 * <p>A read served from the page cache never parks, so tasks reading cached files back to back
 * would keep their carrier from its sockets and timers for as long as they run, and a task woken
 * by a socket would queue behind all of them. The lane bounds that work to about
 * {@value #DEFAULT_NANOS} ns per pass (or what the runtime chose: {@code Fs.setCarrierTimePerPass}),
 * counted from the first call after the pass, so the task's own work between calls counts too.
 * A task that finds it spent joins a FIFO of waiters and parks. While anyone waits, a task of the
 * loop ({@code execute}) is pending; the loop runs it in its next turn, after that turn's I/O, and
 * it opens the lane again and lets the oldest waiter in, who asks for the next one if others
 * still wait (from the task side, so one pass admits one waiter). Per pass the carrier thus runs
 * what I/O woke plus one lane of cached file work, however many tasks read files.
 *
 * <p>Confined to the carrier's thread: the tasks mounted on it (one at a time) and the loop's
 * task ({@link #passed}). No synchronisation.
 */
final class Lane {
    /** Carrier time per I/O pass for cached file work, from the first call after the pass, unless the runtime chose another. */
    static final long DEFAULT_NANOS = 50_000;

    /**
     * Carrier time per pass while the carrier serves sockets: the lane shrinks to this (or the
     * runtime's own budget, if smaller) for {@value #SOCKET_PASSES} passes after one whose I/O
     * woke a task, since a socket's request and answer take a few passes of their loop each.
     */
    static final long SOCKET_NANOS = 10_000;
    static final int SOCKET_PASSES = 8;

    private final Executor loop;
    private final Gate gate;
    /** True in a pass whose I/O woke a task (read on the loop's thread only); null: never. */
    private final java.util.function.BooleanSupplier ioWoke;
    /** Passes left with the socket budget. */
    private int socketPasses;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** When the first call after the last pass entered; 0 while the lane is fresh. */
    private long openedAt;
    private boolean passPending;
    /** The waiter let in by the last pass: it keeps the lane while there is room, though others wait. */
    private Thread holder;

    private static final class Waiter {
        final Thread thread = Thread.currentThread();
        boolean admitted;
    }

    Lane(Executor loop, Gate gate, java.util.function.BooleanSupplier ioWoke) {
        this.loop = loop;
        this.gate = gate;
        this.ioWoke = ioWoke;
    }

    /**
     * Called by a task before a {@link NoWait} call: returns at once while the lane has room,
     * else parks until the loop's next I/O pass lets this task in (FIFO).
     *
     * @return whether the caller may make the call; false if it is interrupted (it then takes the
     *         request or pool path, which reports the cancellation as documented), if the runtime
     *         gives carrier-side calls no time, or if the loop is shutting down
     */
    boolean enter() {
        long budget = gate.carrierNanosPerPass;
        if (budget == 0) {
            return false;
        }
        Thread me = Thread.currentThread();
        if (waiters.isEmpty() || holder == me) {
            long now = System.nanoTime();
            if (openedAt == 0) {
                openedAt = now;
                return true;
            }
            if (now - openedAt < (socketPasses > 0 ? Math.min(budget, SOCKET_NANOS) : budget)) {
                return true;
            }
        }
        if (me.isInterrupted()) {
            return false;
        }
        Waiter w = new Waiter();
        waiters.addLast(w);
        if (!passPending && !requestPass()) {
            return false;
        }
        while (!w.admitted) {
            LockSupport.park(this);
            if (!w.admitted && me.isInterrupted()) {
                waiters.remove(w);
                return false;
            }
        }
        if (!waiters.isEmpty() && !passPending) {
            requestPass();   // the next waiter's turn comes with the next pass
        }
        return true;
    }

    /** On the loop, in its turn after the I/O: opens the lane and lets the oldest waiter in. */
    private void passed() {
        passPending = false;
        if (ioWoke != null && ioWoke.getAsBoolean()) {
            socketPasses = SOCKET_PASSES;
        } else if (socketPasses > 0) {
            socketPasses--;
        }
        openedAt = 0;
        Waiter next = waiters.pollFirst();
        holder = next == null ? null : next.thread;
        if (next != null) {
            next.admitted = true;
            LockSupport.unpark(next.thread);
        }
    }

    /** False if the loop no longer takes tasks: then every waiter is let in (the carrier is stopping). */
    private boolean requestPass() {
        passPending = true;
        try {
            loop.execute(this::passed);
            return true;
        } catch (RejectedExecutionException stopping) {
            passPending = false;
            Waiter w;
            while ((w = waiters.pollFirst()) != null) {
                w.admitted = true;
                LockSupport.unpark(w.thread);
            }
            return false;
        }
    }
}
