package dev.weft.core.sync;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A multi-producer, multi-consumer FIFO channel, bounded (senders park while it is full) or
 * explicitly unbounded. Like Tokio's {@code mpsc}, but receivers may also be shared (they
 * compete for values), and both halves can take part in a {@link Select}.
 *
 * {@snippet :
 * Channel<String> ch = Channel.bounded(16);
 * Thread.ofVirtual().start(() -> {
 *     try (ch) {                 // close when done: the receiver's loop ends
 *         ch.send("a");
 *         ch.send("b");
 *     } catch (InterruptedException e) {
 *         Thread.currentThread().interrupt();
 *     }
 * });
 * for (String s : ch.receiver()) {
 *     System.out.println(s);     // a, b
 * }
 * }
 *
 * <p>A channel {@linkplain #bounded(String, int) created with a name} reports its depth, capacity
 * and parked senders and receivers to metrics ({@code dev.weft.metrics.WeftChannelMetrics}) until
 * it is closed.
 *
 * <p><b>Thread safety and memory consistency:</b> all methods are thread-safe. Actions in a thread
 * before it sends a value happen-before the actions of the thread that receives it, after the
 * receive returns. Every parking method parks the virtual thread (through
 * {@link dev.weft.core.spi.Parking}), never its carrier.
 *
 * <p><b>Implementation overview.</b> One short {@link ReentrantLock} critical section per
 * operation guards a buffer ({@link ArrayDeque}), a count of reserved slots, and two FIFO wait
 * lists of registered {@link SelectWaiter}s: parked receivers (only when the buffer is empty) and
 * parked senders or reservers (only when it is full). No thread ever parks while holding the lock.
 * After each change the channel "pumps": it offers buffered values to parked receivers and free
 * slots to parked senders, each by winning that waiter's decision cell
 * ({@link SelectWaiter#tryWin}) before moving anything; a waiter whose cell is already decided (a
 * select that took another branch, a receiver that was interrupted) is skipped and the value
 * stays in the channel. A plain {@code receive} is a select of one clause, so cancel safety and
 * select atomicity come from the same compare-and-set.
 *
 * <table class="striped">
 *   <caption>What a parked waiter may be handed</caption>
 *   <tr><th>waiter</th><th>handed</th><th>then</th></tr>
 *   <tr><td>receiver</td><td>the buffer's head value</td><td>returns it</td></tr>
 *   <tr><td>receiver</td><td>CLOSED (closed, drained, no permits)</td><td>throws / Closed</td></tr>
 *   <tr><td>sender</td><td>a free slot (its value is appended)</td><td>returns</td></tr>
 *   <tr><td>reserver</td><td>a free slot (counted as reserved)</td><td>returns a {@link Permit}</td></tr>
 *   <tr><td>sender, reserver</td><td>CLOSED</td><td>throws {@link ChannelClosedException}</td></tr>
 * </table>
 *
 * @param <T> the element type
 */
public final class Channel<T> implements Sender<T>, Receiver<T>, AutoCloseable {
    static final Object CLOSED = new SelectWaiter.Marker("CLOSED");
    private static final Object RESERVE = new SelectWaiter.Marker("RESERVE");

    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<T> buffer;
    private final WaitList receivers = new WaitList();
    private final WaitList senders = new WaitList();
    private int reserved;
    private volatile boolean closed;
    /** Set once by the named factories, before the channel is published. */
    private Named named;

    private Channel(int capacity) {
        this.capacity = capacity;
        this.buffer = new ArrayDeque<>(Math.min(capacity, 64));
    }

    /**
     * A channel that buffers at most {@code capacity} values (including reserved slots).
     *
     * @param capacity the buffer size, at least 1
     * @param <T>      the element type
     * @return a new open channel
     * @throws IllegalArgumentException if {@code capacity <= 0}
     */
    public static <T> Channel<T> bounded(int capacity) {
        checkCapacity(capacity);
        return new Channel<>(capacity);
    }

    /**
     * As {@link #bounded(int)}, with a name under which metrics report the channel (kind
     * {@code channel}): values buffered, capacity, parked senders and parked receivers. Channels
     * with one name form one group (one per connection, say), reported together. The channel
     * leaves the metrics when it is {@linkplain #close() closed} (or collected, if dropped
     * unclosed); naming costs nothing on its operations.
     *
     * {@snippet :
     * Channel<Job> jobs = Channel.bounded("jobs", 256);
     * // weft.channel.depth{kind="channel",channel="jobs"} once WeftChannelMetrics is bound
     * }
     *
     * @param name     the metrics name, not blank
     * @param capacity the buffer size, at least 1
     * @param <T>      the element type
     * @return a new open channel
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank or {@code capacity <= 0}
     */
    public static <T> Channel<T> bounded(String name, int capacity) {
        Named.check(name);
        checkCapacity(capacity);
        return named(new Channel<>(capacity), name);
    }

    /**
     * As {@link #unbounded()}, with a name under which metrics report the channel, as for
     * {@link #bounded(String, int)} (its capacity reads {@code +Inf}).
     *
     * @param name the metrics name, not blank
     * @param <T>  the element type
     * @return a new open channel
     * @throws NullPointerException     if {@code name} is null
     * @throws IllegalArgumentException if {@code name} is blank
     */
    public static <T> Channel<T> unbounded(String name) {
        Named.check(name);
        return named(new Channel<>(Integer.MAX_VALUE), name);
    }

    private static <T> Channel<T> named(Channel<T> ch, String name) {
        ch.named = Named.register(ch.new Gauges(name));
        return ch;
    }

    private static void checkCapacity(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be > 0, was " + capacity);
        }
    }

    /**
     * A channel whose senders never park: memory grows with the backlog. Prefer
     * {@link #bounded(int)} so a slow consumer slows its producers down.
     *
     * @param <T> the element type
     * @return a new open channel
     */
    public static <T> Channel<T> unbounded() {
        return new Channel<>(Integer.MAX_VALUE);
    }

    /**
     * This channel's sending half (the channel itself).
     *
     * @return the sender
     */
    public Sender<T> sender() {
        return this;
    }

    /**
     * This channel's receiving half (the channel itself).
     *
     * @return the receiver
     */
    public Receiver<T> receiver() {
        return this;
    }

    /**
     * The capacity, or {@link Integer#MAX_VALUE} if unbounded.
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
     * The number of buffered values at this instant (a snapshot).
     *
     * @return the count
     */
    public int size() {
        lock.lock();
        try {
            return buffer.size();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- sending

    @Override
    public void send(T value) throws InterruptedException {
        Objects.requireNonNull(value, "value");
        doSend(value, false, 0);
    }

    @Override
    public boolean send(T value, Duration timeout) throws InterruptedException {
        Objects.requireNonNull(value, "value");
        return doSend(value, true, Timeouts.deadline(timeout));
    }

    private boolean doSend(T value, boolean timed, long deadline) throws InterruptedException {
        Timeouts.checkInterrupt();
        WaitNode node;
        lock.lock();
        try {
            if (closed) {
                throw new ChannelClosedException(value);
            }
            if (hasRoom()) {
                buffer.addLast(value);
                pump();
                return true;
            }
            node = new WaitNode(new SelectWaiter(), 0, value);
            senders.add(node);
        } finally {
            lock.unlock();
        }
        SelectWaiter.Won won = awaitNode(node, timed, deadline);
        if (won == null) {
            return false;
        }
        if (won.value() == CLOSED) {
            throw new ChannelClosedException(value);
        }
        return true;
    }

    @Override
    public boolean trySend(T value) {
        Objects.requireNonNull(value, "value");
        lock.lock();
        try {
            if (closed) {
                throw new ChannelClosedException(value);
            }
            if (!hasRoom()) {
                return false;
            }
            buffer.addLast(value);
            pump();
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Permit<T> reserve() throws InterruptedException {
        return doReserve(false, 0).orElseThrow();
    }

    @Override
    public Optional<Permit<T>> reserve(Duration timeout) throws InterruptedException {
        return doReserve(true, Timeouts.deadline(timeout));
    }

    @Override
    public Optional<Permit<T>> tryReserve() {
        lock.lock();
        try {
            if (closed) {
                throw new ChannelClosedException();
            }
            if (!hasRoom()) {
                return Optional.empty();
            }
            reserved++;
            return Optional.of(new Permit<>(this));
        } finally {
            lock.unlock();
        }
    }

    private Optional<Permit<T>> doReserve(boolean timed, long deadline) throws InterruptedException {
        Timeouts.checkInterrupt();
        WaitNode node;
        lock.lock();
        try {
            if (closed) {
                throw new ChannelClosedException();
            }
            if (hasRoom()) {
                reserved++;
                return Optional.of(new Permit<>(this));
            }
            node = new WaitNode(new SelectWaiter(), 0, RESERVE);
            senders.add(node);
        } finally {
            lock.unlock();
        }
        SelectWaiter.Won won = awaitNode(node, timed, deadline);
        if (won == null) {
            return Optional.empty();
        }
        if (won.value() == CLOSED) {
            throw new ChannelClosedException();
        }
        return Optional.of(new Permit<>(this));
    }

    void permitSend(Permit<T> permit, T value) {
        lock.lock();
        try {
            if (!permit.use()) {
                throw new IllegalStateException("permit already used");
            }
            reserved--;
            buffer.addLast(value);
            pump();
        } finally {
            lock.unlock();
        }
    }

    void permitRelease(Permit<T> permit) {
        lock.lock();
        try {
            if (permit.use()) {
                reserved--;
                pump();
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public SelectClause<T> onSend(T value) {
        Objects.requireNonNull(value, "value");
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
                    if (hasRoom()) {
                        if (waiter.tryWin(index, null)) {
                            buffer.addLast(value);
                            pump();
                        }
                        return Registration.NONE;
                    }
                    WaitNode node = new WaitNode(waiter, index, value);
                    senders.add(node);
                    return () -> unlink(node);
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public T complete(Object handed) {
                if (handed == CLOSED) {
                    throw new ChannelClosedException(value);
                }
                return value;
            }
        };
    }

    // ---------------------------------------------------------------- receiving

    @Override
    public T receive() throws InterruptedException {
        ReceiveResult<T> r = doReceive(false, 0);
        if (r instanceof ReceiveResult.Value<T>(T v)) {
            return v;
        }
        throw new ChannelClosedException();
    }

    @Override
    public ReceiveResult<T> receive(Duration timeout) throws InterruptedException {
        return doReceive(true, Timeouts.deadline(timeout));
    }

    @SuppressWarnings("unchecked")
    private ReceiveResult<T> doReceive(boolean timed, long deadline) throws InterruptedException {
        Timeouts.checkInterrupt();
        WaitNode node;
        lock.lock();
        try {
            T v = buffer.pollFirst();
            if (v != null) {
                pump();
                return new ReceiveResult.Value<>(v);
            }
            if (drained()) {
                return ReceiveResult.closed();
            }
            node = new WaitNode(new SelectWaiter(), 0, null);
            receivers.add(node);
        } finally {
            lock.unlock();
        }
        SelectWaiter.Won won = awaitNode(node, timed, deadline);
        if (won == null) {
            return ReceiveResult.empty();
        }
        if (won.value() == CLOSED) {
            return ReceiveResult.closed();
        }
        return new ReceiveResult.Value<>((T) won.value());
    }

    @Override
    public ReceiveResult<T> tryReceive() {
        lock.lock();
        try {
            T v = buffer.pollFirst();
            if (v != null) {
                pump();
                return new ReceiveResult.Value<>(v);
            }
            return drained() ? ReceiveResult.closed() : ReceiveResult.empty();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public SelectClause<T> onReceive() {
        return new SelectClause<>() {
            @Override
            public Registration register(SelectWaiter waiter, int index) {
                lock.lock();
                try {
                    if (waiter.isDecided()) {
                        return Registration.NONE;
                    }
                    if (!buffer.isEmpty()) {
                        if (waiter.tryWin(index, buffer.peekFirst())) {
                            buffer.pollFirst();
                            pump();
                        }
                        return Registration.NONE;
                    }
                    if (drained()) {
                        waiter.tryWin(index, CLOSED);
                        return Registration.NONE;
                    }
                    WaitNode node = new WaitNode(waiter, index, null);
                    receivers.add(node);
                    return () -> unlink(node);
                } finally {
                    lock.unlock();
                }
            }

            @Override
            public T complete(Object handed) {
                return received(handed);
            }
        };
    }

    /**
     * What a receive clause's winner was handed: the value, or {@link #CLOSED} (nothing more will
     * come), which throws. Shared by the receive clauses of this package (channel, watch).
     *
     * @throws ChannelClosedException if {@code handed} is {@link #CLOSED}
     */
    @SuppressWarnings("unchecked")
    static <T> T received(Object handed) {
        if (handed == CLOSED) {
            throw new ChannelClosedException();
        }
        return (T) handed;
    }

    @Override
    public Iterator<T> iterator() {
        return new Iterator<>() {
            private T next;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (next != null) {
                    return true;
                }
                if (done) {
                    return false;
                }
                try {
                    ReceiveResult<T> r = doReceive(false, 0);
                    if (r instanceof ReceiveResult.Value<T>(T v)) {
                        next = v;
                        return true;
                    }
                    done = true;
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    CancellationException ce = new CancellationException("interrupted while receiving");
                    ce.initCause(e);
                    throw ce;
                }
            }

            @Override
            public T next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                T v = next;
                next = null;
                return v;
            }
        };
    }

    @Override
    public Stream<T> stream() {
        return StreamSupport.stream(
                Spliterators.spliteratorUnknownSize(iterator(), Spliterator.ORDERED | Spliterator.NONNULL),
                false);
    }

    // ---------------------------------------------------------------- closing

    /**
     * {@inheritDoc}
     *
     * <p>A named channel leaves the metrics.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            WaitNode n;
            while ((n = senders.poll()) != null) {
                n.waiter.tryWin(n.index, CLOSED);
            }
            pump();
        } finally {
            lock.unlock();
        }
        if (named != null) {
            named.close();
        }
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public String toString() {
        return "Channel[" + (named == null ? "" : named.name() + ", ") + "capacity=" + (capacity == Integer.MAX_VALUE ? "unbounded" : capacity)
                + (closed ? ", closed]" : "]");
    }

    /** What metrics read from a named channel. */
    private final class Gauges extends Named.Gauges {
        Gauges(String name) {
            super(name, "channel");
        }

        @Override
        public int depth() {
            return size();
        }

        @Override
        public int capacity() {
            return capacity;
        }

        @Override
        public int parkedSenders() {
            lock.lock();
            try {
                return senders.size();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public int parkedReceivers() {
            lock.lock();
            try {
                return receivers.size();
            } finally {
                lock.unlock();
            }
        }
    }

    // ---------------------------------------------------------------- internals (lock held)

    private boolean hasRoom() {
        return buffer.size() + reserved < capacity;
    }

    private boolean drained() {
        return closed && buffer.isEmpty() && reserved == 0;
    }

    /** Hands buffered values to parked receivers and free slots to parked senders. */
    @SuppressWarnings("unchecked")
    private void pump() {
        if (receivers.isEmpty() && senders.isEmpty()) {
            return; // the common case: nobody parked, nothing to hand over
        }
        for (;;) {
            while (!buffer.isEmpty() && !receivers.isEmpty()) {
                WaitNode n = receivers.poll();
                if (n.waiter.tryWin(n.index, buffer.peekFirst())) {
                    buffer.pollFirst();
                }
            }
            boolean added = false;
            while (hasRoom() && !senders.isEmpty()) {
                WaitNode n = senders.poll();
                if (n.payload == RESERVE) {
                    if (n.waiter.tryWin(n.index, RESERVE)) {
                        reserved++;
                    }
                } else if (n.waiter.tryWin(n.index, null)) {
                    buffer.addLast((T) n.payload);
                    added = true;
                }
            }
            if (drained()) {
                WaitNode n;
                while ((n = receivers.poll()) != null) {
                    n.waiter.tryWin(n.index, CLOSED);
                }
            }
            if (!added || receivers.isEmpty()) {
                return;
            }
        }
    }

    private void unlink(WaitNode node) {
        lock.lock();
        try {
            if (node.list != null) {
                node.list.remove(node);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Waits for a single-clause node; on give-up removes it. Null: timed out. */
    private SelectWaiter.Won awaitNode(WaitNode node, boolean timed, long deadline) throws InterruptedException {
        SelectWaiter.Won won;
        try {
            won = node.waiter.await(timed, deadline);
        } catch (InterruptedException e) {
            unlink(node);
            throw e;
        }
        if (won == null) {
            unlink(node);
        }
        return won;
    }
}
