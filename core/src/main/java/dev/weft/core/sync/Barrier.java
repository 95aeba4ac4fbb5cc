package dev.weft.core.sync;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A reusable barrier for a fixed number of parties, like Tokio's {@code Barrier}: each
 * {@link #await()} parks until {@code parties} threads have arrived, then all are released and
 * the barrier resets for the next round. The last to arrive is the round's leader.
 *
 * {@snippet :
 * Barrier start = new Barrier(3);
 * for (int i = 0; i < 3; i++) {
 *     Thread.ofVirtual().start(() -> {
 *         boolean leader = start.await();   // all three continue together
 *     });
 * }
 * }
 *
 * <p>Unlike {@link java.util.concurrent.CyclicBarrier}, a party that is interrupted or times out
 * simply withdraws its arrival; the barrier does not break for the others.
 *
 * <p><b>Thread safety and memory consistency:</b> thread-safe; actions of every party before its
 * {@code await} happen-before the return of every party's {@code await} in the same round.
 */
public final class Barrier {
    private final int parties;
    private final ReentrantLock lock = new ReentrantLock();
    private WaitList round = new WaitList();
    private int arrived;

    /**
     * @param parties the number of threads per round, at least 1
     * @throws IllegalArgumentException if {@code parties <= 0}
     */
    public Barrier(int parties) {
        if (parties <= 0) {
            throw new IllegalArgumentException("parties must be > 0, was " + parties);
        }
        this.parties = parties;
    }

    /**
     * The number of parties per round.
     *
     * @return the count
     */
    public int parties() {
        return parties;
    }

    /**
     * Arrives and parks until the round is complete.
     *
     * <p><b>Cancel safety:</b> if this throws {@link InterruptedException} the arrival is withdrawn
     * (the round still needs {@code parties} others). If the round completed before the interrupt
     * was seen, it returns normally with the interrupt status set.
     *
     * @return {@code true} for exactly one party per round (the last to arrive)
     * @throws InterruptedException if interrupted before or while waiting
     */
    public boolean await() throws InterruptedException {
        return doAwait(false, 0).orElseThrow();
    }

    /**
     * As {@link #await()}, waiting at most {@code timeout}; on timeout the arrival is withdrawn.
     *
     * @param timeout how long to wait
     * @return whether this party is the leader, or empty on timeout
     * @throws InterruptedException if interrupted before or while waiting
     */
    public Optional<Boolean> await(Duration timeout) throws InterruptedException {
        return doAwait(true, Timeouts.deadline(timeout));
    }

    private Optional<Boolean> doAwait(boolean timed, long deadline) throws InterruptedException {
        Timeouts.checkInterrupt();
        SelectWaiter waiter = new SelectWaiter();
        WaitNode node = new WaitNode(waiter, 0, null);
        lock.lock();
        try {
            if (++arrived == parties) {
                arrived = 0;
                WaitList released = round;
                round = new WaitList();
                WaitNode n;
                while ((n = released.poll()) != null) {
                    n.waiter.tryWin(0, null);
                }
                return Optional.of(true);
            }
            round.add(node);
        } finally {
            lock.unlock();
        }
        Object outcome = waiter.awaitOutcome(timed, deadline);
        if (outcome instanceof SelectWaiter.Won) {
            return Optional.of(false);
        }
        lock.lock();
        try {
            // under the lock a round cannot complete between the check and the withdrawal
            if (waiter.tryCancel()) {
                round.remove(node);
                arrived--;
                if (outcome == SelectWaiter.INTERRUPTED) {
                    throw new InterruptedException();
                }
                return Optional.empty();
            }
        } finally {
            lock.unlock();
        }
        if (outcome == SelectWaiter.INTERRUPTED) {
            Thread.currentThread().interrupt();
        }
        return Optional.of(false);
    }
}
