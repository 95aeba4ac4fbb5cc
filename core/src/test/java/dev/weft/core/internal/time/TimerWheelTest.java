package dev.weft.core.internal.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Deterministic tests of {@link TimerWheel}: boundaries, cascading, removal, re-entrancy, accounting. */
class TimerWheelTest {

    private static final long DAY = 86_400_000L;
    private static final long YEAR = 365 * DAY;

    /** Entry that logs (its name, the wheel time) when fired and runs an optional action. */
    private static final class T extends TimerEntry {
        final String name;
        final List<String> log;
        final TimerWheel wheel;
        Consumer<T> action = t -> {};
        int fires;
        long firedAt = Long.MIN_VALUE;
        long deadlineMs;

        T(String name, long deadline, TimerWheel wheel, List<String> log) {
            this.name = name;
            this.deadlineMs = deadline;
            this.wheel = wheel;
            this.log = log;
        }

        @Override
        protected void fire() {
            fires++;
            firedAt = wheel.elapsedMs();
            log.add(name);
            action.accept(this);
        }
    }

    private final List<String> log = new ArrayList<>();

    private T entry(TimerWheel w, String name, long deadline) {
        return new T(name, deadline, w, log);
    }

    private T scheduled(TimerWheel w, String name, long deadline) {
        T t = entry(w, name, deadline);
        w.insert(t, t.deadlineMs);
        return t;
    }

    /** At every level boundary (64^k ms, ±1, from aligned and unaligned starts) an entry fires exactly at its deadline, not a ms before. */
    @Test
    void firesExactlyAtLevelBoundaries() {
        for (long start : new long[] {0, 1, 63, 12_345, (1L << 36) - 7, 5 * YEAR + 17}) {
            for (int k = 0; k <= 7; k++) {
                for (int d = -1; d <= 1; d++) {
                    long delay = (1L << (6 * k)) + d;
                    if (delay < 1) {
                        continue;
                    }
                    TimerWheel w = new TimerWheel(start);
                    T t = scheduled(w, "t", start + delay);
                    assertTrue(w.nextDeadlineMs() <= t.deadlineMs);
                    assertTrue(w.nextDeadlineMs() > start);
                    assertEquals(0, w.advanceTo(t.deadlineMs - 1), "start " + start + " delay " + delay);
                    assertTrue(t.isScheduled());
                    assertEquals(t.deadlineMs, w.nextDeadlineMs(), "cascaded down to the exact ms");
                    assertEquals(1, w.advanceTo(t.deadlineMs));
                    assertEquals(t.deadlineMs, t.firedAt);
                    assertEquals(0, w.size());
                    assertEquals(Long.MAX_VALUE, w.nextDeadlineMs());
                }
            }
        }
    }

    /** Advancing 1 ms at a time over 10,000 ms, every entry fires in the very step that reaches its deadline. */
    @Test
    void stepByStepEachEntryFiresAtItsMillisecond() {
        TimerWheel w = new TimerWheel(100);
        List<T> ts = new ArrayList<>();
        for (int d = 1; d <= 10_000; d += 7) {
            ts.add(scheduled(w, "t" + d, 100 + d));
        }
        for (long now = 101; now <= 10_100; now++) {
            w.advanceTo(now);
        }
        for (T t : ts) {
            assertEquals(1, t.fires);
            assertEquals(t.deadlineMs, t.firedAt);
        }
        assertEquals(0, w.size());
    }

    /** Within a slot entries fire in insertion order; across deadlines in deadline order, whatever the levels. */
    @Test
    void firesInDeadlineOrderThenInsertionOrder() {
        TimerWheel w = new TimerWheel(0);
        scheduled(w, "c", 5000);
        scheduled(w, "a1", 70);
        scheduled(w, "b", 4096);
        scheduled(w, "a2", 70);
        scheduled(w, "z", 63);
        assertEquals(5, w.advanceTo(10_000));
        assertEquals(List.of("z", "a1", "a2", "b", "c"), log);
    }

    /** Removing the head, a middle entry or the tail of one slot's list leaves the others to fire. */
    @Test
    void removeHeadMiddleTailOfOneSlot() {
        for (int victim = 0; victim < 3; victim++) {
            log.clear();
            TimerWheel w = new TimerWheel(0);
            T[] ts = {scheduled(w, "0", 300), scheduled(w, "1", 300), scheduled(w, "2", 300)};
            assertTrue(w.remove(ts[victim]));
            assertFalse(ts[victim].isScheduled());
            assertFalse(w.remove(ts[victim]), "second remove");
            assertEquals(2, w.size());
            assertEquals(2, w.advanceTo(300));
            List<String> expected = new ArrayList<>(List.of("0", "1", "2"));
            expected.remove(victim);
            assertEquals(expected, log);
        }
    }

