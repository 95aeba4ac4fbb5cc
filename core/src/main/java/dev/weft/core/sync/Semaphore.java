package dev.weft.core.sync;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A fair (FIFO) counting semaphore whose acquisitions are owned {@link SemaphorePermit}s, closed
 * by try-with-resources, like Tokio's {@code Semaphore}.
 *
 * {@snippet :
 * Semaphore connections = new Semaphore(10);
 * try (SemaphorePermit p = connections.acquire()) {
 *     callBackend();                  // at most 10 at once
 * }
 * }
 *
 * <p>Fairness: a waiter asking for many permits holds back later, smaller requests (no barging),
 * and {@code tryAcquire} fails while anyone is waiting. A waiter that no longer waits (its
 * {@link Select} committed another clause, it timed out or was interrupted) holds back no one,
 * even before its own thread has withdrawn it.
 *
 * <p><b>Thread safety and memory consistency:</b> thread-safe; actions before releasing a permit
 * happen-before the actions after an acquire that obtains it.
 *
 * <p><b>Implementation overview.</b> A short lock guards the count and a FIFO of parked waiters;
 * a release hands permits to waiters at the head in order by winning each waiter's
 * {@link SelectWaiter} cell, so a waiter that gave up is skipped and never absorbs permits; a
 * decided waiter found at the head is dropped from the FIFO there and then.
 */
public final class Semaphore implements AutoCloseable {
    /**
     * The most permits a semaphore holds available at once. {@link #release(int)} beyond it
     * fails and changes nothing.
     */
    public static final long MAX_PERMITS = Integer.MAX_VALUE;

    private static final Object CLOSED = new SelectWaiter.Marker("CLOSED");

    private final ReentrantLock lock = new ReentrantLock();
    private final WaitList waiters = new WaitList();
    private long available;
    private volatile boolean closed;

    /**
     * @param permits the initial number of permits, at least 0
     * @throws IllegalArgumentException if {@code permits < 0}
     */
    public Semaphore(int permits) {
        if (permits < 0) {
            throw new IllegalArgumentException("permits must be >= 0, was " + permits);
        }
        this.available = permits;
    }

    /**
     * Acquires one permit, parking until it is available. See {@link #acquire(int)}.
     *
     * @return the owned permit
     * @throws InterruptedException      if interrupted before or while waiting (nothing held)
     * @throws SemaphoreClosedException if the semaphore is or becomes closed first
     */
    public SemaphorePermit acquire() throws InterruptedException {
        return acquire(1);
    }

    /**
     * Acquires {@code n} permits at once, parking (in FIFO order) until they are available.
     *
     * <p><b>Cancel safety:</b> if this throws {@link InterruptedException} no permits are held.
     * If the permits were granted before the interrupt was seen, they are returned normally and
     * the interrupt status stays set.
     *
     * @param n the number of permits, at least 1
     * @return one owned permit object holding {@code n} permits
     * @throws InterruptedException      if interrupted before or while waiting (nothing held)
     * @throws SemaphoreClosedException if the semaphore is or becomes closed first
     * @throws IllegalArgumentException  if {@code n <= 0}
     */
    public SemaphorePermit acquire(int n) throws InterruptedException {
        return doAcquire(n, false, 0).orElseThrow();
    }

    /**
     * As {@link #acquire(int)}, waiting at most {@code timeout}.
     *
     * @param n       the number of permits, at least 1
     * @param timeout how long to wait; zero or negative behaves like {@link #tryAcquire(int)}
     * @return the permit, or empty on timeout (nothing held)
     * @throws InterruptedException      if interrupted before or while waiting (nothing held)
     * @throws SemaphoreClosedException if the semaphore is or becomes closed first
     * @throws IllegalArgumentException  if {@code n <= 0}
     */
    public Optional<SemaphorePermit> acquire(int n, Duration timeout) throws InterruptedException {
        return doAcquire(n, true, Timeouts.deadline(timeout));
    }

    /**
     * Same as {@code tryAcquire(1)}.
     *
     * @return the permit, or empty
     */
    public Optional<SemaphorePermit> tryAcquire() {
        return tryAcquire(1);
    }

