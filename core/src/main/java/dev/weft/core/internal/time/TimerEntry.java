package dev.weft.core.internal.time;

/**
 * An entry that a {@link TimerWheel} links intrusively: the list links live in the entry itself, so
 * scheduling and cancelling allocate nothing beyond the entry. Subclass it and implement
 * {@link #fire()}.
 *
 * <p>An entry is in at most one wheel at a time, and only the wheel's owning thread may touch it
 * while it is scheduled. The deadline is given to {@link TimerWheel#insert}; an entry may be
 * re-inserted with a new deadline after it has fired or been removed, including from within its own
 * {@link #fire()}.
 *
 * <p>The entry holds its deadline as the low 32 bits of the wheel's millisecond count, and the wheel
 * reads it relative to its own time: an entry more than 2<sup>30</sup> ms ahead of the wheel's time
 * waits in its overflow list with the full deadline kept aside (see {@link TimerWheel}). That keeps an
 * entry at 12 bytes of fields, so a subclass with two references of its own is a 32-byte object:
 * with a million timers outstanding, a young collection copies a fifth fewer bytes than with a
 * {@code long} deadline.
 */
public abstract class TimerEntry {

    /** Low 32 bits of the deadline in wheel milliseconds; see {@link TimerWheel#deadlineMs}. */
    int deadline;

    /** Previous node in the circular slot list (a slot's sentinel or another entry); null when unlinked. */
    TimerEntry prev;
    /** Next node in the circular slot list; null when unlinked. */
    TimerEntry next;

    /** For subclasses. */
    protected TimerEntry() {}

    /**
     * Called by {@link TimerWheel#advanceTo} on the owning thread once the deadline has passed; the
     * entry is already unlinked ({@link #isScheduled()} is false). It must not block. It may insert or
     * remove entries of the same wheel, this one included.
     */
    protected abstract void fire();

    /**
     * Whether this entry is linked in a wheel (inserted and neither fired nor removed yet).
     *
     * @return true while scheduled
     */
    public final boolean isScheduled() {
        return prev != null;
    }
}
