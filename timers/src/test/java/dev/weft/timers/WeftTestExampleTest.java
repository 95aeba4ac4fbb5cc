package dev.weft.timers;

import dev.weft.timers.testing.WeftTest;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example in {@link WeftTest}'s class comment, as written there, plus the real time it took. */
class WeftTestExampleTest {
    @WeftTest
    void waitsThirtySecondsInVirtualTime(TestClock clock) throws Exception {
        long realStart = System.nanoTime();
        long start = clock.nanoTime();
        Time.sleep(Duration.ofSeconds(30));   // every task waits only for time: the clock jumps
        assertEquals(30, Duration.ofNanos(clock.nanoTime() - start).toSeconds());
        long realMs = Duration.ofNanos(System.nanoTime() - realStart).toMillis();
        assertTrue(realMs < 10_000, "a 30 s virtual sleep took " + realMs + " ms of real time");
    }
}