    /** Removing the only entry of a slot clears it: the wheel reports no next deadline and fires nothing. */
    @Test
    void removeLastEntryEmptiesWheel() {
        TimerWheel w = new TimerWheel(0);
        T a = scheduled(w, "a", 10);
        T b = scheduled(w, "b", 100_000);
        T c = scheduled(w, "c", 1L << 40);
        T d = scheduled(w, "d", -5);
        assertEquals(-5, w.nextDeadlineMs());
        assertTrue(w.remove(d));
        assertEquals(10, w.nextDeadlineMs());
        assertTrue(w.remove(a));
        assertTrue(w.nextDeadlineMs() > 10 && w.nextDeadlineMs() <= 100_000);
        assertTrue(w.remove(b));
        assertEquals(1L << 40, w.nextDeadlineMs(), "overflow entries report the start of their 2^36 ms epoch");
        assertTrue(w.remove(c));
        assertEquals(Long.MAX_VALUE, w.nextDeadlineMs());
        assertEquals(0, w.size());
        assertEquals(0, w.advanceTo(Long.MAX_VALUE));
        assertTrue(log.isEmpty());
    }

    /** remove of an entry never inserted, already fired or already removed returns false and changes nothing. */
    @Test
    void removeUnscheduledReturnsFalse() {
        TimerWheel w = new TimerWheel(0);
        T never = entry(w, "never", 5);
        assertFalse(w.remove(never));
        T t = scheduled(w, "t", 5);
        w.advanceTo(5);
        assertFalse(w.remove(t));
        assertEquals(0, w.size());
    }

    /** Inserting an entry that is already scheduled throws IllegalStateException and leaves the wheel intact. */
    @Test
    void doubleInsertThrows() {
        TimerWheel w = new TimerWheel(0);
        T t = scheduled(w, "t", 5);
        assertThrows(IllegalStateException.class, () -> w.insert(t, t.deadlineMs));
        TimerWheel other = new TimerWheel(0);
        assertThrows(IllegalStateException.class, () -> other.insert(t, t.deadlineMs));
        assertEquals(1, w.size());
        assertEquals(1, w.advanceTo(5));
    }

    /** An entry can be re-inserted after it fired or was removed, and fires again. */
    @Test
    void reinsertAfterFireAndAfterRemove() {
        TimerWheel w = new TimerWheel(0);
        T t = scheduled(w, "t", 10);
        w.advanceTo(10);
        assertFalse(t.isScheduled());
        t.deadlineMs = 5000;
        w.insert(t, t.deadlineMs);
        assertTrue(w.remove(t));
        t.deadlineMs = 7000;
        w.insert(t, t.deadlineMs);
        assertEquals(0, w.advanceTo(6999));
        assertEquals(1, w.advanceTo(7000));
        assertEquals(2, t.fires);
        assertEquals(7000, t.firedAt);
    }

    /** size() counts inserts, removes, fires and due entries across all levels, pending and overflow. */
    @Test
    void sizeAccounting() {
        TimerWheel w = new TimerWheel(1000);
        List<T> ts = new ArrayList<>();
        long[] deadlines = {0, 1000, 1001, 1064, 5096, 300_000, 20_000_000, 2_000_000_000L, 1L << 37, Long.MAX_VALUE};
        for (long d : deadlines) {
            ts.add(scheduled(w, "d" + d, d));
            assertEquals(ts.size(), w.size());
        }
        assertTrue(w.remove(ts.get(3)));
        assertEquals(9, w.size());
        // 0 and 1000 were due at insert; 1001 and 5096 become due; 1064 was removed
        assertEquals(4, w.advanceTo(5096));
        assertEquals(5, w.size());
        assertEquals(0, w.advanceTo(Long.MAX_VALUE - 1) - 4);
        assertEquals(1, w.size());
        assertEquals(1, w.advanceTo(Long.MAX_VALUE));
        assertEquals(0, w.size());
    }

