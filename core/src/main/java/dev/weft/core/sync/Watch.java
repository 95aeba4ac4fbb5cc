package dev.weft.core.sync;

import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;

/**
 * A single-value channel that keeps only the latest value, like Tokio's {@code watch}: senders
 * replace it, receivers read the current value at any time and park in
 * {@link WatchReceiver#changed()} until a newer one is sent. Intermediate values may be skipped.
 *
 * {@snippet :
 * Watch<Config> config = new Watch<>(initial);
 * WatchReceiver<Config> rx = config.subscribe();
 * Thread.ofVirtual().start(() -> {
 *     while (true) {
 *         rx.changed();                   // parks until a new config
 *         apply(rx.borrowAndUpdate());
 *     }
 * });
 * config.send(reloaded);
 * }
 *
 * <p><b>Thread safety and memory consistency:</b> thread-safe; actions before a {@code send}
 * happen-before a read that returns the value sent (or a later one).
 *
 * @param <T> the value type
 */
public final class Watch<T> implements AutoCloseable {
    final ReentrantLock lock = new ReentrantLock();
    final WaitList waiters = new WaitList();
    volatile T value;
    /** Incremented by each send; guarded by lock for writes. */
    volatile long version;
    volatile boolean closed;

    /**
     * @param initial the initial value, not null (version 0, seen by new receivers)
     * @throws NullPointerException if {@code initial} is null
     */
    public Watch(T initial) {
        this.value = Objects.requireNonNull(initial, "initial");
    }

    /**
     * Replaces the value and wakes every receiver parked in {@code changed}. Never parks.
     *
     * @param v the new value, not null
     * @throws ChannelClosedException if the watch is closed (carries the value)
     * @throws NullPointerException   if {@code v} is null
     */
    public void send(T v) {
        Objects.requireNonNull(v, "value");
        lock.lock();
        try {
            if (closed) {
                throw new ChannelClosedException(v);
            }
            value = v;
            version++;
            wakeAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Atomically replaces the value with {@code update.apply(current)} (run under the watch's
     * lock: keep it short and never park in it) and wakes receivers.
     *
     * @param update computes the new value from the current one; must not return null
     * @return the new value
     * @throws ChannelClosedException if the watch is closed
     */
    public T update(UnaryOperator<T> update) {
        Objects.requireNonNull(update, "update");
        lock.lock();
        try {
            if (closed) {
                throw new ChannelClosedException();
            }
            T v = Objects.requireNonNull(update.apply(value), "update returned null");
            value = v;
            version++;
            wakeAll();
            return v;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The latest value; never parks.
     *
     * @return the value
     */
    public T get() {
        return value;
    }

    /**
     * A receiver that has seen the current value (its {@code changed} waits for the next send).
     *
     * @return a new receiver
     */
    public WatchReceiver<T> subscribe() {
        return new WatchReceiver<>(this, version);
    }

    /**
     * Closes the watch: sends fail, receivers keep reading the last value, and {@code changed}
     * throws {@link ChannelClosedException} once they have seen it. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            wakeAll();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether closed.
     *
     * @return true once closed
     */
    public boolean isClosed() {
        return closed;
    }

    private void wakeAll() {
        WaitNode n;
        while ((n = waiters.poll()) != null) {
            n.waiter.tryWin(n.index, null);
        }
    }

    void unlink(WaitNode node) {
        lock.lock();
        try {
            waiters.remove(node);
        } finally {
            lock.unlock();
        }
    }

    /** Parks until version != seen or closed; returns the version, or -1 on timeout/closed. */
    long awaitChange(long seen, boolean timed, long deadline) throws InterruptedException {
        Timeouts.checkInterrupt();
        for (;;) {
            WaitNode node;
            lock.lock();
            try {
                if (version != seen) {
                    return version;
                }
                if (closed) {
                    throw new ChannelClosedException();
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
                return -1;
            }
        }
    }
}
