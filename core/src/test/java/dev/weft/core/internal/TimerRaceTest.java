package dev.weft.core.internal;

import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.core.spi.TimerHandle;
import org.junit.jupiter.api.RepeatedTest;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A timer either fires or is cancelled, exactly once, when its carrier fires it while another
 * thread cancels it: the action runs if and only if {@code cancel()} returned false. The timers
 * share one deadline and the canceller starts on it, walking them in the order the carrier fires
 * them, so the two meet on the same timers. Half are armed on their carrier, half from a platform
 * thread (through the carrier's inbox).
 */
class TimerRaceTest {
    private static final int TIMERS = 20_000;

    @RepeatedTest(10)
    void fireAndCancelRaceEndsExactlyOnce() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().carriers(1).build()) {
            AtomicIntegerArray ran = new AtomicIntegerArray(TIMERS);
            CountDownLatch ended = new CountDownLatch(TIMERS);
            TimerHandle[] timers = new TimerHandle[TIMERS];
            long deadline = RuntimeAccess.nanoTime(rt) + TimeUnit.MILLISECONDS.toNanos(30);
            rt.run(() -> {
                arm(rt, deadline, timers, ran, ended, 0, TIMERS / 2);
                return null;
            });
            arm(rt, deadline, timers, ran, ended, TIMERS / 2, TIMERS);
            boolean[] cancelled = new boolean[TIMERS];
            while (RuntimeAccess.nanoTime(rt) < deadline) {
                Thread.onSpinWait();
            }
            for (int i = 0; i < TIMERS; i++) {
                cancelled[i] = timers[i].cancel();
                if (cancelled[i]) {
                    ended.countDown(); // a cancelled timer never fires: it ends here
                }
            }
            assertTrue(ended.await(30, TimeUnit.SECONDS),
                    ended.getCount() + " of " + TIMERS + " timers neither fired nor were cancelled within 30 s");
            for (int i = 0; i < TIMERS; i++) {
                assertEquals(cancelled[i] ? 0 : 1, ran.get(i), "timer " + i + " (cancel returned " + cancelled[i] + ")");
                assertFalse(timers[i].cancel(), "timer " + i + " cancelled after it ended");
            }
        }
    }

    private static void arm(WeftRuntime rt, long deadline, TimerHandle[] timers, AtomicIntegerArray ran,
                            CountDownLatch ended, int from, int to) {
        for (int i = from; i < to; i++) {
            int index = i;
            timers[i] = RuntimeAccess.schedule(rt, deadline, () -> {
                ran.incrementAndGet(index);
                ended.countDown();
            });
        }
    }
}
