package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Behaviour of {@link Select} over channel clauses. */
class SelectTest {

    /** A ready clause commits at once; the others are untouched. */
    @Test
    void readyClauseWins() throws Exception {
        Channel<Integer> a = Channel.bounded(4);
        Channel<Integer> b = Channel.bounded(4);
        b.send(2);
        String r = Select.select(a.onReceive().map(v -> "a" + v), b.onReceive().map(v -> "b" + v));
        assertEquals("b2", r);
        assertEquals(0, a.size());
        assertEquals(0, b.size());
    }

    /** The biased variant takes the first ready clause; the fair one eventually takes each. */
    @Test
    void biasedAndFair() throws Exception {
        Channel<Integer> a = Channel.unbounded();
        Channel<Integer> b = Channel.unbounded();
        for (int i = 0; i < 200; i++) {
            a.send(1);
            b.send(2);
        }
        for (int i = 0; i < 50; i++) {
            assertEquals(1, Select.selectBiased(a.onReceive(), b.onReceive()));
        }
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 100; i++) {
            seen.add(Select.select(a.onReceive(), b.onReceive()));
        }
        assertEquals(Set.of(1, 2), seen, "a fair select takes from both");
        assertEquals(1, Select.select(List.of(a.onReceive())));
    }

    /** A parked select is completed by the first channel to get a value; its registration on the other is removed. */
    @Test
    void parkedSelectWokenByEither() throws Exception {
        Channel<Integer> a = Channel.bounded(1);
        Channel<Integer> b = Channel.bounded(1);
        Threads.Task<Integer> t = Threads.start(() -> Select.select(a.onReceive(), b.onReceive()));
        Threads.awaitParked(t);
        a.send(1);
        assertEquals(1, t.get());
        b.send(2);
        assertEquals(new ReceiveResult.Value<>(2), b.tryReceive(), "the losing clause took nothing");
    }

    /** A send clause and a receive clause mix; the send only happens if it wins. */
    @Test
    void sendClause() throws Exception {
        Channel<Integer> out = Channel.bounded(1);
        Channel<Integer> in = Channel.bounded(1);
        out.send(0); // full
        Threads.Task<String> t = Threads.start(() ->
                Select.select(out.onSend(5).map(v -> "sent" + v), in.onReceive().map(v -> "got" + v)));
        Threads.awaitParked(t);
        in.send(9);
        assertEquals("got9", t.get());
        assertEquals(0, out.receive());
        assertInstanceOf(ReceiveResult.Empty.class, out.tryReceive(), "the losing send did not happen");
        assertEquals(7, Select.select(out.onSend(7)));
        assertEquals(7, out.receive());
    }

    /** Timed select returns empty after the timeout with nothing committed. */
    @Test
    void timedSelect() throws Exception {
        Channel<Integer> a = Channel.bounded(1);
        assertEquals(Optional.empty(), Select.select(Duration.ofMillis(5), a.onReceive()));
        assertEquals(Optional.empty(), Select.select(Duration.ZERO, a.onReceive()));
        a.send(3);
        assertEquals(Optional.of(3), Select.select(Duration.ZERO, a.onReceive()));
    }

    /** Bad input: no clauses, a null clause. */
    @Test
    void badInput() {
        assertThrows(IllegalArgumentException.class, () -> Select.select());
        assertThrows(NullPointerException.class, () -> Select.select(Channel.bounded(1).onReceive(), null));
    }

    /** A custom clause following the protocol takes part (a "default" branch that always wins). */
    @Test
    void customClause() throws Exception {
        Channel<Integer> a = Channel.bounded(1);
        SelectClause<Integer> always = (waiter, index) -> {
            waiter.tryWin(index, -1);
            return SelectClause.Registration.NONE;
        };
        assertEquals(-1, Select.selectBiased(a.onReceive(), always));
        a.send(1);
        assertEquals(1, Select.selectBiased(a.onReceive(), always));
    }

    /** A cancellation token's clause commits when it is cancelled. */
    @Test
    void cancellationClause() throws Exception {
        Channel<Integer> a = Channel.bounded(1);
        CancellationToken token = new CancellationToken();
        Threads.Task<String> t = Threads.start(() ->
                Select.select(a.onReceive().map(v -> "value"), token.onCancelled().map(c -> "cancelled")));
        Threads.awaitParked(t);
        token.cancel();
        assertEquals("cancelled", t.get());
        assertEquals(true, Select.select(token.onCancelled()));
    }
}
