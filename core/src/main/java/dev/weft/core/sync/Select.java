package dev.weft.core.sync;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Waits for the first of several {@link SelectClause}s to happen and commits exactly that one.
 *
 * <p>Example: take from whichever channel has a value first.
 * {@snippet :
 * Channel<String> a = Channel.bounded(8);
 * Channel<Integer> b = Channel.bounded(8);
 * b.send(42);
 * String r = Select.select(a.onReceive(), b.onReceive().map(i -> "b:" + i)); // "b:42"
 * }
 *
 * <p><b>Implementation overview.</b> A select creates one {@link SelectWaiter} (a single
 * compare-and-set decision cell) and {@linkplain SelectClause#register registers} it with each
 * clause in turn, starting at a random clause ({@link #select}) or at the first
 * ({@link #selectBiased}). A clause that can happen at once wins the cell and performs its
 * operation while holding its channel's lock; otherwise the waiter stays registered and whoever
 * makes the operation possible later must win the same cell before transferring anything. Once the
 * cell is decided, every registration is removed. Exactly one clause commits; the others leave
 * their channels untouched. This is the design of Jox's {@code Select}, with per-channel locks
 * instead of Jox's lock-free segments.
 *
 * <p><b>Interruption and cancel safety:</b> an interrupt before the select is decided makes it
 * throw {@link InterruptedException} with no clause committed. If a clause commits before the
 * interrupt is seen, the select returns its result normally and the interrupt status stays set,
 * so nothing is lost.
 *
 * <p><b>A clause that fails to register</b> (its {@link SelectClause#register} throws, e.g. a
 * timer clause on a closed runtime) ends the select at once, and no clause commits afterwards. If
 * no clause had committed, the select throws that exception and nothing was taken. If an earlier
 * clause had already committed (a sender handed it a message in the meantime), the select returns
 * that clause's result and the registration failure is dropped: a committed message is never lost.
 *
 * <p><b>Memory consistency:</b> the committing party's actions before the commit (e.g. a sender's
 * writes before {@code send}) happen-before the select's return.
 */
public final class Select {
    private Select() {}

    /**
     * Parks until one of {@code clauses} commits and returns its result. Clauses that can commit
     * at once are tried from a random starting point, so no clause starves another.
     *
     * @param clauses the branches; at least one, none null
     * @param <R>     the result type
     * @return the committed clause's result
     * @throws InterruptedException   if interrupted before or while waiting; no clause committed
     * @throws ChannelClosedException if the committed clause found its channel closed (a receive
     *                                on a closed, drained channel; a send to a closed channel)
     * @throws IllegalArgumentException if {@code clauses} is empty
     * @throws RuntimeException         what a clause's {@code register} threw, if no clause had
     *                                  committed (see the class description)
     */
    @SafeVarargs
    @SuppressWarnings("varargs")
    public static <R> R select(SelectClause<? extends R>... clauses) throws InterruptedException {
        return run(clauses, false, false, 0);
    }

    /** As {@link #select(SelectClause[])}, with the clauses in a list. */
    public static <R> R select(List<? extends SelectClause<? extends R>> clauses) throws InterruptedException {
        return run(clauses.toArray(new SelectClause<?>[0]), false, false, 0);
    }

    /**
     * As {@link #select(SelectClause[])}, but clauses that can commit at once are tried in order,
     * so the first ready clause always wins (it may starve later ones).
     */
    @SafeVarargs
    @SuppressWarnings("varargs")
    public static <R> R selectBiased(SelectClause<? extends R>... clauses) throws InterruptedException {
        return run(clauses, true, false, 0);
    }

    /**
     * As {@link #select(SelectClause[])}, giving up after {@code timeout}.
     *
     * @param timeout how long to wait; zero or negative: commit only a clause that is ready now
     * @return the committed clause's result, or empty if none committed in time (then none ever will)
     * @throws InterruptedException   if interrupted before or while waiting; no clause committed
     * @throws ChannelClosedException as for {@link #select(SelectClause[])}
     * @throws NullPointerException   if the clause that committed produced {@code null}, which an
     *                                {@code Optional} cannot hold (empty means that no clause
     *                                committed). The clause's effect has happened (a message was
     *                                taken, a notification consumed); map its result to a non-null
     *                                value to use it with a timeout
     */
    @SafeVarargs
    @SuppressWarnings("varargs")
    public static <R> Optional<R> select(Duration timeout, SelectClause<? extends R>... clauses)
            throws InterruptedException {
        long nanos = Timeouts.nanos(timeout);
        Object r = run(clauses, false, true, nanos);
        if (r == TIMED_OUT) {
            return Optional.empty();
        }
        if (r == null) {
            throw new NullPointerException("a clause of a timed select committed a null result, which an Optional cannot "
                    + "hold (empty means that no clause committed): map the clause's result to a non-null value");
        }
        @SuppressWarnings("unchecked")
        R result = (R) r;
        return Optional.of(result);
    }

    /** What {@link #run} returns when a timed select gave up: no clause committed. */
    private static final Object TIMED_OUT = new Object();

    @SuppressWarnings("unchecked")
    private static <R> R run(SelectClause<?>[] clauses, boolean biased, boolean timed, long nanos)
            throws InterruptedException {
        int n = clauses.length;
        if (n == 0) {
            throw new IllegalArgumentException("select needs at least one clause");
        }
        for (int i = 0; i < n; i++) {
            if (clauses[i] == null) {
                // not requireNonNull(x, "clause " + i): that builds the message on every select
                throw new NullPointerException("clause " + i);
            }
        }
        Timeouts.checkInterrupt();
        long deadline = timed ? Timeouts.deadline(Duration.ofNanos(nanos)) : 0;
        SelectWaiter waiter = new SelectWaiter();
        waiter.expectClauses(n);
        SelectClause.Registration[] regs = new SelectClause.Registration[n];
        int start = biased || n == 1 ? 0 : ThreadLocalRandom.current().nextInt(n);
        SelectWaiter.Won won;
        try {
            try {
                for (int k = 0; k < n && !waiter.isDecided(); k++) {
                    int i = (start + k) % n;
                    regs[i] = clauses[i].register(waiter, i);
                }
            } catch (RuntimeException | Error e) {
                // A clause registered earlier may already have won and transferred its value (a
                // sender handed over a message): then dropping the select would lose it. Closing
                // the cell decides which: if nobody won, nobody ever will and the failure is the
                // select's outcome; if a clause won, its result is.
                if (waiter.tryCancel()) {
                    throw e;
                }
            }
            won = waiter.await(timed, deadline);
        } finally {
            for (SelectClause.Registration r : regs) {
                if (r != null) {
                    r.cancel();
                }
            }
        }
        if (won == null) {
            return (R) TIMED_OUT; // only a timed select gives up, and it maps this to empty
        }
        return (R) clauses[won.index()].complete(won.value());
    }
}
