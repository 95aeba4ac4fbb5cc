package dev.weft.timers;

import dev.weft.timers.testing.WeftTest;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Saturated deadlines compare and tick correctly; shutdown keeps submitted (due) tasks whatever the delayed policy. */
class OverflowAndShutdownReviewTest {

    /** A deadline saturated at the far past stays earlier than any other once the clock has moved. */
    @WeftTest(autoAdvance = false)
    void saturatedPastDeadlineComparesEarliest(TestClock clock) {
        Deadline past = Deadline.after(Duration.ofSeconds(Long.MIN_VALUE));
        clock.advance(Duration.ofMillis(1));
        Deadline now = Deadline.after(Duration.ZERO);
        Deadline later = Deadline.after(Duration.ofHours(1));
        assertTrue(past.compareTo(now) < 0, "past vs now");
        assertTrue(past.compareTo(later) < 0, "past vs later");
        assertTrue(later.compareTo(past) > 0, "later vs past");
        assertSame(past, later.min(past));
    }

    /** Nested in a deadline, a scope whose deadline is saturated in the past throws at once without running its body. */
    @WeftTest(autoAdvance = false)
    void saturatedPastDeadlineNestedDoesNotRunBody(TestClock clock) throws Exception {
        Deadline past = Deadline.after(Duration.ofSeconds(Long.MIN_VALUE));
        clock.advance(Duration.ofMillis(1));
        AtomicBoolean ran = new AtomicBoolean();
        Deadline.within(Deadline.after(Duration.ofHours(1)), () ->
                assertThrows(TimeoutException.class, () -> Deadline.within(past, () -> ran.getAndSet(true))));
        assertFalse(ran.get(), "the body ran under a deadline long passed");
    }

    /** An interval whose start is saturated in the past ticks at once (Tokio: a past start ticks immediately). */
    @WeftTest(autoAdvance = false, realTimeLimitSeconds = 5)
    void intervalAtSaturatedPastStartTicksAtOnce() throws Exception {
        long v0 = Time.nanoTime();
        Interval iv = Time.intervalAt(Deadline.after(Duration.ofSeconds(Long.MIN_VALUE)), Duration.ofSeconds(1))
                .missedTickBehavior(MissedTickBehavior.DELAY);
        iv.tick();
        assertEquals(v0, Time.nanoTime());
    }

    /**
     * ExecutorService.shutdown: "previously submitted tasks are executed". As in
     * ScheduledThreadPoolExecutor, executeExistingDelayedTasksAfterShutdown=false cancels only
     * tasks whose delay has not elapsed; a task submitted with no delay still runs.
     */
    @WeftTest
    void shutdownRunsSubmittedTasksWhenDelayedPolicyIsOff() throws Exception {
        WheelScheduledExecutor p = Timers.newScheduledExecutor();
        p.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        Future<String> submitted = p.submit(() -> "ran");
        var delayed = p.schedule(() -> "late", 1, java.util.concurrent.TimeUnit.HOURS);
        p.shutdown(); // no yield since submit: the submitted task's timer has not fired yet
        assertTrue(delayed.isCancelled());
        assertFalse(submitted.isCancelled(), "a submitted task was cancelled by shutdown");
        assertEquals("ran", submitted.get());
    }

    /**
     * Like get(), awaitTermination by a task of the runtime waits in virtual time: auto-advance
     * moves the clock to the delayed tasks it waits for, and its timeout is virtual time too.
     */
    @WeftTest(realTimeLimitSeconds = 10)
    void awaitTerminationWaitsInVirtualTime() throws Exception {
        long t0 = Time.nanoTime();
        WheelScheduledExecutor p = Timers.newScheduledExecutor();
        p.schedule(() -> {}, 10, java.util.concurrent.TimeUnit.SECONDS);
        p.shutdown();
        assertTrue(p.awaitTermination(1, java.util.concurrent.TimeUnit.HOURS));
        assertEquals(Duration.ofSeconds(10), Duration.ofNanos(Time.nanoTime() - t0));

        WheelScheduledExecutor q = Timers.newScheduledExecutor();
        q.setContinueExistingPeriodicTasksAfterShutdownPolicy(true);
        q.scheduleAtFixedRate(() -> {}, 1, 1, java.util.concurrent.TimeUnit.MINUTES);
        q.shutdown();
        assertFalse(q.awaitTermination(1, java.util.concurrent.TimeUnit.HOURS));
        assertEquals(Duration.ofSeconds(10).plusHours(1), Duration.ofNanos(Time.nanoTime() - t0));
        q.shutdownNow();
        assertTrue(q.awaitTermination(1, java.util.concurrent.TimeUnit.HOURS));
    }
}
