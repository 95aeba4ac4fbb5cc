package dev.weft.core.sync;

import java.time.Duration;
import java.util.Optional;

/**
 * The sending half of a {@link Channel}; any number of threads may send concurrently.
 *
 * {@snippet :
 * Sender<String> tx = Channel.<String>bounded(16).sender();
 * tx.send("hello");               // parks while the channel is full
 * boolean sent = tx.trySend("x"); // never parks
 * }
 *
 * <p><b>Memory consistency:</b> actions in a thread before it sends a value happen-before the
 * actions of the thread that receives that value, after its receive returns.
 *
 * @param <T> the element type
 */
public interface Sender<T> {

    /**
     * Sends {@code value}, parking while the channel has no free capacity. Returns once the value
     * is in the channel (an unbounded channel never parks).
     *
     * <p><b>Cancel safety:</b> if this throws {@link InterruptedException} the value was not
     * enqueued; if the value was enqueued before the interrupt was seen, the call returns normally
     * with the interrupt status set.
     *
     * @param value the value, not null
     * @throws InterruptedException   if interrupted before or while waiting (value not sent)
     * @throws ChannelClosedException if the channel is or becomes closed before the value is
     *                                enqueued; {@link ChannelClosedException#getValue()} returns it
     * @throws NullPointerException   if {@code value} is null
     */
    void send(T value) throws InterruptedException;

    /**
     * Sends {@code value}, parking at most {@code timeout} for capacity.
     *
     * <p><b>Cancel safety:</b> as {@link #send(Object)}; {@code false} means the value was not sent.
     *
     * @param value   the value, not null
     * @param timeout how long to wait; zero or negative sends only if there is room now, as
     *                {@link #trySend}, except that an interrupt status already set throws (as
     *                {@code BlockingQueue.offer(e, 0, unit)})
     * @return {@code true} if sent, {@code false} if the timeout elapsed first
     * @throws InterruptedException   if interrupted before or while waiting (value not sent)
     * @throws ChannelClosedException if the channel is or becomes closed first (carries the value)
     * @throws NullPointerException   if an argument is null
     */
    boolean send(T value, Duration timeout) throws InterruptedException;

    /**
     * Sends {@code value} if the channel has free capacity now; never parks.
     *
     * @param value the value, not null
     * @return {@code true} if sent, {@code false} if the channel is full
     * @throws ChannelClosedException if the channel is closed (carries the value)
     * @throws NullPointerException   if {@code value} is null
     */
    boolean trySend(T value);

    /**
     * Reserves one slot of capacity, parking until one is free. The returned permit's
     * {@link Permit#send} then cannot fail or park; closing the permit unused returns the slot.
     * While a permit is outstanding, receivers of a closed channel wait for it.
     *
     * <p><b>Cancel safety:</b> if this throws {@link InterruptedException} no capacity is held.
     *
     * @return a permit for exactly one value
     * @throws InterruptedException   if interrupted before or while waiting
     * @throws ChannelClosedException if the channel is or becomes closed first
     */
    Permit<T> reserve() throws InterruptedException;

    /**
     * As {@link #reserve()}, waiting at most {@code timeout}.
     *
     * @param timeout how long to wait; zero or negative behaves like {@link #tryReserve()}
     * @return the permit, or empty if the timeout elapsed first (no capacity held)
     * @throws InterruptedException   if interrupted before or while waiting
     * @throws ChannelClosedException if the channel is or becomes closed first
     */
    Optional<Permit<T>> reserve(Duration timeout) throws InterruptedException;

    /**
     * Reserves one slot if one is free now; never parks.
     *
     * @return the permit, or empty if the channel is full
     * @throws ChannelClosedException if the channel is closed
     */
    Optional<Permit<T>> tryReserve();

    /**
     * A {@link Select} clause that sends {@code value}; its result is the value sent. If the
     * select is decided by another clause, the value is not sent.
     *
     * @param value the value, not null
     * @return the clause; it throws {@link ChannelClosedException} (carrying the value) from the
     *     select if it commits because the channel is closed
     * @throws NullPointerException if {@code value} is null
     */
    SelectClause<T> onSend(T value);

    /**
     * Closes the channel: later sends fail, receivers drain buffered values and then see it closed,
     * parked senders wake with {@link ChannelClosedException} carrying their value. Idempotent.
     */
    void close();

    /**
     * Whether {@link #close()} was called.
     *
     * @return true once closed
     */
    boolean isClosed();
}
