package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link Barrier}: rounds, one leader per round, withdrawal on interrupt and timeout. */
class BarrierAwaitTest {

    /** N parties are released together, exactly one is the leader, and the barrier is reusable. */
    @Test
    void roundsAndLeader() throws Exception {
        Barrier b = new Barrier(3);
        assertEquals(3, b.parties());
        for (int round = 0; round < 50; round++) {
            List<Threads.Task<Boolean>> ts = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                ts.add(Threads.start(b::await));
            }
            int leaders = 0;
            for (Threads.Task<Boolean> t : ts) {
                leaders += t.get() ? 1 : 0;
            }
            assertEquals(1, leaders);
        }
        assertTrue(new Barrier(1).await());
        assertThrows(IllegalArgumentException.class, () -> new Barrier(0));
    }

    /** A party that times out or is interrupted withdraws: the round still needs N others. */
    @Test
    void withdrawal() throws Exception {
        Barrier b = new Barrier(2);
        assertEquals(Optional.empty(), b.await(Duration.ofMillis(5)));
        Threads.Task<Boolean> before = Threads.start(() -> {
            Thread.currentThread().interrupt();
            return b.await();
        });
        assertInstanceOf(InterruptedException.class, before.join());
        Threads.Task<Boolean> during = Threads.start(b::await);
        Threads.awaitParked(during);
        during.thread.interrupt();
        assertInstanceOf(InterruptedException.class, during.join());
        Threads.Task<Optional<Boolean>> first = Threads.start(() -> b.await(Duration.ofSeconds(30)));
        Threads.awaitParked(first);
        assertFalse(first.isDone(), "withdrawn parties do not count");
        assertTrue(b.await());
        assertEquals(Optional.of(false), first.get());
    }
}
