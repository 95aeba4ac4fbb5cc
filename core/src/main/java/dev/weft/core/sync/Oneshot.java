package dev.weft.core.sync;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A channel for exactly one value: one {@link #send}, one successful {@link #receive}.
 *
 * {@snippet :
 * Oneshot<String> reply = new Oneshot<>();
 * Thread.ofVirtual().start(() -> reply.send("done"));
 * String r = reply.receive();    // parks until sent; "done"
 * }
 *
 * <p>Closing it without sending (the sender gives up) makes receivers throw
 * {@link ChannelClosedException}; closing it from the receiving side makes a later send fail with
 * the value handed back. After the value was received, the oneshot is closed.
 *
 * <p><b>Thread safety and memory consistency:</b> thread-safe; actions before {@code send}
 * happen-before the return of the {@code receive} that takes the value.
 *
 * @param <T> the value type
 */
public final class Oneshot<T> implements AutoCloseable {
    private final Channel<T> channel = Channel.bounded(1);
    private final AtomicBoolean sent = new AtomicBoolean();

    /** An empty, open oneshot. */
    public Oneshot() {}

    /**
     * Stores the value for the receiver and closes the sending side; never parks.
     *
     * @param value the value, not null
     * @throws IllegalStateException  if a value was already sent (or another send is storing one)
     * @throws ChannelClosedException if the oneshot was closed (carries the value), also when
     *                                {@link #close()} lands while this send runs; a later send
     *                                then fails the same way
     * @throws NullPointerException   if {@code value} is null
     */
    public void send(T value) {
        Objects.requireNonNull(value, "value");
        if (sent.get()) {
            throw new IllegalStateException("oneshot value already sent");
        }
        if (channel.isClosed()) {
            throw new ChannelClosedException(value);
        }
        if (!sent.compareAndSet(false, true)) {
            throw new IllegalStateException("oneshot value already sent");
        }
        try {
            channel.trySend(value); // capacity 1, first and only value: never full
        } catch (ChannelClosedException e) {
            sent.set(false);        // closed since the check above: nothing was sent, later sends see the close
            throw e;
        }
        channel.close();
    }

    /**
     * Parks until the value is sent and takes it.
     *
     * <p><b>Cancel safety:</b> if this throws {@link InterruptedException}, the value (if any)
     * is still there for a later receive.
     *
     * @return the value
     * @throws InterruptedException   if interrupted before or while waiting
     * @throws ChannelClosedException if closed without a value, or the value was already taken
     */
    public T receive() throws InterruptedException {
        return channel.receive();
    }

    /**
     * As {@link #receive()}, waiting at most {@code timeout}.
     *
     * @param timeout how long to wait
     * @return the value, {@link ReceiveResult.Empty} on timeout, or {@link ReceiveResult.Closed}
     * @throws InterruptedException if interrupted before or while waiting
     */
    public ReceiveResult<T> receive(Duration timeout) throws InterruptedException {
        return channel.receive(timeout);
    }

    /**
     * Takes the value if it was sent; never parks.
     *
     * @return the value, Empty or Closed
     */
    public ReceiveResult<T> tryReceive() {
        return channel.tryReceive();
    }

    /**
     * A {@link Select} clause receiving the value: it takes the value only if it wins, so a clause
     * that loses leaves it for a later receive. Once the oneshot is closed with no value left (never
     * sent, or already taken) the clause is ready at once and the select throws
     * {@link ChannelClosedException}, like {@link #receive()}.
     *
     * {@snippet :
     * String r = Select.select(reply.onReceive(), token.onCancelled().map(c -> "cancelled"));
     * }
     *
     * @return the clause
     */
    public SelectClause<T> onReceive() {
        return channel.onReceive();
    }

    /**
     * Closes the oneshot from either side: a later {@link #send} fails, receivers that find no
     * value throw {@link ChannelClosedException}. A value already sent can still be received.
     * Idempotent.
     */
    @Override
    public void close() {
        channel.close();
    }

    /**
     * Whether closed (by {@link #close()} or because a value was sent).
     *
     * @return true if closed
     */
    public boolean isClosed() {
        return channel.isClosed();
    }
}
