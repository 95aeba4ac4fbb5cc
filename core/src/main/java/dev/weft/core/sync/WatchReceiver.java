package dev.weft.core.sync;

import java.time.Duration;

/**
 * One observer of a {@link Watch}, remembering which version it has seen. Use from one thread.
 *
 * {@snippet :
 * WatchReceiver<Integer> rx = watch.subscribe();
 * rx.changed();                  // parks until a send after subscribe
 * int latest = rx.borrowAndUpdate();
 * }
 *
 * @param <T> the value type
 */
public final class WatchReceiver<T> {
    private final Watch<T> watch;
    private long seen;

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
        seen = watch.awaitChange(seen, false, 0);
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
        long v = watch.awaitChange(seen, true, Timeouts.deadline(timeout));
        if (v < 0) {
            return false;
        }
        seen = v;
        return true;
    }
}
