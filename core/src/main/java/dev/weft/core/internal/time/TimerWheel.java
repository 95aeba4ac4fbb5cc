package dev.weft.core.internal.time;

/**
 * A hierarchical timing wheel with Tokio's layout: 6 levels of 64 slots, 1 ms resolution, O(1)
 * {@link #insert} and {@link #remove}, owned by one thread.
 *
 * <h2>Thread confinement</h2>
 * Not thread-safe. Every method, and every access to a scheduled {@link TimerEntry}, must happen on
 * the wheel's owning thread (its carrier). Other threads hand cancellations over through a queue that
 * the owner drains.
 *
 * <h2>Time base</h2>
 * The wheel counts in "wheel milliseconds", an arbitrary monotonic {@code long} base chosen by the
 * owner (for example {@code System.nanoTime() / 1_000_000} minus a start offset). {@link #elapsedMs()}
 * is the time up to which the wheel has processed; it only moves forward, through {@link #advanceTo}.
 *
 * <h2>Implementation overview</h2>
 * <ul>
 * <li><b>Levels and slots.</b> Level {@code L} (0..5) has 64 slots, each covering {@code 64^L} ms, so
 * level {@code L} spans {@code 64^(L+1)} ms: level 0 covers 64 ms at 1 ms per slot, level 1 covers
 * 4,096 ms at 64 ms per slot, ..., level 5 covers {@code 2^36} ms (about 2.18 years) at about 12.4 days
 * per slot. An entry with deadline {@code when > elapsed} goes to level
 * {@code significantBit((elapsed ^ when) | 63) / 6}: the highest bit in which the deadline differs from
 * the current time decides the level, and the deadline's 6 bits at that level,
 * {@code (when >>> 6L) & 63}, decide the slot.</li>
 * <li><b>Lists.</b> Each slot is a circular doubly-linked list through {@link TimerEntry#prev}/{@link
 * TimerEntry#next} with a sentinel node, so linking and unlinking are a few pointer writes and never
 * need to find the list head. A 64-bit {@code occupied} mask per level says which slots are non-empty;
 * an unlink that leaves only the sentinel (its {@code prev == next}) clears the slot's bit.</li>
 * <li><b>Pending list.</b> Entries whose deadline is at or before {@code elapsed} (inserted already
 * due, or cascaded to their exact millisecond) go to a FIFO pending list that {@link #advanceTo} fires.
 * Nothing is fired from inside {@code insert} or during a cascade, so {@code fire()} never runs while
 * the wheel is half-updated.</li>
 * <li><b>Overflow list.</b> An entry stores its deadline as the low 32 bits of the wheel
 * millisecond ({@link TimerEntry}), read back relative to {@code elapsed}, which is exact while the two
 * are less than 2<sup>31</sup> ms apart. Two kinds of entries wait in an overflow list: those more than
 * {@link #MAX_AHEAD} (2<sup>30</sup> ms, about 12.4 days) ahead, whose full deadline is kept in a side
 * map, and those within reach but in a later {@code 2^36} ms "epoch" (their {@code elapsed ^ when} has a
 * bit at or above bit 36 set; this happens only near an epoch boundary). An overflow entry's trigger is
 * the later of its epoch's start and its deadline minus {@code MAX_AHEAD} (rounded up to a multiple of
 * 2<sup>29</sup> ms, so that far entries share triggers): by then it is within reach and in the current
 * epoch. {@code overflowMin} is the earliest trigger; when time reaches it, the whole
 * list is re-linked. Deadlines that far out are rare, so the map is empty, and costs one emptiness
 * check, on the hot paths; arbitrary deadlines (up to {@link Long#MAX_VALUE}) and arbitrary jumps of
 * time work. The list is walked once per trigger passed: at most once per 2<sup>29</sup> ms of time,
 * plus once per epoch.</li>
 * <li><b>Cascading.</b> {@link #advanceTo} repeatedly finds the next event: the earlier of the first
 * occupied slot of the lowest non-empty level (its start time is the earliest slot start in the wheel)
 * and the overflow trigger; call it {@code T}. If {@code T <= now}, it sets {@code elapsed = T},
 * detaches that slot and re-inserts each of its entries relative to the new {@code elapsed}: each lands
 * in a strictly lower level or, when its deadline equals {@code T}, in the pending list, which is then
 * fired. At level 0 every entry of a slot has exactly that slot's millisecond as its deadline. When the
 * next event is after {@code now}, {@code elapsed} jumps to {@code now}.</li>
 * </ul>
 *
 * <h2>Invariants</h2>
 * <ol>
 * <li>An entry at level {@code L} has a deadline with the same bits above bit {@code 6(L+1)} as
 * {@code elapsed} and a level-{@code L} slot strictly greater than {@code elapsed}'s, so its slot start
 * (its deadline with the low {@code 6L} bits cleared) is {@code > elapsed}. Hence, within a level, the
 * lowest occupied slot (by {@link Long#numberOfTrailingZeros}) is the earliest, with no wrap-around, and
 * any occupied slot of a lower level starts before any occupied slot of a higher level.</li>
 * <li>Every pending entry's deadline is {@code <= elapsed}; every overflow entry's trigger is
 * {@code > elapsed}, and so is the tracked lower bound {@code overflowMin}; every entry in a slot is at
 * most {@link #MAX_AHEAD} ahead of {@code elapsed}.</li>
 * <li>{@link #size()} counts the entries in slots, pending and overflow lists.</li>
 * </ol>
 * No entry fires before its deadline (an entry is only fired from the pending list, which it enters only
 * when {@code deadline <= elapsed}); every entry fires in the {@link #advanceTo} call that passes its
 * deadline, except as noted there for entries made due from within {@code fire()}. Entries that were not
 * already due when inserted fire in non-decreasing deadline order; entries with equal deadlines from the
 * same slot fire in insertion order.
 */
