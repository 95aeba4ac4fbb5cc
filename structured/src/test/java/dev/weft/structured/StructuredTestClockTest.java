package dev.weft.structured;

import dev.weft.timers.Time;
import dev.weft.timers.testing.WeftTest;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Structured waits (a scope's join and close, {@code Fork.join}, {@code JoinSet.joinNext}) wait
 * only for tasks of the runtime, so under the test clock's auto-advance they must not keep
 * virtual time from moving: forks sleeping for virtual seconds end at once in real time. Without
 * that, each of these tests would hang until its real-time limit.
 */
class StructuredTestClockTest {
    private static final int ROUNDS = 5;
    /** Generous for a loaded machine; a stalled clock would take the virtual 30+ s or hang. */
    private static final Duration REAL_LIMIT = Duration.ofSeconds(5);

    private static Duration virtualSince(long t0) {
        return Duration.ofNanos(Time.nanoTime() - t0);
    }

    private static void assertFastInRealTime(long realStart, String what) {
        Duration real = Duration.ofNanos(System.nanoTime() - realStart);
        assertTrue(real.compareTo(REAL_LIMIT) < 0, what + " took " + real + " of real time");
    }

    @WeftTest(realTimeLimitSeconds = 20)
    void scopeJoinWaitsInVirtualTime() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            long real = System.nanoTime();
            long t0 = Time.nanoTime();
            try (Scope scope = Scope.open("sleepers")) {
                Fork<String> a = scope.fork(() -> {
                    Time.sleep(Duration.ofSeconds(30));
                    return "a";
                });
                Fork<String> b = scope.fork(() -> {
                    Time.sleep(Duration.ofSeconds(10));
                    return "b";
                });
                assertEquals("b", b.join(), "Fork.join waits in virtual time too");
                assertEquals(Duration.ofSeconds(10), virtualSince(t0));
                scope.join();
                assertEquals("a", a.resultNow());
            }
            assertEquals(Duration.ofSeconds(30), virtualSince(t0));
            assertFastInRealTime(real, "a scope of forks sleeping 30 virtual seconds");
        }
    }

    @WeftTest(realTimeLimitSeconds = 20)
    void structuredTimeoutFiresInVirtualTime() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            long real = System.nanoTime();
            long t0 = Time.nanoTime();
            assertThrows(TimeoutException.class, () -> Structured.timeout(Duration.ofSeconds(30), () -> {
                Time.sleep(Duration.ofSeconds(60));
                return "slept";
            }));
            assertEquals(Duration.ofSeconds(30), virtualSince(t0));
            assertFastInRealTime(real, "Structured.timeout(30 s) over a 60 s sleep");
        }
    }

    @WeftTest(realTimeLimitSeconds = 20)
    void scopeDeadlineAndVerbsInVirtualTime() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            long real = System.nanoTime();
            long t0 = Time.nanoTime();
            try (Scope scope = Scope.open("deadline", Duration.ofSeconds(1))) {
                scope.fork(() -> {
                    Time.sleep(Duration.ofSeconds(60));
                    return null;
                });
                assertThrows(DeadlineExceededException.class, scope::join);
            }
            assertEquals(Duration.ofSeconds(1), virtualSince(t0));
            Tuple2<String, String> r = Structured.tryJoin(
                    () -> {
                        Time.sleep(Duration.ofSeconds(2));
                        return "x";
                    },
                    () -> {
                        Time.sleep(Duration.ofSeconds(3));
                        return "y";
                    });
            assertEquals(new Tuple2<>("x", "y"), r);
            assertEquals(Duration.ofSeconds(4), virtualSince(t0));
            assertFastInRealTime(real, "a 1 s scope deadline and a 3 s tryJoin");
        }
    }

    @WeftTest(realTimeLimitSeconds = 20)
    void joinNextWaitsInVirtualTime() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            long real = System.nanoTime();
            long t0 = Time.nanoTime();
            try (JoinSet<Integer> set = new JoinSet<>("sleepers")) {
                set.spawn(() -> {
                    Time.sleep(Duration.ofSeconds(20));
                    return 20;
                });
                set.spawn(() -> {
                    Time.sleep(Duration.ofSeconds(10));
                    return 10;
                });
                assertEquals(10, set.joinNext().orElseThrow().valueOrThrow());
                assertEquals(Duration.ofSeconds(10), virtualSince(t0));
                assertEquals(20, set.joinNext().orElseThrow().valueOrThrow());
                assertEquals(Duration.ofSeconds(20), virtualSince(t0));
            }
            assertFastInRealTime(real, "a join set of tasks sleeping 20 virtual seconds");
        }
    }
}
