package dev.weft.core.internal.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Randomized model-based tests of {@link TimerWheel} against a sorted-set reference (a priority queue with O(log n) removal). */
class TimerWheelModelTest {

    /** Test entry that records its firing and may act on the wheel from within fire(). */
    private final class E extends TimerEntry {
        final int id;
        int fires;
        /** Whether the deadline was at or before elapsed when inserted (such entries may fire out of order). */
        boolean dueAtInsert;
        /** Whether it is in {@code all}. */
        boolean tracked;
        /** The deadline it is (or was last) inserted with. */
        long deadlineMs;

        E(int id) {
            this.id = id;
        }

        @Override
        protected void fire() {
            fires++;
            if (!model.remove(this)) {
                fail("fired but not in the model: " + this);
            }
            if (deadlineMs > wheel.elapsedMs()) {
                fail("fired early: deadline " + deadlineMs + " elapsed " + wheel.elapsedMs() + " wheel read " + wheel.deadlineMs(this) + " dueAtInsert " + dueAtInsert);
            }
            if (deadlineMs > currentNow) {
                fail("fired after deadline beyond now: " + deadlineMs + " > " + currentNow);
            }
            if (!dueAtInsert) {
                if (deadlineMs < lastOrderedFire) {
                    fail("out of order: " + deadlineMs + " after " + lastOrderedFire);
                }
                lastOrderedFire = deadlineMs;
            }
            firedThisCall.add(this);
            if (quiet) {
                return;
            }
            int action = rnd.nextInt(10);
            if (action == 0) {
                // re-insert self
                deadlineMs = randomDeadline();
                doInsert(this, true);
            } else if (action == 1) {
                doInsert(new E(nextId++), true);
            } else if (action == 2 && !model.isEmpty()) {
                E victim = pickScheduled();
                if (victim != null) {
                    doRemove(victim);
                }
            }
        }

        @Override
        public String toString() {
            return "E" + id + "@" + deadlineMs;
        }
    }

    private SplittableRandom rnd;
    private TimerWheel wheel;
    private final TreeSet<E> model =
            new TreeSet<>(Comparator.comparingLong((E e) -> e.deadlineMs).thenComparingInt(e -> e.id));
    private final List<E> all = new ArrayList<>();
    private final Set<E> insertedDuringCall = new HashSet<>();
    private final Set<E> firedThisCall = new HashSet<>();
    private long currentNow;
    private long lastOrderedFire;
    private boolean inCall;
    private int nextId;
    /** Disables fire() actions (for the final drain). */
    private boolean quiet;

    private long randomDeadline() {
        long base = wheel.elapsedMs();
        long off;
        switch (rnd.nextInt(12)) {
            case 0 -> off = -rnd.nextLong(1, 1_000_000); // overdue
            case 1 -> off = 0; // due now
            case 2, 3 -> off = rnd.nextLong(1, 64);
            case 4 -> off = rnd.nextLong(1, 4096);
            case 5 -> off = rnd.nextLong(1, 1L << 18);
            case 6 -> off = rnd.nextLong(1, 1L << 24);
            case 7 -> off = rnd.nextLong(1, 1L << 36);
            case 8 -> off = rnd.nextLong(1L << 35, 1L << 40); // around and beyond the top level
            case 9 -> {
                // exactly at or next to a slot/level boundary of the absolute time
                int k = rnd.nextInt(1, 8);
                long unit = 1L << (6 * k);
                long aligned = Math.floorDiv(base, unit) * unit + rnd.nextInt(1, 3) * unit;
                return aligned + rnd.nextInt(-1, 2);
            }
            case 10 -> {
                return rnd.nextInt(50) == 0 ? Long.MAX_VALUE : base + rnd.nextLong(1, 1L << 50);
            }
            default -> off = rnd.nextLong(1, 60_000);
        }
        return base + off;
    }

    private void doInsert(E e, boolean fromFire) {
        e.dueAtInsert = e.deadlineMs <= wheel.elapsedMs();
        wheel.insert(e, e.deadlineMs);
        model.add(e);
        if (inCall) {
            insertedDuringCall.add(e);
        }
        if (!e.tracked) {
            e.tracked = true;
            all.add(e);
        }
    }

    private void doRemove(E e) {
        boolean inModel = model.remove(e);
        assertEquals(inModel, wheel.remove(e), "remove result for " + e);
        assertFalse(e.isScheduled());
    }

    private E pickScheduled() {
        for (int tries = 0; tries < 8; tries++) {
            E e = all.get(rnd.nextInt(all.size()));
            if (e.isScheduled()) {
                return e;
            }
        }
        return null;
    }

    private long randomStep() {
        return switch (rnd.nextInt(20)) {
            case 0 -> -rnd.nextLong(0, 1000); // backwards: ignored
            case 1 -> rnd.nextLong(0, 1L << 20);
            case 2 -> rnd.nextLong(0, 1L << 32);
            case 3 -> rnd.nextInt(10) == 0 ? rnd.nextLong(1L << 36, 1L << 40) : rnd.nextLong(0, 1L << 26);
            case 4 -> {
                // land exactly on the next deadline in the model
                E head = model.isEmpty() ? null : model.first();
                yield head == null || head.deadlineMs == Long.MAX_VALUE ? 1 : Math.max(0, head.deadlineMs - wheel.elapsedMs());
            }
            default -> rnd.nextLong(0, 130);
        };
    }