    /** Deadlines at or before elapsed fire at the next advanceTo, even one that does not move time (or moves it back). */
    @Test
    void overdueInsertFiresAtNextAdvance() {
        TimerWheel w = new TimerWheel(500);
        T past = scheduled(w, "past", 3);
        T now = scheduled(w, "now", 500);
        T min = scheduled(w, "min", Long.MIN_VALUE);
        assertTrue(w.nextDeadlineMs() <= Long.MIN_VALUE);
        assertEquals(3, w.advanceTo(400)); // backwards: treated as 500
        assertEquals(500, w.elapsedMs());
        assertEquals(List.of("past", "now", "min"), log);
        assertFalse(past.isScheduled() || now.isScheduled() || min.isScheduled());
    }

    /** nowMs going backwards is ignored: elapsed stays, nothing that is not due fires. */
    @Test
    void backwardsTimeIgnored() {
        TimerWheel w = new TimerWheel(0);
        T t = scheduled(w, "t", 2000);
        w.advanceTo(1500);
        assertEquals(0, w.advanceTo(10));
        assertEquals(1500, w.elapsedMs());
        assertTrue(t.isScheduled());
        assertEquals(1, w.advanceTo(2000));
    }

    /** A jump from 0 to 10 years fires everything due (across levels and overflow epochs) and keeps later entries. */
    @Test
    void jumpTenYears() {
        TimerWheel w = new TimerWheel(0);
        scheduled(w, "1ms", 1);
        scheduled(w, "1d", DAY);
        scheduled(w, "1y", YEAR);
        scheduled(w, "3y", 3 * YEAR);
        scheduled(w, "9y", 9 * YEAR);
        scheduled(w, "10y", 10 * YEAR);
        T elevenY = scheduled(w, "11y", 11 * YEAR);
        T max = scheduled(w, "max", Long.MAX_VALUE);
        assertEquals(6, w.advanceTo(10 * YEAR));
        assertEquals(List.of("1ms", "1d", "1y", "3y", "9y", "10y"), log);
        assertEquals(2, w.size());
        assertTrue(elevenY.isScheduled() && max.isScheduled());
        long next = w.nextDeadlineMs();
        assertTrue(next > 10 * YEAR && next <= 11 * YEAR, "next " + next);
        assertEquals(0, w.advanceTo(11 * YEAR - 1));
        assertEquals(1, w.advanceTo(11 * YEAR));
        assertEquals(11 * YEAR, elevenY.firedAt);
        assertEquals(0, w.advanceTo(Long.MAX_VALUE - 1));
        assertEquals(1, w.advanceTo(Long.MAX_VALUE));
        assertEquals(0, w.size());
    }

    /** nextDeadlineMs is exact within the current 64 ms block and a slot start (never later) beyond it. */
    @Test
    void nextDeadlineIsExactAtLevelZeroAndALowerBoundAbove() {
        TimerWheel w = new TimerWheel(0);
        T far = scheduled(w, "far", 4100); // level 2, slot 1 starts at 4096
        assertEquals(4096, w.nextDeadlineMs());
        T near = scheduled(w, "near", 37);
        assertEquals(37, w.nextDeadlineMs());
        w.remove(near);
        w.advanceTo(4096);
        assertEquals(4100, w.nextDeadlineMs());
        assertEquals(1, w.advanceTo(4100));
        assertEquals(4100, far.firedAt);
    }

    /** A fire() that inserts entries (due, near, far) and removes a same-ms sibling: none lost, removed one never fires. */
    @Test
    void insertAndRemoveFromWithinFire() {
        TimerWheel w = new TimerWheel(0);
        T sibling = entry(w, "sibling", 100);
        T due = entry(w, "due", 0);
        T near = entry(w, "near", 150);
        T far = entry(w, "far", 100_000);
        T first = scheduled(w, "first", 100);
        w.insert(sibling, sibling.deadlineMs);
        first.action = t -> {
            assertTrue(w.remove(sibling));
            due.deadlineMs = w.elapsedMs(); // already due
            w.insert(due, due.deadlineMs);
            w.insert(near, near.deadlineMs);
            w.insert(far, far.deadlineMs);
        };
        int fired = w.advanceTo(200);
        fired += w.advanceTo(200);
        assertEquals(3, fired);
        assertEquals(List.of("first", "due", "near"), log);
        assertEquals(0, sibling.fires);
        assertEquals(1, w.size());
        assertEquals(1, w.advanceTo(100_000));
    }

