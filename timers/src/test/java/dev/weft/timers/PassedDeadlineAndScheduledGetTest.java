package dev.weft.timers;

import dev.weft.core.WeftRuntime;
import dev.weft.timers.testing.WeftTest;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two contracts of the timers module that a review found broken (each test failed 3 of 3 before
 * the fix):
 * <ul>
 *   <li>a {@code Time.timeout} nested in a deadline that has already passed does not run its body
 *       (it ran it when the enclosing deadline came first and its timer had not fired yet);</li>
 *   <li>an untimed {@code get()} of a scheduled task whose body sleeps lets the test clock move
 *       for it (it held the clock still for good: the waiter counted as busy).</li>
 * </ul>
 */
class PassedDeadlineAndScheduledGetTest {

    @WeftTest(autoAdvance = false)
    void aTimeoutInsideAPassedDeadlineDoesNotRunItsBody(TestClock clock) throws Exception {
        AtomicBoolean ran = new AtomicBoolean();
        Deadline.within(Deadline.after(Duration.ofSeconds(1)), () -> {
            clock.advance(Duration.ofSeconds(2)); // the enclosing deadline has passed; its timer has not run
            assertTrue(Deadline.current().orElseThrow().isExpired());
            assertThrows(TimeoutException.class, () -> Time.timeout(Duration.ofHours(1), () -> {
                ran.set(true);
                return "ran";
            }));
            return null;
        });
        assertFalse(ran.get(), "the body ran although the current deadline had passed on entry");
    }

    @WeftTest(realTimeLimitSeconds = 10)
    void anUntimedGetOfASleepingScheduledTaskReturns(WeftRuntime rt) throws Exception {
        WheelScheduledExecutor ses = Timers.newScheduledExecutor(rt);
        ScheduledFuture<String> f = ses.schedule(() -> {
            Time.sleep(Duration.ofSeconds(1)); // virtual time: ends only if the clock moves
            return "ok";
        }, 10, TimeUnit.MILLISECONDS);
        assertEquals("ok", f.get());
    }
}