public final class TimerWheel {

    /** Bits per level: 64 slots. */
    private static final int LEVEL_BITS = 6;
    /** Slots per level. */
    private static final int SLOTS = 1 << LEVEL_BITS;
    /** Number of levels. */
    private static final int LEVELS = 6;
    /** The span of the whole wheel, {@code 2^36} ms: deadlines differing from elapsed at or above this bit overflow. */
    private static final int EPOCH_BITS = LEVEL_BITS * LEVELS;
    /** Mask of the bits inside one epoch. */
    private static final long EPOCH_MASK = (1L << EPOCH_BITS) - 1;

    /**
     * The farthest ahead of {@link #elapsed} an entry is linked; half the reach of its 32-bit deadline,
     * so that entries that wait in the pending list while time moves on still read back exactly.
     */
    static final long MAX_AHEAD = 1L << 30;

    /** Sentinel index of the pending list. */
    private static final int PENDING = -1;
    /** Sentinel index of the overflow list. */
    private static final int OVERFLOW = -2;
    /** Sentinel index of the list of due entries being fired. */
    private static final int FIRING = -3;

    /** level for {@code Long.numberOfLeadingZeros((elapsed ^ when) | 63)}; values >= LEVELS mean overflow. */
    private static final byte[] LEVEL_FOR_NLZ = new byte[64];

    static {
        for (int nlz = 0; nlz < 64; nlz++) {
            LEVEL_FOR_NLZ[nlz] = (byte) ((63 - nlz) / LEVEL_BITS);
        }
    }

    /**
     * Head node of a circular list. Never fires; its own links point at the list's first and last
     * entries (itself when empty).
     */
    private static final class Sentinel extends TimerEntry {
        /** {@code level * 64 + slot}, or {@link #PENDING}, {@link #OVERFLOW} or {@link #FIRING}. */
        final int index;

        Sentinel(int index) {
            this.index = index;
            prev = this;
            next = this;
        }

        @Override
        protected void fire() {
            throw new AssertionError("sentinel fired");
        }
    }