    /** A fire() that re-inserts itself as already due cannot livelock advanceTo: it fires once per round and is never lost. */
    @Test
    void selfReinsertingDueEntryDoesNotLivelock() {
        TimerWheel w = new TimerWheel(0);
        T t = scheduled(w, "t", 5);
        t.action = self -> {
            self.deadlineMs = w.elapsedMs();
            w.insert(self, self.deadlineMs);
        };
        int fired = w.advanceTo(10);
        assertTrue(fired >= 1 && fired <= 2, "fired " + fired);
        assertTrue(t.isScheduled());
        assertTrue(w.nextDeadlineMs() <= w.elapsedMs());
        assertEquals(1, w.advanceTo(10));
        assertTrue(t.isScheduled());
    }

    /** A periodic entry re-inserting itself at deadline + period fires at every period over a long jump. */
    @Test
    void periodicReinsertFiresEveryPeriodOnAJump() {
        TimerWheel w = new TimerWheel(0);
        T t = scheduled(w, "p", 1000);
        List<Long> at = new ArrayList<>();
        t.action = self -> {
            at.add(w.elapsedMs());
            self.deadlineMs += 1000;
            w.insert(self, self.deadlineMs);
        };
        assertEquals(100, w.advanceTo(100_500));
        for (int i = 0; i < 100; i++) {
            assertEquals(1000L * (i + 1), at.get(i));
        }
        assertEquals(101_000, t.deadlineMs);
    }

