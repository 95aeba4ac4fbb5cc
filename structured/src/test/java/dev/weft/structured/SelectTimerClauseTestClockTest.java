package dev.weft.structured;

import dev.weft.core.sync.Channel;
import dev.weft.timers.Time;
import dev.weft.timers.testing.WeftTest;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A select whose only way out is a timer clause ({@link Clauses#after}, or the timer that
 * {@link Structured#selectBiased(Duration, dev.weft.core.sync.SelectClause[])} adds) waits only for
 * time, as a timed {@code Structured.select(Duration, ..)} does: under a test clock's auto-advance
 * virtual time must jump to the timer. Before, the select parked without a time limit, which
 * holds virtual time still, and the test hung until its real-time limit.
 */
class SelectTimerClauseTestClockTest {
    private static final int ROUNDS = 20;
    @WeftTest(realTimeLimitSeconds = 20)
    void timerClauseFiresInVirtualTime() throws Exception {
        Channel<String> never = Channel.bounded(1);
        for (int round = 0; round < ROUNDS; round++) {
            long t0 = Time.nanoTime();
            assertEquals(Duration.ofSeconds(30), Structured.select(never.onReceive().map(s -> Duration.ZERO),
                    Clauses.after(Duration.ofSeconds(30))));
            assertEquals(Duration.ofSeconds(30), Duration.ofNanos(Time.nanoTime() - t0));
        }
    }

    @WeftTest(realTimeLimitSeconds = 20)
    void biasedTimedSelectTimesOutInVirtualTime() throws Exception {
        Channel<String> never = Channel.bounded(1);
        for (int round = 0; round < ROUNDS; round++) {
            long t0 = Time.nanoTime();
            assertThrows(TimeoutException.class, () -> Structured.selectBiased(Duration.ofSeconds(30), never.onReceive()));
            assertEquals(Duration.ofSeconds(30), Duration.ofNanos(Time.nanoTime() - t0));
        }
    }

    /** The timed fair select already did (the control). */
    @WeftTest(realTimeLimitSeconds = 20)
    void fairTimedSelectTimesOutInVirtualTime() throws Exception {
        Channel<String> never = Channel.bounded(1);
        for (int round = 0; round < ROUNDS; round++) {
            long t0 = Time.nanoTime();
            assertThrows(TimeoutException.class, () -> Structured.select(Duration.ofSeconds(30), never.onReceive()));
            assertEquals(Duration.ofSeconds(30), Duration.ofNanos(Time.nanoTime() - t0));
        }
    }
}