    /** Slot sentinels, indexed {@code level * 64 + slot}. */
    private final Sentinel[] slots = new Sentinel[LEVELS * SLOTS];
    /** Bit {@code s} of {@code occupied[L]} is set iff slot {@code s} of level {@code L} is non-empty. */
    private final long[] occupied = new long[LEVELS];
    /** Due entries, fired by {@link #advanceTo}. */
    private final Sentinel pending = new Sentinel(PENDING);
    /** Entries beyond the current epoch. */
    private final Sentinel overflow = new Sentinel(OVERFLOW);
    /** The batch of due entries that {@link #firePending} is firing (detached from {@link #pending}). */
    private final Sentinel firing = new Sentinel(FIRING);

    /** The time up to which the wheel has processed. */
    private long elapsed;
    /** Entries scheduled (slots, pending and overflow). */
    private int size;
    /** Lower bound of the pending deadlines (Long.MAX_VALUE when the list is empty). */
    private long pendingMin = Long.MAX_VALUE;
    /** Lower bound of the overflow entries' triggers, meaningful while the list is non-empty (Long.MAX_VALUE when empty). */
    private long overflowMin = Long.MAX_VALUE;
    /** Lower bound of the deadlines in the firing batch. */
    private long firingMin = Long.MAX_VALUE;
    /** True while {@link #advanceTo} runs, to refuse re-entrant calls from fire(). */
    private boolean advancing;
    /** Deadlines of the overflow entries beyond {@link #MAX_AHEAD}; null until the first. */
    private java.util.IdentityHashMap<TimerEntry, Long> far;