    private void advance(long now, int maxFires) {
        long before = wheel.elapsedMs();
        long effNow = Math.max(now, before);
        // Everything due by effNow and scheduled before the call must fire in this call (when unbudgeted),
        // unless a fire() removes it first.
        List<E> expected = new ArrayList<>();
        for (E e : model) {
            if (e.deadlineMs <= effNow) {
                expected.add(e);
            }
        }
        List<E> notDue = new ArrayList<>();
        for (E e : model) {
            if (e.deadlineMs > effNow) {
                notDue.add(e);
            }
        }
        // Entries inserted during the previous call and due must fire now at the latest.
        insertedDuringCall.clear();
        firedThisCall.clear();
        currentNow = effNow;
        lastOrderedFire = Long.MIN_VALUE;
        inCall = true;
        int fired = maxFires == Integer.MAX_VALUE ? wheel.advanceTo(now) : wheel.advanceTo(now, maxFires);
        inCall = false;
        assertTrue(firedThisCall.size() <= fired);
        assertEquals(fired, countFires(), "returned count");
        if (maxFires == Integer.MAX_VALUE) {
            assertEquals(effNow, wheel.elapsedMs(), "elapsed after unbudgeted advance");
            for (E e : expected) {
                if (e.isScheduled() && !insertedDuringCall.contains(e)) {
                    fail("due entry not fired: " + e + " now=" + effNow);
                }
            }
        } else {
            assertTrue(fired <= maxFires);
            assertTrue(wheel.elapsedMs() <= effNow && wheel.elapsedMs() >= before);
        }
        for (E e : notDue) {
            assertTrue(e.isScheduled() || !model.contains(e), "not-due entry lost: " + e);
        }
        checkState();
    }

    private int firesTotalBefore;

    private int countFires() {
        int total = 0;
        for (E e : all) {
            total += e.fires;
        }
        int delta = total - firesTotalBefore;
        firesTotalBefore = total;
        return delta;
    }

    private int checks;

    private void checkState() {
        assertEquals(model.size(), wheel.size(), "size");
        if (++checks % 8 == 0) {
            // Both walk every entry: every 8th state keeps the test fast.
            wheel.checkInvariants();
            for (E e : model) {
                if (e.deadlineMs > wheel.elapsedMs()) {
                    assertEquals(e.deadlineMs, wheel.deadlineMs(e), "deadline read back for " + e);
                }
            }
        }
        long next = wheel.nextDeadlineMs();
        E head = model.isEmpty() ? null : model.first();
        if (head == null) {
            assertEquals(Long.MAX_VALUE, next, "next deadline of empty wheel");
        } else {
            assertTrue(next <= head.deadlineMs, "next " + next + " later than earliest " + head);
            if (head.deadlineMs > wheel.elapsedMs()) {
                assertTrue(next > wheel.elapsedMs(), "next " + next + " not after elapsed with nothing due");
            }
        }
    }

    private void run(long seed, int steps, boolean budgeted) {
        rnd = new SplittableRandom(seed);
        long start = switch (rnd.nextInt(4)) {
            case 0 -> 0;
            case 1 -> rnd.nextLong(-(1L << 40), 1L << 40);
            case 2 -> (1L << 36) - rnd.nextInt(1, 5000);
            default -> rnd.nextLong(0, 1L << 30);
        };
        wheel = new TimerWheel(start);
        model.clear();
        all.clear();
        firesTotalBefore = 0;
        nextId = 0;
        for (int step = 0; step < steps; step++) {
            int op = rnd.nextInt(10);
            if (op < 5) {
                int n = rnd.nextInt(1, 8);
                for (int i = 0; i < n; i++) {
                    E e = new E(nextId++);
                    e.deadlineMs = randomDeadline();
                    doInsert(e, false);
                }
            } else if (op < 7) {
                if (!all.isEmpty()) {
                    E e = all.get(rnd.nextInt(all.size()));
                    if (!e.isScheduled() && rnd.nextBoolean()) {
                        e.deadlineMs = randomDeadline();
                        doInsert(e, true); // re-insert after fire/remove
                    } else {
                        doRemove(e);
                    }
                }
            } else {
                long now = wheel.elapsedMs() + randomStep();
                advance(now, budgeted && rnd.nextBoolean() ? rnd.nextInt(1, 4) : Integer.MAX_VALUE);
            }
            checkState();
        }
        // Drain everything: jump to the end of time, twice (due inserts from the last batch fire in the
        // next call), then with fire() actions off.
        advance(Long.MAX_VALUE - 1, Integer.MAX_VALUE);
        advance(Long.MAX_VALUE, Integer.MAX_VALUE);
        quiet = true;
        advance(Long.MAX_VALUE, Integer.MAX_VALUE);
        assertTrue(model.isEmpty(), "left after final drain: " + model);
        assertEquals(0, wheel.size());
    }

    /** Random inserts, removes, re-inserts, advances (small steps, big jumps, backwards) and fire() actions agree with the model. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void randomOperationsMatchSortedSetModel() {
        for (long seed = 1; seed <= 40; seed++) {
            try {
                run(seed, 4000, false);
            } catch (AssertionError | RuntimeException ex) {
                throw new AssertionError("seed " + seed + ": " + ex.getMessage(), ex);
            }
        }
    }

    /** Same random workload with small maxFires budgets: early returns lose nothing and fire nothing early. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void randomOperationsWithFireBudgetMatchModel() {
        for (long seed = 1001; seed <= 1020; seed++) {
            try {
                run(seed, 4000, true);
            } catch (AssertionError | RuntimeException ex) {
                throw new AssertionError("seed " + seed + ": " + ex.getMessage(), ex);
            }
        }
    }
}
