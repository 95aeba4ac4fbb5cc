package dev.weft.core.sync;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Wakes parked threads without passing data, like Tokio's {@code Notify}.
 * {@link #notifyOne()} wakes one waiter or, if none is parked, stores a single permit that the
 * next {@link #notified()} consumes at once, so a notification sent just before the waiter parks
 * is not lost. {@link #notifyWaiters()} wakes every thread parked now and stores nothing.
 *
 * {@snippet :
 * Notify ready = new Notify();
 * Thread.ofVirtual().start(() -> { prepare(); ready.notifyOne(); });
 * ready.notified();          // returns after prepare(), whichever ran first
 * }
 *
 * <p><b>Thread safety and memory consistency:</b> thread-safe; actions before a
 * {@code notifyOne}/{@code notifyWaiters} happen-before the return of a {@code notified} that it
 * woke (or whose stored permit it consumed).
 */
public final class Notify {
    private final ReentrantLock lock = new ReentrantLock();
    private final WaitList waiters = new WaitList();
    private boolean permit;

    /** A notify with no stored permit. */
    public Notify() {}

    /**
     * Wakes the longest-parked waiter, or stores one permit if none is parked (a second
     * {@code notifyOne} with no waiter in between stores nothing more). Never parks.
     */
    public void notifyOne() {
        lock.lock();
        try {
            WaitNode n;
            while ((n = waiters.poll()) != null) {
                if (n.waiter.tryWin(n.index, null)) {
                    return;
                }
            }
            permit = true;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every thread parked in {@link #notified()} now; stores no permit. Never parks. */
    public void notifyWaiters() {
        lock.lock();
        try {
            WaitNode n;
            while ((n = waiters.poll()) != null) {
                n.waiter.tryWin(n.index, null);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Parks until notified (consuming a stored permit returns at once).
     *
     * <p><b>Cancel safety:</b> if this throws {@link InterruptedException} it consumed nothing. If
     * a {@code notifyOne} reached this waiter before the interrupt was seen, it returns normally
     * with the interrupt status set (the notification is not lost).
     *
     * @throws InterruptedException if interrupted before or while waiting
     */
    public void notified() throws InterruptedException {
        await(false, 0);
    }

    /**
     * As {@link #notified()}, waiting at most {@code timeout}.
     *
     * @param timeout how long to wait; zero or negative only consumes a stored permit
     * @return {@code true} if notified, {@code false} on timeout
     * @throws InterruptedException if interrupted before or while waiting
     */
    public boolean notified(Duration timeout) throws InterruptedException {
        return await(true, Timeouts.deadline(timeout));
    }

    /**
     * A {@link Select} clause that waits like {@link #notified()}: it commits by consuming the
     * stored permit or by being the waiter a {@code notifyOne} (or {@code notifyWaiters}) picks.
     * Its result is this {@code Notify}. A clause that loses consumes nothing: a {@code notifyOne}
     * that finds its select already decided passes on to the next waiter or is stored.
     *
     * {@snippet :
     * Job j = Select.select(jobs.onReceive(), shutdown.onNotified().<Job>map(n -> null)); // null: shut down
     * }
     *
     * @return the clause (reusable)
     */
    public SelectClause<Notify> onNotified() {
        return new SelectClause<>() {
            @Override
            public Registration register(SelectWaiter waiter, int index) {
                lock.lock();
                try {
                    if (waiter.isDecided()) {
                        return Registration.NONE;
                    }
                    if (permit) {
                        if (waiter.tryWin(index, null)) {
                            permit = false;
                        }
                        return Registration.NONE;
                    }
                    WaitNode node = new WaitNode(waiter, index, null);
                    waiters.add(node);
                    return () -> unlink(node);
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public Notify complete(Object handed) {
                return Notify.this;
            }
        };
    }

    private boolean await(boolean timed, long deadline) throws InterruptedException {
        Timeouts.checkInterrupt();
        WaitNode node;
        lock.lock();
        try {
            if (permit) {
                permit = false;
                return true;
            }
            node = new WaitNode(new SelectWaiter(), 0, null);
            waiters.add(node);
        } finally {
            lock.unlock();
        }
        SelectWaiter.Won won;
        try {
            won = node.waiter.await(timed, deadline);
        } catch (InterruptedException e) {
            unlink(node);
            throw e;
        }
        if (won == null) {
            unlink(node);
            return false;
        }
        return true;
    }

    private void unlink(WaitNode node) {
        lock.lock();
        try {
            waiters.remove(node);
        } finally {
            lock.unlock();
        }
    }
}