    /**
     * Acquires {@code n} permits if they are available now and nobody is waiting; never parks.
     *
     * @param n the number of permits, at least 1
     * @return the permit, or empty
     * @throws SemaphoreClosedException if closed
     * @throws IllegalArgumentException  if {@code n <= 0}
     */
    public Optional<SemaphorePermit> tryAcquire(int n) {
        checkN(n);
        lock.lock();
        try {
            if (closed) {
                throw new SemaphoreClosedException();
            }
            grant(); // drops decided heads, so that only waiters still waiting come first
            if (waiters.isEmpty() && available >= n) {
                available -= n;
                return Optional.of(new SemaphorePermit(this, n));
            }
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    private Optional<SemaphorePermit> doAcquire(int n, boolean timed, long deadline) throws InterruptedException {
        checkN(n);
        Timeouts.checkInterrupt();
        WaitNode node;
        lock.lock();
        try {
            if (closed) {
                throw new SemaphoreClosedException();
            }
            grant(); // drops decided heads, so that only waiters still waiting come first
            if (waiters.isEmpty() && available >= n) {
                available -= n;
                return Optional.of(new SemaphorePermit(this, n));
            }
            node = new WaitNode(new SelectWaiter(), 0, n);
            waiters.add(node);
        } finally {
            lock.unlock();
        }
        SelectWaiter.Won won;
        try {
            won = node.waiter.await(timed, deadline);
        } catch (InterruptedException e) {
            remove(node);
            throw e;
        }
        if (won == null) {
            remove(node);
            return Optional.empty();
        }
        if (won.value() == CLOSED) {
            throw new SemaphoreClosedException();
        }
        return Optional.of(new SemaphorePermit(this, n));
    }

    /**
     * A {@link Select} clause acquiring {@code n} permits: it commits only if it wins, and then its
     * result owns the permits; a clause that loses holds nothing and holds back no one (its place
     * in the FIFO is given up). It takes its place in line like {@link #acquire(int)}: while others
     * wait before it, it waits. If the semaphore is or becomes closed first, the clause commits and
     * the select throws {@link SemaphoreClosedException}.
     *
     * {@snippet :
     * try (SemaphorePermit p = Select.select(local.onAcquire(1), remote.onAcquire(1))) {
     *     useWhicheverWasFree();
     * }
     * }
     *
     * @param n the number of permits, at least 1
     * @return the clause (reusable)
     * @throws IllegalArgumentException if {@code n <= 0}
     */
    public SelectClause<SemaphorePermit> onAcquire(int n) {
        checkN(n);
        return new SelectClause<>() {
            @Override
            public Registration register(SelectWaiter waiter, int index) {
                lock.lock();
                try {
                    if (waiter.isDecided()) {
                        return Registration.NONE;
                    }
                    if (closed) {
                        waiter.tryWin(index, CLOSED);
                        return Registration.NONE;
                    }
                    grant();
                    if (waiters.isEmpty() && available >= n) {
                        if (waiter.tryWin(index, null)) {
                            available -= n;
                        }
                        return Registration.NONE;
                    }
                    WaitNode node = new WaitNode(waiter, index, n);
                    waiters.add(node);
                    return () -> remove(node);
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public SemaphorePermit complete(Object handed) {
                if (handed == CLOSED) {
                    throw new SemaphoreClosedException();
                }
                return new SemaphorePermit(Semaphore.this, n);
            }
        };
    }

    private void remove(WaitNode node) {
        lock.lock();
        try {
            // the head leaving may let the next waiters through
            if (waiters.remove(node)) {
                grant();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Adds {@code n} permits, waking waiters in FIFO order. Never parks. Permits can be added after
     * close; nobody can take them.
     *
     * <p>The limit applies to what is left once the waiters this release serves took theirs: with
     * 5 available and a waiter parked in {@code acquire(Integer.MAX_VALUE)},
     * {@code release(Integer.MAX_VALUE)} serves the waiter and leaves 5. (Should a waiter counted
     * as served give up at that very moment, the permits beyond {@link #MAX_PERMITS} are dropped,
     * as when a {@link SemaphorePermit} is given back.)
     *
     * @param n the number of permits, at least 0
     * @throws IllegalArgumentException if {@code n < 0}
     * @throws IllegalStateException    if the permits left available after serving waiters would
     *                                  exceed {@link #MAX_PERMITS}; nothing was added and no one served
     */
    public void release(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        lock.lock();
        try {
            // Both at most Integer.MAX_VALUE: no long overflow. The waiters are walked only when the
            // sum is over the maximum (grant() walks them anyway): a release's common case walks once.
            if (available + n > MAX_PERMITS) {
                long left = leftAfterGrant(available + n);
                if (left > MAX_PERMITS) {
                    throw new IllegalStateException("releasing " + n + " permits would make " + left
                            + " available, over the maximum of " + MAX_PERMITS + "; nothing was released");
                }
            }
            available += n;
            grant();
            available = Math.min(MAX_PERMITS, available);   // only if a waiter gave up since leftAfterGrant
        } finally {
            lock.unlock();
        }
    }

    /** What {@link #grant()} would leave of {@code total} available: it serves waiters not yet decided. */
    private long leftAfterGrant(long total) {
        if (closed) {
            return total;
        }
        for (WaitNode w = waiters.peek(); w != null && total >= (Integer) w.payload; w = w.next) {
            if (!w.waiter.isDecided()) {
                total -= (Integer) w.payload;
            }
        }
        return total;
    }

    /**
     * Takes back the permits of a {@link SemaphorePermit} being closed. Unlike {@link #release},
     * never throws: the permits came out of this semaphore, and only extra {@code release} calls
     * while they were held can push the count over {@link #MAX_PERMITS}; then the excess is
     * dropped rather than failing a {@code close()} in a finally block.
     */
    void giveBack(int n) {
        lock.lock();
        try {
            available = Math.min(MAX_PERMITS, available + n);
            grant();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Permits available now (a snapshot).
     *
     * @return the count
     */
    public long availablePermits() {
        lock.lock();
        try {
            return available;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Threads parked in an acquire now (a snapshot).
     *
     * @return the count
     */
    public int waiterCount() {
        lock.lock();
        try {
            return waiters.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes the semaphore: parked and later acquires throw {@link SemaphoreClosedException};
     * permits already held stay valid and can be released. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            WaitNode n;
            while ((n = waiters.poll()) != null) {
                n.waiter.tryWin(n.index, CLOSED);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Serves waiters from the head while the permits suffice. A head already decided (its select
     * won on another branch, or it gave up) is dropped whatever it asked for: it no longer waits,
     * and until its owner gets round to removing it, it would hold back the smaller waiters behind
     * it and make {@code tryAcquire} fail.
     */
    private void grant() {
        if (closed) {
            return;
        }
        WaitNode head;
        while ((head = waiters.peek()) != null) {
            if (head.waiter.isDecided()) {
                waiters.poll();
                continue;
            }
            if (available < (Integer) head.payload) {
                return;
            }
            waiters.poll();
            if (head.waiter.tryWin(head.index, null)) {
                available -= (Integer) head.payload;
            }
        }
    }

    private static void checkN(int n) {
        if (n <= 0) {
            throw new IllegalArgumentException("n must be > 0, was " + n);
        }
    }
}
