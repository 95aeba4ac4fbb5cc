package dev.weft.timers;

import dev.weft.timers.testing.WeftTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deadlines nest: the effective deadline is the earliest, an inner timeout never outlives an outer one. */
class DeadlineNestingTest {

    private static Duration since(long t0) {
        return Duration.ofNanos(Time.nanoTime() - t0);
    }

    /** An inner timeout longer than the outer deadline ends at the outer deadline. */
    @WeftTest
    void innerNeverOutlivesOuter() throws Exception {
        long t0 = Time.nanoTime();
        AtomicBoolean innerTimedOut = new AtomicBoolean();
        TimeoutException outer = assertThrows(TimeoutException.class, () -> Deadline.within(Deadline.after(Duration.ofSeconds(1)), () -> {
            try {
                return Time.timeout(Duration.ofSeconds(5), () -> {
                    Time.sleep(Duration.ofSeconds(10));
                    return "slept";
                });
            } catch (TimeoutException e) {
                innerTimedOut.set(true);
                throw e;
            }
        }));
        assertTrue(innerTimedOut.get(), "the inner scope also reports the timeout");
        assertInstanceOf(TimeoutException.class, outer.getCause());
        assertEquals(Duration.ofSeconds(1), since(t0));
        assertFalse(Thread.currentThread().isInterrupted());
    }

    /** A shorter inner timeout fires first; the outer scope goes on and completes normally. */
    @WeftTest
    void shorterInnerFiresFirst() throws Exception {
        long t0 = Time.nanoTime();
        String r = Deadline.within(Deadline.after(Duration.ofSeconds(5)), () -> {
            try {
                Time.timeout(Duration.ofSeconds(1), () -> {
                    Time.sleep(Duration.ofSeconds(10));
                    return null;
                });
                return "no timeout";
            } catch (TimeoutException e) {
                assertEquals(Duration.ofSeconds(1), since(t0));
                Time.sleep(Duration.ofSeconds(2)); // the outer scope still has 4 s
                return "inner timed out";
            }
        });
        assertEquals("inner timed out", r);
        assertEquals(Duration.ofSeconds(3), since(t0));
        assertFalse(Thread.currentThread().isInterrupted());
    }

    /** current() is empty outside, the effective (earliest) deadline inside nested scopes. */
    @WeftTest
    void currentIsTheEarliest() throws Exception {
        assertEquals(Optional.empty(), Deadline.current());
        Deadline outer = Deadline.after(Duration.ofSeconds(2));
        Deadline.within(outer, () -> {
            assertEquals(outer, Deadline.current().orElseThrow());
            Deadline.within(Deadline.after(Duration.ofSeconds(9)), () -> {
                assertEquals(Duration.ofSeconds(2), Deadline.current().orElseThrow().remaining());
                return null;
            });
            Deadline inner = Deadline.after(Duration.ofSeconds(1));
            Deadline.within(inner, () -> {
                assertEquals(inner, Deadline.current().orElseThrow());
                return null;
            });
            return null;
        });
        assertEquals(Optional.empty(), Deadline.current());
    }

    /** remaining() and isExpired() follow the runtime clock. */
    @WeftTest
    void remainingFollowsTheClock() throws Exception {
        Deadline d = Deadline.after(Duration.ofSeconds(10));
        assertEquals(Duration.ofSeconds(10), d.remaining());
        Time.sleep(Duration.ofSeconds(4));
        assertEquals(Duration.ofSeconds(6), d.remaining());
        assertFalse(d.isExpired());
        Time.sleepUntil(d);
        assertTrue(d.isExpired());
        assertEquals(Duration.ZERO, d.remaining());
    }

    /** A scope entered after its deadline passed throws at once without running the body. */
    @WeftTest
    void expiredOnEntryDoesNotRun() throws Exception {
        Deadline d = Deadline.after(Duration.ofSeconds(1));
        Time.sleep(Duration.ofSeconds(2));
        AtomicBoolean ran = new AtomicBoolean();
        assertThrows(TimeoutException.class, () -> Deadline.within(d, () -> ran.getAndSet(true)));
        assertFalse(ran.get());
    }

    /** A body ending before the deadline returns its value; its exception passes through. */
    @WeftTest
    void inTimeOutcomesPassThrough() throws Exception {
        assertEquals(42, Deadline.within(Deadline.after(Duration.ofSeconds(1)), () -> 42));
        IllegalStateException boom = new IllegalStateException("boom");
        assertEquals(boom, assertThrows(IllegalStateException.class,
                () -> Deadline.within(Deadline.after(Duration.ofSeconds(1)), () -> { throw boom; })));
    }

    /** Deadlines compare by time left; min picks the earlier. */
    @Test
    void ordering() {
        Deadline a = Deadline.after(Duration.ofSeconds(1));
        Deadline b = Deadline.after(Duration.ofSeconds(100));
        assertTrue(a.compareTo(b) < 0);
        assertEquals(a, a.min(b));
        assertEquals(a, b.min(a));
        assertThrows(NullPointerException.class, () -> Deadline.after(null));
        assertThrows(NullPointerException.class, () -> Deadline.within(null, () -> 1));
    }
}
