package dev.weft.metrics.internal;

import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.core.spi.RuntimeStats;

/**
 * The last {@link RuntimeStats} snapshot of one runtime, reused for {@link #MAX_AGE_NANOS} so a
 * scrape of all the meters takes one snapshot, not one per meter (a snapshot walks every
 * carrier). Racy by design: the counters are racy anyway. Holds no reference to the runtime.
 */
public final class StatsCache {
    /** How long a snapshot is reused: shorter than any scrape interval, longer than one scrape. */
    static final long MAX_AGE_NANOS = 5_000_000L;

    private record Entry(RuntimeStats stats, long takenAt) {}

    private volatile Entry last;

    /** A recent snapshot of {@code rt}'s counters, or null if the runtime could not give one. */
    public RuntimeStats get(WeftRuntime rt) {
        if (rt == null) {
            return null;
        }
        long now = System.nanoTime();
        Entry e = last;
        if (e != null && now - e.takenAt < MAX_AGE_NANOS) {
            return e.stats;
        }
        try {
            RuntimeStats s = RuntimeAccess.stats(rt);
            last = new Entry(s, now);
            return s;
        } catch (RuntimeException ex) {
            return null;   // read as NaN; a scrape must not fail because the runtime is shutting down
        }
    }
}
