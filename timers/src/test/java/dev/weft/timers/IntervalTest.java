package dev.weft.timers;

import dev.weft.core.Task;
import dev.weft.core.Weft;
import dev.weft.timers.testing.WeftTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Interval} with Tokio's missed-tick semantics, deterministic under the test clock. */
class IntervalTest {
    private static final Duration P = Duration.ofMillis(300);

    /** Ticks (as offsets from the start, in ms) and the times they were returned at. */
    private record Run(List<Long> ticks, List<Long> at) {}

    /** Ticks once, sleeps 950 ms (missing ticks 300, 600, 900), then ticks {@code more} times. */
    private static Run lateRun(MissedTickBehavior b, int more) throws InterruptedException {
        long t0 = Time.nanoTime();
        Interval i = Time.interval(P).missedTickBehavior(b);
        List<Long> ticks = new ArrayList<>();
        List<Long> at = new ArrayList<>();
        ticks.add((i.tick() - t0) / 1_000_000);
        at.add((Time.nanoTime() - t0) / 1_000_000);
        Time.sleep(Duration.ofMillis(950));
        for (int k = 0; k < more; k++) {
            ticks.add((i.tick() - t0) / 1_000_000);
            at.add((Time.nanoTime() - t0) / 1_000_000);
        }
        return new Run(ticks, at);
    }

    /** On time, ticks come every period, the first at once. */
    @WeftTest
    void onTimeTicksEveryPeriod() throws Exception {
        long t0 = Time.nanoTime();
        Interval i = Time.interval(P);
        for (int k = 0; k < 5; k++) {
            long tick = i.tick();
            assertEquals(k * 300L, (tick - t0) / 1_000_000);
            assertEquals(k * 300L, (Time.nanoTime() - t0) / 1_000_000, "tick " + k + " returned late");
        }
    }

    /** BURST: missed ticks complete at once, then the original schedule resumes. */
    @WeftTest
    void burst() throws Exception {
        Run r = lateRun(MissedTickBehavior.BURST, 5);
        assertEquals(List.of(0L, 300L, 600L, 900L, 1200L, 1500L), r.ticks());
        assertEquals(List.of(0L, 950L, 950L, 950L, 1200L, 1500L), r.at());
    }

    /** DELAY: one tick now, then every period from now. */
    @WeftTest
    void delay() throws Exception {
        Run r = lateRun(MissedTickBehavior.DELAY, 3);
        assertEquals(List.of(0L, 300L, 1250L, 1550L), r.ticks());
        assertEquals(List.of(0L, 950L, 1250L, 1550L), r.at());
    }

    /** SKIP: one tick now, then the next multiple of the period of the original schedule. */
    @WeftTest
    void skip() throws Exception {
        Run r = lateRun(MissedTickBehavior.SKIP, 3);
        assertEquals(List.of(0L, 300L, 1200L, 1500L), r.ticks());
        assertEquals(List.of(0L, 950L, 1200L, 1500L), r.at());
    }

    /** A tick late by at most 5 ms counts as on time (Tokio's tolerance): the schedule does not shift. */
    @WeftTest
    void smallLatenessKeepsTheSchedule() throws Exception {
        long t0 = Time.nanoTime();
        Interval i = Time.interval(P).missedTickBehavior(MissedTickBehavior.DELAY);
        i.tick();
        Time.sleep(Duration.ofMillis(304));
        assertEquals(300L, (i.tick() - t0) / 1_000_000);
        assertEquals(600L, (i.tick() - t0) / 1_000_000);
    }

    /** intervalAt starts at the given deadline; reset() moves the next tick a period from now. */
    @WeftTest
    void intervalAtAndReset() throws Exception {
        long t0 = Time.nanoTime();
        Interval i = Time.intervalAt(Deadline.after(Duration.ofSeconds(1)), P);
        assertEquals(1000L, (i.tick() - t0) / 1_000_000);
        Time.sleep(Duration.ofMillis(100));
        i.reset();
        assertEquals(1400L, (i.tick() - t0) / 1_000_000);
    }

    /** An interrupted tick throws and does not consume the tick. */
    @WeftTest
    void interruptedTickIsNotConsumed() throws Exception {
        long t0 = Time.nanoTime();
        Interval i = Time.interval(P);
        i.tick();
        Thread me = Thread.currentThread();
        Task<Void> interrupter = Weft.spawn(() -> {
            Time.sleep(Duration.ofMillis(100));
            me.interrupt();
            return null;
        });
        assertThrows(InterruptedException.class, i::tick);
        interrupter.join();
        assertEquals(300L, (i.tick() - t0) / 1_000_000);
    }

    /** A zero or negative period is rejected with its value. */
    @Test
    void badPeriodRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Time.interval(Duration.ofMillis(-3)));
        assertTrue(e.getMessage().contains("-0.003") || e.getMessage().contains("PT-0.003S"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Time.interval(Duration.ZERO));
        assertThrows(NullPointerException.class, () -> Time.interval(null));
    }
}
