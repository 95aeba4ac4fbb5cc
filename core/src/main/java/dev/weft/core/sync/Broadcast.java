package dev.weft.core.sync;

import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A multi-producer, multi-consumer channel in which every receiver sees every value, like Tokio's
 * {@code broadcast}. It retains the last {@code capacity} values in a ring; senders never park and
 * overwrite the oldest value, and a receiver that falls more than {@code capacity} behind gets
 * {@link BroadcastResult.Lagged} with the number it missed, then continues from the oldest value
 * still retained.
 *
 * {@snippet :
 * Broadcast<String> events = Broadcast.create(64);
 * BroadcastReceiver<String> rx = events.subscribe();   // sees values sent from now on
 * events.send("started");
 * BroadcastResult<String> r = rx.receive();           // Value("started")
 * }
 *
 * <p><b>Thread safety and memory consistency:</b> thread-safe; actions before a {@code send}
 * happen-before the return of each receive that returns the value.
 *
 * <p><b>Implementation overview.</b> A short lock guards a ring of {@code capacity} slots and the
 * sequence number of the next value ({@code tail}); each receiver keeps the sequence it reads
 * next. Values live in the ring until overwritten (they are not released early when every
 * receiver has seen them, unlike Tokio). Parked receivers are woken by each send and re-check.
 *
 * @param <T> the element type
 */
public final class Broadcast<T> implements AutoCloseable {
    final ReentrantLock lock = new ReentrantLock();
    final WaitList waiters = new WaitList();
    final Object[] ring;
    /** Sequence number of the next value sent; guarded by lock. */
    long tail;
    volatile boolean closed;
    private int receivers;

    private Broadcast(int capacity) {
        this.ring = new Object[capacity];
    }

    /**
     * A broadcast channel retaining {@code capacity} values.
     *
     * @param capacity how many values a slow receiver may fall behind before it lags, at least 1
     * @param <T>      the element type
     * @return a new open channel
     * @throws IllegalArgumentException if {@code capacity <= 0}
     */
    public static <T> Broadcast<T> create(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be > 0, was " + capacity);
        }
        return new Broadcast<>(capacity);
    }

    /**
     * Sends {@code value} to every current receiver; never parks (the oldest value is overwritten
     * when the ring is full).
     *
     * @param value the value, not null
     * @return the number of receivers subscribed when it was sent (0: nobody will see it)
     * @throws ChannelClosedException if closed (carries the value)
     * @throws NullPointerException   if {@code value} is null
     */
    public int send(T value) {
        Objects.requireNonNull(value, "value");
        lock.lock();
        try {
            if (closed) {
                throw new ChannelClosedException(value);
            }
            ring[(int) (tail % ring.length)] = value;
            tail++;
            wakeAll();
            return receivers;
        } finally {
            lock.unlock();
        }
    }

    /**
     * A new receiver that sees every value sent after this call.
     *
     * @return the receiver; close it when done so {@link #receiverCount()} stays accurate
     */
    public BroadcastReceiver<T> subscribe() {
        lock.lock();
        try {
            receivers++;
            return new BroadcastReceiver<>(this, tail);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Receivers subscribed and not closed (a snapshot).
     *
     * @return the count
     */
    public int receiverCount() {
        lock.lock();
        try {
            return receivers;
        } finally {
            lock.unlock();
        }
    }

    /**
     * The number of values the ring retains.
     *
     * @return the capacity
     */
    public int capacity() {
        return ring.length;
    }

    /**
     * Closes the channel: sends fail, receivers read the retained values they have not seen and
     * then get {@link BroadcastResult.Closed}. Idempotent.
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

    /** A receiver closed; the caller holds {@link #lock}. */
    void unsubscribeLocked() {
        receivers--;
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
}
