package dev.weft.structured;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.timers.Time;
import dev.weft.timers.testing.WeftTest;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A select that waits only for the end of the runtime's own tasks ({@link Fork#onComplete()},
 * {@link JoinSet#onJoinNext()}, {@link Clauses#completion}) waits as {@code Fork.join} and
 * {@code JoinSet.joinNext} do: under a test clock's auto-advance, virtual time moves for the
 * sleeping tasks it waits for. Before, such a select held virtual time still and the test hung
 * until its real-time limit.
 */
class SelectCompletionTestClockTest {
    private static final int ROUNDS = 20;
    private static final Duration NAP = Duration.ofSeconds(30);

    @WeftTest(realTimeLimitSeconds = 20)
    void forkCompletionInVirtualTime() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            long t0 = Time.nanoTime();
            try (Scope scope = Scope.open("nap")) {
                Fork<String> f = scope.fork(() -> {
                    Time.sleep(NAP);
                    return "woke";
                });
                assertSame(f, Structured.select(f.onComplete()));
                scope.join();
                assertEquals("woke", f.resultNow());
            }
            assertEquals(NAP, Duration.ofNanos(Time.nanoTime() - t0));
        }
    }

    @WeftTest(realTimeLimitSeconds = 20)
    void joinSetCompletionInVirtualTime() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            long t0 = Time.nanoTime();
            try (JoinSet<String> set = new JoinSet<>("naps")) {
                set.spawn(() -> {
                    Time.sleep(NAP);
                    return "woke";
                });
                JoinResult<String> r = Structured.select(set.onJoinNext());
                assertEquals("woke", r.valueOrThrow());
            }
            assertEquals(NAP, Duration.ofNanos(Time.nanoTime() - t0));
        }
    }

    @WeftTest(realTimeLimitSeconds = 20)
    void taskCompletionInVirtualTime() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            long t0 = Time.nanoTime();
            Task<String> t = WeftRuntime.current().spawn(() -> {
                Time.sleep(NAP);
                return "woke";
            });
            assertSame(t, Structured.select(Clauses.completion(t)));
            assertEquals("woke", t.join());
            assertEquals(NAP, Duration.ofNanos(Time.nanoTime() - t0));
        }
    }
}
