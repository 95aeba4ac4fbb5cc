package dev.weft.core.sync;

import java.time.Duration;

/**
 * One subscriber of a {@link Broadcast}; it sees every value sent after it subscribed, unless it
 * falls behind (see {@link BroadcastResult.Lagged}).
 *
 * {@snippet :
 * try (BroadcastReceiver<String> rx = events.subscribe()) {
 *     while (rx.receive() instanceof BroadcastResult.Value<String>(var v)) {
 *         handle(v);
 *     }
 * }
 * }
 *
 * <p><b>Thread safety:</b> usually one thread reads a receiver, but it is thread-safe: threads
 * that share one receiver (with {@code receive}, {@code tryReceive} or {@link #onReceive()} in a
 * {@link Select}) compete for its values, and each of its results goes to exactly one of them.
 * Actions before a {@code send} happen-before the return of the receive that returns the value.
 *
 * @param <T> the element type
 */
public final class BroadcastReceiver<T> implements AutoCloseable {
    private final Broadcast<T> channel;
    /** Sequence number of the next value to read; guarded by the channel's lock. */
    long next;
    /** Guarded by the channel's lock. */
    private boolean closed;
    /** This receiver's select registrations commit through this (one object, not one per select). */
    private final WaitList.Offer offer = this::tryCommit;

    BroadcastReceiver(Broadcast<T> channel, long next) {
        this.channel = channel;
        this.next = next;
    }

    /**
     * Receives the next value, parking while there is none and the channel is open.
     *
     * <p><b>Cancel safety:</b> if this throws {@link InterruptedException} nothing was consumed.
     *
     * @return {@link BroadcastResult.Value}, {@link BroadcastResult.Lagged} or
     *     {@link BroadcastResult.Closed}, never {@code Empty}
     * @throws InterruptedException if interrupted before or while waiting
     */
    public BroadcastResult<T> receive() throws InterruptedException {
        return doReceive(false, 0);
    }

    /**
     * As {@link #receive()}, waiting at most {@code timeout}.
     *
     * @param timeout how long to wait
     * @return the result, {@link BroadcastResult.Empty} on timeout
     * @throws InterruptedException if interrupted before or while waiting
     */
    public BroadcastResult<T> receive(Duration timeout) throws InterruptedException {
        return doReceive(true, Timeouts.deadline(timeout));
    }

    /**
     * Receives without parking.
     *
     * @return the result; {@link BroadcastResult.Empty} if nothing new
     */
    public BroadcastResult<T> tryReceive() {
        channel.lock.lock();
        try {
            return poll();
        } finally {
            channel.lock.unlock();
        }
    }

    /**
     * A {@link Select} clause that receives from this receiver: its result is what
     * {@link #receive()} would return ({@code Value}, {@code Lagged} or {@code Closed}, never
     * {@code Empty}), and the receiver moves past it only if the clause wins. A clause that loses
     * leaves the receiver where it was, so the value is still there for the next receive.
     *
     * {@snippet :
     * BroadcastResult<String> r = Select.select(rx.onReceive(),
     *         shutdown.onCancelled().map(c -> new BroadcastResult.Closed<String>()));
     * }
     *
     * @return the clause (reusable)
     */
    public SelectClause<BroadcastResult<T>> onReceive() {
        return (waiter, index) -> {
            channel.lock.lock();
            try {
                if (waiter.isDecided() || tryCommit(waiter, index)) {
                    return SelectClause.Registration.NONE;
                }
                WaitNode node = new WaitNode(waiter, index, offer);
                channel.waiters.add(node);
                return () -> channel.unlink(node);
            } finally {
                channel.lock.unlock();
            }
        };
    }

    /**
     * Unsubscribes; later receives return {@link BroadcastResult.Closed}, and so do receives and
     * selects parked on this receiver now. Idempotent.
     */
    @Override
    public void close() {
        channel.lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            // in the same critical section: a send or receiverCount() that sees this receiver
            // closed must not count it (found by BroadcastLincheckTest)
            channel.unsubscribeLocked(this);
        } finally {
            channel.lock.unlock();
        }
    }

    /** Under the channel lock: what a receive would return now (Empty if nothing), taking nothing. */
    @SuppressWarnings("unchecked")
    private BroadcastResult<T> peek() {
        if (closed) {
            return new BroadcastResult.Closed<>();
        }
        long tail = channel.tail;
        long oldest = tail - channel.capacity;
        if (next < oldest) {
            return new BroadcastResult.Lagged<>(oldest - next);
        }
        if (next < tail) {
            return new BroadcastResult.Value<>((T) channel.ring[(int) (next % channel.ring.length)]);
        }
        return channel.closed ? new BroadcastResult.Closed<>() : new BroadcastResult.Empty<>();
    }

    /** Under the channel lock: moves past {@code r}, which {@link #peek()} just returned. */
    private void take(BroadcastResult<T> r) {
        if (r instanceof BroadcastResult.Lagged<T>(long missed)) {
            next += missed;
        } else if (r instanceof BroadcastResult.Value) {
            next++;
        }
    }

    /** Under the channel lock: a result (taken), or Empty. */
    private BroadcastResult<T> poll() {
        BroadcastResult<T> r = peek();
        take(r);
        return r;
    }

    /** {@link WaitList.Offer} of this receiver's select registrations; under the channel lock. */
    private boolean tryCommit(SelectWaiter waiter, int index) {
        BroadcastResult<T> r = peek();
        if (r instanceof BroadcastResult.Empty) {
            return false;
        }
        if (waiter.tryWin(index, r)) {
            take(r);
        }
        return true;
    }

    private BroadcastResult<T> doReceive(boolean timed, long deadline) throws InterruptedException {
        Timeouts.checkInterrupt();
        for (;;) {
            WaitNode node;
            channel.lock.lock();
            try {
                BroadcastResult<T> r = poll();
                if (!(r instanceof BroadcastResult.Empty)) {
                    return r;
                }
                node = new WaitNode(new SelectWaiter(), 0, null);
                channel.waiters.add(node);
            } finally {
                channel.lock.unlock();
            }
            SelectWaiter.Won won;
            try {
                won = node.waiter.await(timed, deadline);
            } catch (InterruptedException e) {
                channel.unlink(node);
                throw e;
            }
            if (won == null) {
                channel.unlink(node);
                return new BroadcastResult.Empty<>();
            }
        }
    }
}