    /**
     * Creates an empty wheel whose {@link #elapsedMs()} starts at {@code nowMs}.
     *
     * @param nowMs the current time in wheel milliseconds; deadlines are in the same base
     */
    public TimerWheel(long nowMs) {
        this.elapsed = nowMs;
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Sentinel(i);
        }
    }

    /**
     * Schedules {@code e} to fire at {@code deadlineMs}. O(1), allocation-free for deadlines up to
     * {@link #MAX_AHEAD} ahead of {@link #elapsedMs()} (a later one takes a map entry until it comes
     * within reach). A deadline at or before {@link #elapsedMs()} is due: the entry fires at the next
     * {@link #advanceTo}, never lost and never fired from inside this call. Any {@code long} is a valid
     * deadline. May be called from within {@link TimerEntry#fire()}. Owning thread only.
     *
     * @param e the entry
     * @param deadlineMs the deadline in wheel milliseconds
     * @throws IllegalStateException if {@code e} is already scheduled (in this or another wheel)
     */
    public void insert(TimerEntry e, long deadlineMs) {
        if (e.prev != null) {
            throw new IllegalStateException("timer entry already scheduled");
        }
        link(e, deadlineMs);
        size++;
    }

    /**
     * The deadline {@code e} was inserted with. Exact while {@code e} is scheduled and inside its
     * {@link TimerEntry#fire()}, with one exception: an entry inserted already due from within a
     * {@code fire()} waits in the pending list for the next {@link #advanceTo}, and if that same call
     * moved time on by 2<sup>31</sup> ms or more (only a test clock jumps like that) the value is off by
     * a multiple of 2<sup>32</sup>. Owning thread only.
     *
     * @param e a scheduled or firing entry of this wheel
     * @return its deadline in wheel milliseconds
     */
    public long deadlineMs(TimerEntry e) {
        if (far != null && !far.isEmpty()) {
            Long real = far.get(e);
            if (real != null) {
                return real;
            }
        }
        return fullDeadline(e);
    }

    /**
     * Cancels {@code e} if it is scheduled in this wheel. O(1): a few pointer writes. Removing an entry
     * that is scheduled in a different wheel is a programming error that corrupts both wheels' counts.
     * May be called from within {@link TimerEntry#fire()}. Owning thread only.
     *
     * @param e the entry
     * @return true if it was scheduled and is now removed; false if it was not scheduled (already fired,
     *     already removed, or never inserted)
     */
    public boolean remove(TimerEntry e) {
        TimerEntry p = e.prev;
        if (p == null) {
            return false;
        }
        TimerEntry n = e.next;
        p.next = n;
        n.prev = p;
        e.prev = null;
        e.next = null;
        size--;
        if (far != null && !far.isEmpty()) {
            far.remove(e);
        }
        if (p == n) {
            // Only the sentinel is left.
            emptied((Sentinel) p);
        }
        return true;
    }

    /**
     * The earliest time the wheel needs {@link #advanceTo} to be called: a lower bound of the earliest
     * scheduled deadline, never later than it. It is exact for due entries and for entries less than
     * 64 ms away; for later ones it may be the start of the slot holding the entry (a cascade point) or an overflow trigger,
     * and with removed entries it may be stale-early. Due entries make it return a value at or before
     * {@link #elapsedMs()} (it can be far in the past, or negative: compute delays with saturating
     * arithmetic). Owning thread only.
     *
     * @return the next deadline in wheel milliseconds, or {@link Long#MAX_VALUE} when the wheel is empty
     */
    public long nextDeadlineMs() {
        if (pending.next != pending || firing.next != firing) {
            return Math.min(pendingMin, firingMin);
        }
        long next = overflow.next != overflow ? overflowMin : Long.MAX_VALUE;
        int level = lowestOccupiedLevel();
        if (level >= 0) {
            next = Math.min(next, slotStart(level, Long.numberOfTrailingZeros(occupied[level])));
        }
        return next;
    }

    /**
     * Advances the wheel to {@code nowMs} and fires, by calling {@link TimerEntry#fire()} on this thread,
     * every entry whose deadline is at or before {@code nowMs}; same as
     * {@link #advanceTo(long, int) advanceTo(nowMs, Integer.MAX_VALUE)}. Owning thread only.
     *
     * @param nowMs the current time in wheel milliseconds; a value before {@link #elapsedMs()} is treated
     *     as {@link #elapsedMs()} (time never goes back), so only already-due entries fire
     * @return the number of entries fired
     */
    public int advanceTo(long nowMs) {
        return advanceTo(nowMs, Integer.MAX_VALUE);
    }

    /**
     * Advances the wheel towards {@code nowMs}, cascading higher levels down, and fires, by calling
     * {@link TimerEntry#fire()} on this thread, every entry whose deadline is at or before {@code nowMs},
     * at most {@code maxFires} of them. Time may jump forward by any amount; entries fire in
     * non-decreasing deadline order (entries inserted already due fire first, in insertion order).
     *
     * <p>{@code fire()} may insert and remove entries. An entry it inserts with a deadline at or before
     * {@code nowMs} fires in this call or the next, never lost: one that is already due when inserted
     * waits for the next call if it was inserted while the last batch of due entries was firing (this
     * bounds the work of one call when a {@code fire()} keeps re-inserting itself as due).
     *
     * <p>When {@code maxFires} entries have fired, the call returns early with {@link #elapsedMs()}
     * possibly still before {@code nowMs}; the remaining due entries fire on the next call, and
     * {@link #nextDeadlineMs()} is then at or before {@link #elapsedMs()}. If a {@code fire()} throws, the
     * exception propagates; the wheel stays consistent (the thrower is unlinked, {@code elapsed} may be
     * before {@code nowMs}) and the next call carries on. Owning thread only.
     *
     * @param nowMs the current time in wheel milliseconds; a value before {@link #elapsedMs()} is treated
     *     as {@link #elapsedMs()}
     * @param maxFires the most entries to fire in this call, at least 1
     * @return the number of entries fired
     * @throws IllegalArgumentException if {@code maxFires < 1}
     * @throws IllegalStateException if called from within {@link TimerEntry#fire()}
     */
    public int advanceTo(long nowMs, int maxFires) {
        if (maxFires < 1) {
            throw new IllegalArgumentException("maxFires < 1: " + maxFires);
        }
        if (advancing) {
            throw new IllegalStateException("advanceTo called from within TimerEntry.fire()");
        }
        advancing = true;
        try {
            return advance(Math.max(nowMs, elapsed), maxFires);
        } finally {
            advancing = false;
        }
    }

    /** The body of {@link #advanceTo(long, int)}; {@code now >= elapsed}. */
    private int advance(long now, int maxFires) {
        int fired = 0;
        while (true) {
            if (pending.next != pending) {
                fired += firePending(maxFires - fired);
                if (fired >= maxFires) {
                    if (overflow.next != overflow && overflowMin <= elapsed) {
                        // A trigger tied with the slot just cascaded: take it in now (this fires
                        // nothing), so that every trigger stays after elapsed (invariant 2).
                        overflowMin = Long.MAX_VALUE;
                        cascade(overflow);
                    }
                    return fired;
                }
            }
            // The next event: the earliest occupied slot or the overflow trigger, whichever comes first.
            boolean overflowing = overflow.next != overflow;
            int level = lowestOccupiedLevel();
            if (level < 0 && !overflowing) {
                break;
            }
            int slot = level < 0 ? 0 : Long.numberOfTrailingZeros(occupied[level]);
            long start = level < 0 ? Long.MAX_VALUE : slotStart(level, slot);
            // On a tie the slot goes first: its entries were linked before elapsed reached its start,
            // so lower levels must not be walked before it (invariant 1).
            if (overflowing && overflowMin < start) {
                if (overflowMin > now) {
                    break;
                }
                elapsed = overflowMin;
                overflowMin = Long.MAX_VALUE;
                cascade(overflow);
            } else {
                if (start > now) {
                    break;
                }
                elapsed = start;
                cascade(slots[level * SLOTS + slot]);
            }
        }
        elapsed = now;
        return fired;
    }

    /**
     * Unlinks every scheduled entry without firing it and hands each to {@code each}, in no
     * particular order; the wheel is then empty. For a wheel whose owner stops serving it. Not from
     * within {@link TimerEntry#fire()}. Owning thread only.
     *
     * @param each called once per entry, after the entry is unlinked
     */
    public void clear(java.util.function.Consumer<? super TimerEntry> each) {
        if (advancing) {
            throw new IllegalStateException("clear called from within TimerEntry.fire()");
        }
        java.util.List<TimerEntry> taken = new java.util.ArrayList<>(size);
        for (Sentinel s : slots) {
            takeAll(s, taken);
        }
        takeAll(pending, taken);
        takeAll(overflow, taken);
        takeAll(firing, taken);
        java.util.Arrays.fill(occupied, 0L);
        pendingMin = Long.MAX_VALUE;
        overflowMin = Long.MAX_VALUE;
        firingMin = Long.MAX_VALUE;
        far = null;
        size = 0;
        for (TimerEntry e : taken) {
            each.accept(e);
        }
    }

    /** Unlinks every entry of {@code s}'s list into {@code into}. */
    private static void takeAll(Sentinel s, java.util.List<TimerEntry> into) {
        TimerEntry e = s.next;
        s.next = s;
        s.prev = s;
        while (e != s) {
            TimerEntry n = e.next;
            e.prev = null;
            e.next = null;
            into.add(e);
            e = n;
        }
    }

    /**
     * Number of scheduled entries (in slots, due-but-not-fired, and beyond the top level). Owning thread
     * only.
     *
     * @return the count
     */
    public int size() {
        return size;
    }

    /**
     * The time up to which the wheel has processed: the largest {@code nowMs} passed to
     * {@link #advanceTo} (or the constructor's), or less if a call returned early. Owning thread only.
     *
     * @return the wheel's current time in wheel milliseconds
     */
    public long elapsedMs() {
        return elapsed;
    }

    /**
     * Checks the invariants listed in the class comment by walking every list; for tests. Owning
     * thread only.
     *
     * @throws AssertionError naming the first entry that breaks one
     */
    void checkInvariants() {
        for (int level = 0; level < LEVELS; level++) {
            for (int slot = 0; slot < SLOTS; slot++) {
                Sentinel s = slots[level * SLOTS + slot];
                boolean marked = (occupied[level] & (1L << slot)) != 0;
                if (marked != (s.next != s)) {
                    throw new AssertionError("occupied bit of level " + level + " slot " + slot + " is " + marked);
                }
                for (TimerEntry e = s.next; e != s; e = e.next) {
                    long when = fullDeadline(e);
                    long start = slotStart(level, slot);
                    if (when <= elapsed || when - elapsed > MAX_AHEAD || start <= elapsed
                            || when < start || when - start >= 1L << (LEVEL_BITS * level)) {
                        throw new AssertionError("entry at level " + level + " slot " + slot + " (start " + start
                            + ") has deadline " + when + " with elapsed " + elapsed);
                    }
                }
            }
        }
        // A pending entry's deadline is not checked: it may read back wrong (see deadlineMs) and it is due anyway.
        for (TimerEntry e = overflow.next; e != overflow; e = e.next) {
            Long far = this.far == null ? null : this.far.get(e);
            long when = far != null ? far : fullDeadline(e);
            long trigger = overflowTrigger(when, far != null);
            if (trigger <= elapsed || trigger < overflowMin) {
                throw new AssertionError("overflow entry due at " + when + " has trigger " + trigger
                    + " with elapsed " + elapsed + " and overflowMin " + overflowMin);
            }
        }
    }

    @Override
    public String toString() {
        return "TimerWheel[elapsed=" + elapsed + ", size=" + size + ", next=" + nextDeadlineMs() + "]";
    }

    // ----------------------------------------------------------------------------------------------

    /**
     * When an entry more than {@link #MAX_AHEAD} away comes within reach: its deadline less
     * {@code MAX_AHEAD}, rounded up to a multiple of {@code MAX_AHEAD / 2}. The rounding lets far
     * entries share triggers, so the overflow list is walked at most once per
     * {@code MAX_AHEAD / 2} ms (6.2 days) of time, however many far deadlines it holds; the entry is
     * still {@code MAX_AHEAD / 2} or more ahead when it comes in.
     */
    private static long farTrigger(long when) {
        long half = MAX_AHEAD >>> 1;
        return Math.ceilDiv(when - MAX_AHEAD, half) * half;
    }

    /**
     * When an overflow entry due at {@code when} is re-linked: the start of its epoch, or for one
     * {@code beyondReach} (more than {@link #MAX_AHEAD} away, its deadline in {@link #far}) the later
     * of that and {@link #farTrigger}.
     */
    private static long overflowTrigger(long when, boolean beyondReach) {
        long epochStart = when & ~EPOCH_MASK;
        return beyondReach ? Math.max(epochStart, farTrigger(when)) : epochStart;
    }

    /** The entry's 32-bit deadline read relative to {@link #elapsed}. */
    private long fullDeadline(TimerEntry e) {
        long now = elapsed;
        return now + (int) (e.deadline - (int) now);
    }

    /** Links an unlinked entry into the list {@code when} calls for, relative to {@link #elapsed}. */
    private void link(TimerEntry e, long when) {
        long now = elapsed;
        e.deadline = (int) when;
        Sentinel s;
        if (when <= now) {
            s = pending;
            if (when < pendingMin) {
                pendingMin = when;
            }
        } else {
            long ahead = when - now; // negative when the subtraction overflows: as far as it gets
            int level = LEVEL_FOR_NLZ[Long.numberOfLeadingZeros((now ^ when) | (SLOTS - 1))];
            if (ahead <= MAX_AHEAD && ahead > 0 && level < LEVELS) {
                int slot = (int) (when >>> (level * LEVEL_BITS)) & (SLOTS - 1);
                s = slots[level * SLOTS + slot];
                occupied[level] |= 1L << slot;
            } else {
                s = overflow;
                boolean beyondReach = ahead > MAX_AHEAD || ahead < 0;
                if (beyondReach) {
                    if (far == null) {
                        far = new java.util.IdentityHashMap<>();
                    }
                    far.put(e, when);
                }
                long trigger = overflowTrigger(when, beyondReach);
                if (trigger < overflowMin) {
                    overflowMin = trigger;
                }
            }
        }
        TimerEntry last = s.prev;
        e.prev = last;
        e.next = s;
        last.next = e;
        s.prev = e;
    }

    /** Bookkeeping after the last entry of {@code s}'s list is unlinked. */
    private void emptied(Sentinel s) {
        int index = s.index;
        if (index >= 0) {
            occupied[index >>> LEVEL_BITS] &= ~(1L << (index & (SLOTS - 1)));
        } else if (index == PENDING) {
            pendingMin = Long.MAX_VALUE;
        } else if (index == OVERFLOW) {
            overflowMin = Long.MAX_VALUE;
        }
        // FIRING: nothing to do, firePending notices the empty batch.
    }

    /** The lowest level with an occupied slot, or -1. */
    private int lowestOccupiedLevel() {
        long[] occ = occupied;
        for (int level = 0; level < LEVELS; level++) {
            if (occ[level] != 0) {
                return level;
            }
        }
        return -1;
    }

    /** Start time of {@code slot} at {@code level} in the current rotation of that level (> elapsed by invariant 1). */
    private long slotStart(int level, int slot) {
        int shift = level * LEVEL_BITS;
        long levelStart = elapsed & ~((1L << (shift + LEVEL_BITS)) - 1);
        return levelStart + ((long) slot << shift);
    }

    /**
     * Detaches the whole list of {@code s} and re-links each entry relative to the new {@link #elapsed}
     * (into a lower level, the pending list, or back to overflow). Fires nothing.
     */
    private void cascade(Sentinel s) {
        TimerEntry e = s.next;
        s.next = s;
        s.prev = s;
        if (s.index >= 0) {
            occupied[s.index >>> LEVEL_BITS] &= ~(1L << (s.index & (SLOTS - 1)));
        }
        boolean mayBeFar = s == overflow && far != null && !far.isEmpty();
        while (e != s) {
            TimerEntry n = e.next;
            Long farDeadline = mayBeFar ? far.remove(e) : null;
            link(e, farDeadline != null ? farDeadline : fullDeadline(e));
            e = n;
        }
    }

    /**
     * Moves the pending list into the firing batch and fires at most {@code limit} of its entries, in
     * order. Entries that fire() makes due go to the (now empty) pending list and wait for the next
     * round, which bounds a round even if a fire() keeps re-inserting due entries. Whatever is left of
     * the batch (limit reached, or a fire() threw) goes back to the front of the pending list. Returns
     * the number fired.
     */
    private int firePending(int limit) {
        Sentinel p = pending;
        Sentinel f = firing;
        TimerEntry first = p.next;
        TimerEntry last = p.prev;
        f.next = first;
        first.prev = f;
        f.prev = last;
        last.next = f;
        p.next = p;
        p.prev = p;
        firingMin = pendingMin;
        pendingMin = Long.MAX_VALUE;
        int fired = 0;
        try {
            while (fired < limit) {
                TimerEntry e = f.next;
                if (e == f) {
                    break;
                }
                TimerEntry n = e.next;
                f.next = n;
                n.prev = f;
                e.prev = null;
                e.next = null;
                size--;
                fired++;
                e.fire();
            }
        } finally {
            TimerEntry rest = f.next;
            if (rest != f) {
                // Splice the unfired rest of the batch in front of the pending list.
                TimerEntry restLast = f.prev;
                TimerEntry pFirst = p.next;
                p.next = rest;
                rest.prev = p;
                restLast.next = pFirst;
                pFirst.prev = restLast;
                f.next = f;
                f.prev = f;
                pendingMin = Math.min(pendingMin, firingMin);
            }
            firingMin = Long.MAX_VALUE;
        }
        return fired;
    }
}
