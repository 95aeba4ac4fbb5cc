package dev.weft.core.sync;

import java.time.Duration;

/**
 * One observer of a {@link Watch}, remembering which version it has seen.
 *
 * {@snippet :
 * WatchReceiver<Integer> rx = watch.subscribe();
 * rx.changed();                  // parks until a send after subscribe
 * int latest = rx.borrowAndUpdate();
 * }
 *
 * <p><b>Thread safety:</b> usually one thread uses a receiver, but it is thread-safe: threads that
 * share one receiver (with {@code changed} or {@link #onChanged()} in a {@link Select}) compete
 * for its changes, and each change is reported to exactly one of them.
 *
 * @param <T> the value type
 */
public final class WatchReceiver<T> {
    private static final Object CLOSED = Channel.CLOSED;   // what Channel.received throws for

    private final Watch<T> watch;
    /** The version last marked seen; written under the watch's lock. */
    volatile long seen;
    /** This receiver's select registrations commit through this (one object, not one per select). */
    private final WaitList.Offer offer = this::tryCommit;

    WatchReceiver(Watch<T> watch, long seen) {
        this.watch = watch;
        this.seen = seen;
    }

    /**
     * The latest value, without marking it seen; never parks.
     *
     * @return the value
     */
    public T borrow() {
        return watch.value;
    }

    /**
     * The latest value, marking it seen; never parks.
     *
     * @return the value
     */
    public T borrowAndUpdate() {
        watch.lock.lock();
        try {
            seen = watch.version;
            return watch.value;
        } finally {
            watch.lock.unlock();
        }
    }

    /**
     * Whether a value newer than the last seen one was sent; never parks.
     *
     * @return true if so
     */
    public boolean hasChanged() {
        return watch.version != seen;
    }

    /**
     * Parks until a value newer than the last seen one is sent, and marks it seen (read it with
     * {@link #borrow()}). Returns at once if one already was, even if the watch is closed since.
     *
     * <p><b>Cancel safety:</b> if interrupted, nothing is marked seen.
     *
     * @throws InterruptedException   if interrupted before or while waiting
     * @throws ChannelClosedException if the watch is closed and the latest value was seen
     */
    public void changed() throws InterruptedException {
        watch.awaitChange(this, false, 0);
    }

    /**
     * As {@link #changed()}, waiting at most {@code timeout}.
     *
     * @param timeout how long to wait
     * @return {@code true} if a newer value arrived (now marked seen), {@code false} on timeout
     * @throws InterruptedException   if interrupted before or while waiting
     * @throws ChannelClosedException if the watch is closed and the latest value was seen
     */
    public boolean changed(Duration timeout) throws InterruptedException {
        return watch.awaitChange(this, true, Timeouts.deadline(timeout));
    }

    /**
     * A {@link Select} clause that waits like {@link #changed()}: it commits when a value newer
     * than the last seen one is sent, and its result is that value, marked seen atomically with
     * the commit. A clause that loses marks nothing seen. If the watch is closed and the latest
     * value was seen, the clause commits and the select throws {@link ChannelClosedException}.
     *
     * {@snippet :
     * Config c = Select.select(rx.onChanged(), reloadRequests.onReceive().map(r -> load()));
     * }
     *
     * @return the clause (reusable)
     */
    public SelectClause<T> onChanged() {
        return new SelectClause<>() {
            @Override
            public Registration register(SelectWaiter waiter, int index) {
                watch.lock.lock();
                try {
                    if (waiter.isDecided() || tryCommit(waiter, index)) {
                        return Registration.NONE;
                    }
                    WaitNode node = new WaitNode(waiter, index, offer);
                    watch.waiters.add(node);
                    return () -> watch.unlink(node);
                } finally {
                    watch.lock.unlock();
                }
            }

            @Override
            public T complete(Object handed) {
                return Channel.received(handed);
            }
        };
    }

    /** {@link WaitList.Offer} of this receiver's select registrations; under the watch's lock. */
    private boolean tryCommit(SelectWaiter waiter, int index) {
        long v = watch.version;
        if (v != seen) {
            if (waiter.tryWin(index, watch.value)) {
                seen = v;
            }
            return true;
        }
        if (watch.closed) {
            waiter.tryWin(index, CLOSED);
            return true;
        }
        return false;
    }
}
