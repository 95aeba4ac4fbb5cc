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
 * <p>A watch {@linkplain #create(String, Object) created with a name} reports its parked receivers
 * to metrics ({@code dev.weft.metrics.WeftChannelMetrics}) until it is closed.
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
    /** Set once by the named factory, before the watch is published. */
    private Named named;

    /**
     * @param initial the initial value, not null (version 0, seen by new receivers)
     * @throws NullPointerException if {@code initial} is null
     */
    public Watch(T initial) {
        this.value = Objects.requireNonNull(initial, "initial");
    }

    /**
     * As {@link #Watch(Object) new Watch(initial)}, with a name under which metrics report it
     * (kind {@code watch}: depth 1, capacity 1, parked receivers). Watches with one name form one
     * group. It leaves the metrics when {@linkplain #close() closed} (or collected, if dropped
     * unclosed).
     *
     * {@snippet :
     * Watch<Config> config = Watch.create("config", initial);
     * }
     *
     * @param name    the metrics name, not blank
     * @param initial the initial value, not null
     * @param <T>     the value type
     * @return a new open watch
     * @throws NullPointerException     if {@code name} or {@code initial} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static <T> Watch<T> create(String name, T initial) {
        Named.check(name);
        Watch<T> w = new Watch<>(initial);
        w.named = Named.register(w.new Gauges(name));
        return w;
    }

    /**
     * The name given at creation, or null.
     *
     * @return the name or null
     */
    public String name() {
        return named == null ? null : named.name();
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
            waiters.wakeAll();
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
            waiters.wakeAll();
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
     * throws {@link ChannelClosedException} once they have seen it; a named watch leaves the
     * metrics. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            waiters.wakeAll();
        } finally {
            lock.unlock();
        }
        if (named != null) {
            named.close();
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

    @Override
    public String toString() {
        return "Watch[" + (named == null ? "" : named.name() + ", ") + "version=" + version
                + (closed ? ", closed]" : "]");
    }

    void unlink(WaitNode node) {
        lock.lock();
        try {
            waiters.remove(node);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Parks until {@code r} has an unseen version or the watch is closed, then marks it seen.
     * Returns false on timeout.
     */
    boolean awaitChange(WatchReceiver<T> r, boolean timed, long deadline) throws InterruptedException {
        Timeouts.checkInterrupt();
        for (;;) {
            WaitNode node;
            lock.lock();
            try {
                if (version != r.seen) {
                    // under the lock: a select sharing this receiver cannot take the same change
                    r.seen = version;
                    return true;
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
                return false;
            }
        }
    }

    /** What metrics read from a named watch. */
    private final class Gauges extends Named.ReceiverGauges {
        Gauges(String name) {
            super(name, "watch", lock, waiters);
        }

        @Override
        public int depth() {
            return 1; // it always holds its latest value
        }

        @Override
        public int capacity() {
            return 1;
        }
    }
}
