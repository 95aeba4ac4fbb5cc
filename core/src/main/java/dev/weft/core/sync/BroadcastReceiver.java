package dev.weft.core.sync;

import java.time.Duration;

/**
 * One subscriber of a {@link Broadcast}; it sees every value sent after it subscribed, unless it
 * falls behind (see {@link BroadcastResult.Lagged}). Use from one thread at a time.
 *
 * {@snippet :
 * try (BroadcastReceiver<String> rx = events.subscribe()) {
 *     while (rx.receive() instanceof BroadcastResult.Value<String>(var v)) {
 *         handle(v);
 *     }
 * }
 * }
 *
 * @param <T> the element type
 */
public final class BroadcastReceiver<T> implements AutoCloseable {
    private final Broadcast<T> channel;
    /** Sequence number of the next value to read. */
    private long next;
    private boolean closed;

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

    /** Unsubscribes; later receives return {@link BroadcastResult.Closed}. Idempotent. */
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
            channel.unsubscribeLocked();
        } finally {
            channel.lock.unlock();
        }
    }

    /** Under the channel lock: a result, or Empty. */
    @SuppressWarnings("unchecked")
    private BroadcastResult<T> poll() {
        if (closed) {
            return new BroadcastResult.Closed<>();
        }
        long tail = channel.tail;
        long oldest = tail - channel.ring.length;
        if (next < oldest) {
            long missed = oldest - next;
            next = oldest;
            return new BroadcastResult.Lagged<>(missed);
        }
        if (next < tail) {
            T v = (T) channel.ring[(int) (next % channel.ring.length)];
            next++;
            return new BroadcastResult.Value<>(v);
        }
        return channel.closed ? new BroadcastResult.Closed<>() : new BroadcastResult.Empty<>();
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
