package dev.weft.core.internal.time;

/**
 * An entry that a {@link TimerWheel} links intrusively: the list links live in the entry itself, so
 * scheduling and cancelling allocate nothing beyond the entry. Subclass it and implement
 * {@link #fire()}.
 *
 * <p>An entry is in at most one wheel at a time, and only the wheel's owning thread may touch it
 * while it is scheduled. Set {@link #deadlineMs} before {@link TimerWheel#insert inserting} it and do
 * not change it while it is scheduled (remove, change, re-insert). An entry may be re-inserted after
 * it has fired or been removed, including from within its own {@link #fire()}.
 */
public abstract class TimerEntry {

    /**
     * Deadline in wheel milliseconds (the wheel's own time base, see {@link TimerWheel}). Set it before
     * {@link TimerWheel#insert}; a deadline at or before {@link TimerWheel#elapsedMs()} means "due at the
     * next {@link TimerWheel#advanceTo}".
     */
    public long deadlineMs;

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
