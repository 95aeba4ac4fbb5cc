package dev.weft.timers.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The state of one armed timeout: the timer interrupts {@link #thread} unless the body finished
 * first. A CAS decides the race, as in the JDK's {@code FutureTask}: the loser never acts, so a
 * timer that fires after the body completed leaves no stray interrupt.
 *
 * <pre>
 *   RUNNING --timer--> INTERRUPTING --(interrupt sent)--> FIRED
 *   RUNNING --body ended--> DONE
 * </pre>
 */
public final class TimeoutScope implements Runnable {
    private static final int RUNNING = 0, INTERRUPTING = 1, FIRED = 2, DONE = 3;

    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private final Thread thread;

    public TimeoutScope(Thread thread) {
        this.thread = thread;
    }

    public Thread thread() {
        return thread;
    }

    /** The timer's action (runs on a carrier thread; never blocks). */
    @Override
    public void run() {
        if (state.compareAndSet(RUNNING, INTERRUPTING)) {
            thread.interrupt();
            state.set(FIRED);
        }
    }

    /** Whether the timer fired (its interrupt may still be on the way). */
    public boolean fired() {
        int s = state.get();
        return s == INTERRUPTING || s == FIRED;
    }

    /**
     * Called by the owner thread when the body has ended: closes the race with the timer.
     *
     * @return {@code true} if the timer fired first (its interrupt has then been delivered)
     */
    public boolean finish() {
        if (state.compareAndSet(RUNNING, DONE)) {
            return false;
        }
        while (state.get() == INTERRUPTING) {
            Thread.onSpinWait();
        }
        return true;
    }
}
