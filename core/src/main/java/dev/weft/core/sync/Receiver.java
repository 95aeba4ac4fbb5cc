package dev.weft.core.sync;

import java.time.Duration;
import java.util.Iterator;
import java.util.stream.Stream;

/**
 * The receiving half of a {@link Channel}. Several threads may receive concurrently (they compete:
 * each value goes to exactly one of them, in FIFO order of arrival at the channel).
 *
 * {@snippet :
 * Receiver<String> rx = channel.receiver();
 * for (String s : rx) {   // until the channel is closed and drained
 *     System.out.println(s);
 * }
 * }
 *
 * <p><b>Memory consistency:</b> actions in a thread before it sends a value happen-before the
 * actions of the thread that receives that value, after its receive returns.
 *
 * @param <T> the element type
 */
public interface Receiver<T> extends Iterable<T> {

    /**
     * Receives the next value, parking while the channel is empty and open.
     *
     * <p><b>Cancel safety:</b> if this throws {@link InterruptedException} no value was taken; if
     * a value was handed to this receiver before the interrupt was seen, it is returned normally
     * and the interrupt status stays set.
     *
     * @return the value
     * @throws InterruptedException   if interrupted before or while waiting (nothing consumed)
     * @throws ChannelClosedException if the channel is closed and drained (and no permit is
     *                                outstanding)
     */
    T receive() throws InterruptedException;

    /**
     * Receives the next value, parking at most {@code timeout}.
     *
     * <p><b>Cancel safety:</b> as {@link #receive()}.
     *
     * @param timeout how long to wait; zero or negative behaves like {@link #tryReceive()}
     * @return {@link ReceiveResult.Value}, {@link ReceiveResult.Empty} if the timeout elapsed, or
     *     {@link ReceiveResult.Closed}
     * @throws InterruptedException if interrupted before or while waiting (nothing consumed)
     */
    ReceiveResult<T> receive(Duration timeout) throws InterruptedException;

    /**
     * Receives a value if one is buffered now; never parks.
     *
     * @return {@link ReceiveResult.Value}, {@link ReceiveResult.Empty} or {@link ReceiveResult.Closed}
     */
    ReceiveResult<T> tryReceive();

    /**
     * A {@link Select} clause that receives one value; only the winning select takes it.
     *
     * @return the clause; it throws {@link ChannelClosedException} from the select if it commits
     *     because the channel is closed and drained
     */
    SelectClause<T> onReceive();

    /**
     * An iterator that receives until the channel is closed and drained. {@code hasNext()} parks.
     * If interrupted while parked it restores the interrupt status and throws
     * {@link java.util.concurrent.CancellationException}, having consumed nothing.
     *
     * @return a receiving iterator (single-threaded use)
     */
    @Override
    Iterator<T> iterator();

    /**
     * A sequential stream that receives until the channel is closed and drained (see
     * {@link #iterator()} for parking and interruption).
     *
     * @return an ordered stream of received values
     */
    Stream<T> stream();

    /** Closes the channel (see {@link Sender#close()}); buffered values can still be received. */
    void close();

    /**
     * Whether the channel is closed (values may still be buffered).
     *
     * @return true once closed
     */
    boolean isClosed();
}