    /** With a maxFires budget advanceTo stops early, keeps elapsed at or before now, and the rest fire on later calls. */
    @Test
    void maxFiresBudget() {
        TimerWheel w = new TimerWheel(0);
        for (int i = 0; i < 10; i++) {
            scheduled(w, "a" + i, 10);
        }
        for (int i = 0; i < 5; i++) {
            scheduled(w, "b" + i, 20);
        }
        assertEquals(3, w.advanceTo(30, 3));
        assertTrue(w.elapsedMs() <= 30);
        assertTrue(w.nextDeadlineMs() <= w.elapsedMs());
        assertEquals(12, w.size());
        assertEquals(9, w.advanceTo(30, 9));
        assertEquals(3, w.advanceTo(30, 100));
        assertEquals(30, w.elapsedMs());
        assertEquals(List.of("a0", "a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "b0", "b1", "b2", "b3", "b4"), log);
        assertThrows(IllegalArgumentException.class, () -> w.advanceTo(40, 0));
    }

    /** An exception from fire() propagates, the wheel stays consistent, and the remaining due entries fire next time. */
    @Test
    void exceptionFromFireLeavesWheelConsistent() {
        TimerWheel w = new TimerWheel(0);
        T boom = scheduled(w, "boom", 10);
        boom.action = t -> {
            throw new IllegalStateException("boom");
        };
        scheduled(w, "after", 10);
        scheduled(w, "later", 50);
        assertThrows(IllegalStateException.class, () -> w.advanceTo(100));
        assertFalse(boom.isScheduled());
        assertEquals(2, w.size());
        assertTrue(w.nextDeadlineMs() <= 10);
        assertEquals(2, w.advanceTo(100));
        assertEquals(List.of("boom", "after", "later"), log);
        assertEquals(100, w.elapsedMs());
    }

    /** Calling advanceTo from within fire() is refused with IllegalStateException. */
    @Test
    void reentrantAdvanceRefused() {
        TimerWheel w = new TimerWheel(0);
        T t = scheduled(w, "t", 1);
        List<Throwable> caught = new ArrayList<>();
        t.action = self -> {
            try {
                w.advanceTo(5);
            } catch (IllegalStateException e) {
                caught.add(e);
            }
        };
        assertEquals(1, w.advanceTo(5));
        assertEquals(1, caught.size());
    }

    /** A negative time base works, including deadlines that cross zero and the 2^36 ms epoch boundary. */
    @Test
    void negativeTimeBaseAndEpochCrossing() {
        TimerWheel w = new TimerWheel(-1000);
        T a = scheduled(w, "a", -1);
        T b = scheduled(w, "b", 0);
        T c = scheduled(w, "c", 1);
        T d = scheduled(w, "d", (1L << 36) + 5);
        w.advanceTo(-2);
        assertTrue(log.isEmpty());
        assertEquals(3, w.advanceTo(1));
        assertEquals(List.of("a", "b", "c"), log);
        assertEquals(-1, a.firedAt);
        assertEquals(0, b.firedAt);
        assertEquals(1, c.firedAt);
        assertEquals(0, w.advanceTo((1L << 36) + 4));
        assertEquals(1, w.advanceTo((1L << 36) + 5));
        assertEquals((1L << 36) + 5, d.firedAt);
    }

    /**
     * Deadlines beyond the entry's 32-bit reach (2^30 ms and more away, up to Long.MAX_VALUE) are
     * kept in the overflow list until within reach, and fire exactly at their deadline; they read back exactly.
     */
    @Test
    void farDeadlinesFireExactly() {
        long[] deadlines = {(1L << 30) + 5, 3 * (1L << 31) + 7, (1L << 36) + 1, 100 * YEAR + 3};
        for (long start : new long[] {0, (1L << 36) - 100, -5 * YEAR}) {
            TimerWheel w = new TimerWheel(start);
            List<T> ts = new ArrayList<>();
            for (long d : deadlines) {
                ts.add(scheduled(w, "d" + d, start + d));
            }
            T never = scheduled(w, "max", Long.MAX_VALUE);
            assertEquals(Long.MAX_VALUE, w.deadlineMs(never));
            for (T t : ts) {
                assertEquals(t.deadlineMs, w.deadlineMs(t), "read back at once");
                // Walk up to the deadline in uneven steps, so that overflow triggers pass on the way.
                long now = w.elapsedMs();
                while (now < t.deadlineMs - 1) {
                    now = Math.min(t.deadlineMs - 1, now + 40 * DAY + 12_345);
                    assertEquals(0, w.advanceTo(now), "nothing fires before " + t.deadlineMs + " (at " + now + ")");
                    assertEquals(t.deadlineMs, w.deadlineMs(t), "read back on the way");
                }
                assertEquals(1, w.advanceTo(t.deadlineMs));
                assertEquals(t.deadlineMs, t.firedAt);
            }
            assertEquals(1, w.size());
            assertTrue(w.remove(never));
            assertEquals(0, w.size());
            assertEquals(Long.MAX_VALUE, w.nextDeadlineMs());
            log.clear();
        }
    }

    /** A far entry jumped over in one advance fires in deadline order with the near ones, at its own deadline. */
    @Test
    void farEntryJumpedOverFiresInOrder() {
        TimerWheel w = new TimerWheel(0);
        T far = scheduled(w, "far", 3 * (1L << 30));
        T near = scheduled(w, "near", 5);
        T after = scheduled(w, "after", 3 * (1L << 30) + 1);
        assertEquals(3, w.advanceTo(10 * (1L << 30)));
        assertEquals(List.of("near", "far", "after"), log);
        assertEquals(3 * (1L << 30), far.firedAt);
        assertEquals(5, near.firedAt);
        assertEquals(3 * (1L << 30) + 1, after.firedAt);
    }

    /** Removing a far entry forgets it: it never fires, and it can be inserted again with a near deadline. */
    @Test
    void removedFarEntryNeverFires() {
        TimerWheel w = new TimerWheel(0);
        T t = scheduled(w, "t", 50 * YEAR);
        assertTrue(w.remove(t));
        assertFalse(t.isScheduled());
        assertEquals(0, w.advanceTo(60 * YEAR));
        assertEquals(0, t.fires);
        t.deadlineMs = 60 * YEAR + 10;
        w.insert(t, t.deadlineMs);
        assertEquals(60 * YEAR + 10, w.deadlineMs(t));
        assertEquals(1, w.advanceTo(60 * YEAR + 10));
        assertEquals(60 * YEAR + 10, t.firedAt);
    }

    /** clear() hands every entry (due, in any level, in overflow, beyond reach) over unfired and leaves a working, empty wheel. */
    @Test
    void clearTakesEveryEntryWithoutFiring() {
        TimerWheel w = new TimerWheel(1000);
        List<T> ts = new ArrayList<>();
        for (long d : new long[] {500, 1000, 1001, 1063, 5000, 300_000, 20_000_000L, 1L << 33, 60 * YEAR}) {
            ts.add(scheduled(w, "t" + d, d));
        }
        List<TimerEntry> taken = new ArrayList<>();
        w.clear(taken::add);
        assertEquals(ts.size(), taken.size());
        assertTrue(taken.containsAll(ts));
        assertEquals(0, w.size());
        assertEquals(Long.MAX_VALUE, w.nextDeadlineMs());
        for (T t : ts) {
            assertFalse(t.isScheduled());
            assertEquals(0, t.fires);
        }
        w.checkInvariants();
        assertEquals(0, w.advanceTo(Long.MAX_VALUE));
        T again = ts.get(4);
        w.insert(again, 2000);
        w.checkInvariants();
        assertEquals(1, w.advanceTo(Long.MAX_VALUE));
        assertTrue(log.equals(List.of("t5000")));
    }
}
