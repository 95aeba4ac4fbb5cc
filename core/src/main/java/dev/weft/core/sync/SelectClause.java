package dev.weft.core.sync;

import java.util.Objects;
import java.util.function.Function;

/**
 * One branch of a {@link Select}: an operation (receive from a channel, send to one, a timer, a
 * task's completion) that commits only if it wins the select.
 *
 * <p><b>Protocol</b> (Jox's {@code SelectClause}, simplified for channels that hold a lock per
 * operation). {@link #register(SelectWaiter, int)} is called once per select, in the selecting
 * thread. It either
 * <ul>
 *   <li>completes at once: if the operation can happen now, it calls
 *       {@link SelectWaiter#tryWin(int, Object)} and performs the operation only if that returned
 *       {@code true} (all while holding whatever makes the check and the operation atomic); or
 *   <li>registers the waiter, to be offered the operation later: the party that can complete it
 *       (a sender with a value, say) calls {@code tryWin} and transfers only if it won.
 * </ul>
 * When the select is decided, {@link Registration#cancel()} is called on every registration, and
 * {@link #complete(Object)} on the winning clause, in the selecting thread, with the value its
 * {@code tryWin} handed over. Because a clause transfers only after winning, a losing clause
 * never takes a message and a winning one never drops it.
 *
 * <p>Implementations must not park in {@code register} or {@code cancel}.
 *
 * <p>Example:
 * {@snippet :
 * String r = Select.select(
 *         orders.onReceive().map(o -> "order " + o),
 *         cancels.onReceive().map(c -> "cancel " + c));
 * }
 *
 * @param <R> what the select returns when this clause wins
 */
@FunctionalInterface
public interface SelectClause<R> {

    /**
     * Completes at once or registers {@code waiter} (see the class description). Called in the
     * selecting thread; never parks.
     *
     * @param waiter the select's decision cell; may already be decided by an earlier clause, in
     *               which case nothing must be done
     * @param index  the clause's index, to pass to {@link SelectWaiter#tryWin(int, Object)}
     * @return how to undo the registration, or {@link Registration#NONE} if nothing was registered
     */
    Registration register(SelectWaiter waiter, int index);

    /**
     * Turns the value this clause handed to {@link SelectWaiter#tryWin} into the select's result,
     * in the selecting thread, after the select was decided in favour of this clause. The default
     * returns the value unchanged.
     *
     * @param value the value handed over by the winning party
     * @return the select's result
     * @throws ChannelClosedException if the clause won because its channel is closed
     */
    @SuppressWarnings("unchecked")
    default R complete(Object value) {
        return (R) value;
    }

    /**
     * A clause that behaves like this one but maps its result with {@code mapper} (run in the
     * selecting thread after this clause won; an exception from it propagates from the select, the
     * operation itself has happened).
     *
     * @param mapper the function applied to this clause's result
     * @param <U>    the mapped result type
     * @return the mapped clause
     */
    default <U> SelectClause<U> map(Function<? super R, ? extends U> mapper) {
        Objects.requireNonNull(mapper, "mapper");
        SelectClause<R> self = this;
        return new SelectClause<>() {
            @Override
            public Registration register(SelectWaiter waiter, int index) {
                return self.register(waiter, index);
            }

            @Override
            public U complete(Object value) {
                return mapper.apply(self.complete(value));
            }
        };
    }

    /** Undoes one {@link #register} that left the waiter registered. */
    @FunctionalInterface
    interface Registration {
        /** A registration with nothing to undo. */
        Registration NONE = () -> {};

        /** Removes the waiter's registration; idempotent, never parks, safe after completion. */
        void cancel();
    }
}
