package dev.weft.core.internal;

/**
 * Counters a carrier keeps about itself. Written only by the carrier thread; other threads read
 * them racily (a slightly stale value is fine for metrics), so they are plain fields.
 */
public final class CarrierStats {
    /** Continuation runs (a task starting or resuming after a park or yield). */
    public long slices;
    /** Nanoseconds spent running continuations. */
    public long busyNanos;
    /** Slices longer than the runtime's slow-slice threshold. */
    public long slowSlices;
    /** Longest slice seen, in nanoseconds. */
    public long maxSliceNanos;
    /** Times the carrier blocked in its event loop for lack of work. */
    public long blocks;
    /** Worker virtual threads started (each runs spawned tasks one after another). */
    public long workersStarted;
    /** Tasks a worker took straight after its previous task ended, with no thread start or wake-up. */
    public long tasksChained;

    /**
     * Counts {@code count} slices that took {@code nanos} together (one, when slices are timed
     * one by one); their time bounds the longest of them from above.
     */
    void recordSlices(int count, long nanos) {
        slices += count;
        if (nanos > maxSliceNanos) {
            maxSliceNanos = nanos;
        }
    }
}
