package dev.weft.fs.internal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One file operation handed from a task to a blocking-pool thread, and the protocol that lets the
 * task walk away from it (cancellation) without the pool thread touching the caller's memory
 * afterwards.
 *
 * <h2>Implementation overview</h2>
 * The job touches memory the caller owns (its {@code byte[]}) only between {@link #enter()} and
 * {@link #exit()}, in short bounded copies (one chunk). A caller woken by an interrupt calls
 * {@link #abandon()}, which waits out a copy in progress (microseconds) and then marks the op
 * abandoned; from then on {@code enter()} fails, so the job stops at its next chunk and never
 * touches the caller's memory again. The job ends with {@link #finish()}; whichever of
 * {@code finish} and {@code abandon} comes first decides whether the caller sees the result.
 *
 * <pre>
 *   RUNNING --enter--> TOUCHING --exit--> RUNNING
 *   RUNNING --finish (job)--> FINISHED        (the caller gets the result)
 *   RUNNING --abandon (caller)--> ABANDONED   (the job stops at its next chunk; result dropped)
 * </pre>
 *
 * <p>Thread-safe: one job thread and one caller thread.
 */
public final class Op {
    private static final int RUNNING = 0;
    private static final int TOUCHING = 1;
    private static final int FINISHED = 2;
    private static final int ABANDONED = 3;

    private final AtomicInteger state = new AtomicInteger(RUNNING);
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile long progress;
    /** The runtime's counters when the op runs for a task (null on a plain thread). */
    volatile Gate gate;

    /**
     * Starts a copy to or from the caller's memory.
     *
     * @return false if the caller has abandoned the op (touch nothing, stop)
     */
    public boolean enter() {
        return state.compareAndSet(RUNNING, TOUCHING);
    }

    /** Ends a copy begun by a successful {@link #enter()}. */
    public void exit() {
        state.set(RUNNING);
    }

    /** Whether the caller has walked away (the job should stop at the next chunk boundary). */
    public boolean abandoned() {
        return state.get() == ABANDONED;
    }

    /**
     * The job is done (called by the job, possibly more than once).
     *
     * @return true if the caller will see the result, false if it had abandoned the op
     */
    public boolean finish() {
        while (true) {
            int s = state.get();
            if (s == FINISHED) {
                return true;
            }
            if (s == ABANDONED) {
                return false;
            }
            if (s == RUNNING && state.compareAndSet(RUNNING, FINISHED)) {
                return true;
            }
            Thread.onSpinWait();
        }
    }

    /**
     * The caller walks away. Waits out a copy in progress (bounded: one chunk's memcpy).
     *
     * @return true if the op is now abandoned, false if the job had already finished (its result stands)
     */
    boolean abandon() {
        for (int spins = 0; ; spins++) {
            int s = state.get();
            if (s == ABANDONED) {
                return true;
            }
            if (s == FINISHED) {
                return false;
            }
            if (s == RUNNING && state.compareAndSet(RUNNING, ABANDONED)) {
                return true;
            }
            if (spins < 1_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** Bytes moved so far (the job reports them; {@code InterruptedIOException.bytesTransferred}). */
    public long progress() {
        return progress;
    }

    /** Reports {@code bytes} moved so far. */
    public void progress(long bytes) {
        progress = bytes;
    }

    /** Counts {@code n} bytes read from a file (for {@code Fs.stats}). */
    public void countRead(long n) {
        Gate g = gate;
        if (g != null && n > 0) {
            g.bytesRead.add(n);
        }
    }

    /** Counts {@code n} bytes written to a file. */
    public void countWritten(long n) {
        Gate g = gate;
        if (g != null && n > 0) {
            g.bytesWritten.add(n);
        }
    }

    /** Called once the job's body has ended, whatever the outcome. */
    public void ended() {
        ended.countDown();
    }

    /** Waits until the job's body has ended (used to order a handle's next op after an abandoned one). */
    public void awaitEnded() throws InterruptedException {
        ended.await();
    }

    /** Whether the job's body has ended. */
    public boolean hasEnded() {
        return ended.getCount() == 0;
    }
}
