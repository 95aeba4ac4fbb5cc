package dev.weft.core.sync;

import java.util.Arrays;
import java.util.Objects;
import java.util.WeakHashMap;
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
 * <p>A broadcast {@linkplain #create(String, int) created with a name} reports its depth, capacity,
 * parked receivers and lag (how far its slowest receiver is behind) to metrics
 * ({@code dev.weft.metrics.WeftChannelMetrics}) until it is closed.
 *
 * <p><b>Implementation overview.</b> A short lock guards a ring of {@code capacity} slots and the
 * sequence number of the next value ({@code tail}); each receiver keeps the sequence it reads
 * next. Values live in the ring until overwritten (they are not released early when every
 * receiver has seen them, unlike Tokio). Parked receivers are woken by each send and re-check;
 * a {@linkplain BroadcastReceiver#onReceive() select} parked on a receiver is decided by the send
 * itself, which advances that receiver only if it won the select.
 *
 * @param <T> the element type
 */
public final class Broadcast<T> implements AutoCloseable {
    final ReentrantLock lock = new ReentrantLock();
    final WaitList waiters = new WaitList();
    /** How many values are retained. */
    final int capacity;
    /**
     * The retained values, value {@code seq} at {@code seq % ring.length}. Grown by doubling up to
     * {@code capacity} while fewer than that have been sent (then {@code tail <= ring.length}), so
     * a large capacity costs memory only as values arrive. Guarded by lock.
     */
    Object[] ring;
    /** Sequence number of the next value sent; guarded by lock. */
    long tail;
    volatile boolean closed;
    private int receivers;
    /**
     * Open receivers of a named broadcast, for its lag; null when unnamed. Weak keys: a receiver
     * dropped without close stops counting once collected. Guarded by lock.
     */
    private final WeakHashMap<BroadcastReceiver<T>, Boolean> tracked;
    /** Set once by the named factory, before the broadcast is published. */
    private Named named;

    private static final int INITIAL_RING = 16;

    private Broadcast(int capacity, boolean track) {
        this.capacity = capacity;
        this.ring = new Object[Math.min(capacity, INITIAL_RING)];
        this.tracked = track ? new WeakHashMap<>() : null;
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
        checkCapacity(capacity);
        return new Broadcast<>(capacity, false);
    }

    /**
     * As {@link #create(int)}, with a name under which metrics report it (kind {@code broadcast}):
     * values retained for the slowest receiver, capacity, parked receivers and lag. Broadcasts
     * with one name form one group. It leaves the metrics when {@linkplain #close() closed} (or
     * collected, if dropped unclosed).
     *
     * {@snippet :
     * Broadcast<Event> events = Broadcast.create("events", 1024);
     * // weft.channel.lag{kind="broadcast",channel="events"} once WeftChannelMetrics is bound
     * }
     *
     * @param name     the metrics name, not blank
     * @param capacity how many values a slow receiver may fall behind before it lags, at least 1
     * @param <T>      the element type
     * @return a new open channel
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank or {@code capacity <= 0}
     */
    public static <T> Broadcast<T> create(String name, int capacity) {
        Named.check(name);
        checkCapacity(capacity);
        Broadcast<T> b = new Broadcast<>(capacity, true);
        b.named = Named.register(b.new Gauges(name));
        return b;
    }

    private static void checkCapacity(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be > 0, was " + capacity);
        }
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
            if (tail == ring.length && ring.length < capacity) {
                // all sent values are retained and sit at their own index: copying keeps them there
                ring = Arrays.copyOf(ring, (int) Math.min(capacity, 2L * ring.length));
            }
            ring[(int) (tail % ring.length)] = value;
            tail++;
            waiters.wakeAll();
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
            BroadcastReceiver<T> r = new BroadcastReceiver<>(this, tail);
            if (tracked != null) {
                tracked.put(r, Boolean.TRUE);
            }
            return r;
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
        return capacity;
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
     * Closes the channel: sends fail, receivers read the retained values they have not seen and
     * then get {@link BroadcastResult.Closed}; a named broadcast leaves the metrics. Idempotent.
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

    /** A receiver closed; the caller holds {@link #lock}. */
    void unsubscribeLocked(BroadcastReceiver<T> r) {
        receivers--;
        if (tracked != null) {
            tracked.remove(r);
        }
        // its parked receives and selects must see it closed
        waiters.wakeAll();
    }

    @Override
    public String toString() {
        return "Broadcast[" + (named == null ? "" : named.name() + ", ") + "capacity=" + capacity
                + (closed ? ", closed]" : "]");
    }

    /** What metrics read from a named broadcast. */
    private final class Gauges extends Named.ReceiverGauges {
        Gauges(String name) {
            super(name, "broadcast", lock, waiters);
        }

        @Override
        public int depth() {
            return (int) Math.min(lag(), capacity);
        }

        @Override
        public int capacity() {
            return capacity;
        }

        @Override
        public long lag() {
            lock.lock();
            try {
                long max = 0;
                for (BroadcastReceiver<T> r : tracked.keySet()) {
                    max = Math.max(max, tail - r.next);
                }
                return max;
            } finally {
                lock.unlock();
            }
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
