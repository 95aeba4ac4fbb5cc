package dev.weft.metrics.internal;

import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.core.spi.RuntimeStats;

import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * The last {@link RuntimeStats} snapshot of one runtime, reused for {@link #MAX_AGE_NANOS} so a
 * scrape of all the meters takes one snapshot, not one per meter (a snapshot walks every
 * carrier). The counters are racy anyway, but snapshots are taken one at a time, so an older one
 * never replaces a newer one (counters never read backwards). Holds no reference to the runtime.
 */
public final class StatsCache {
    /** How long a snapshot is reused: shorter than any scrape interval, longer than one scrape. */
    static final long MAX_AGE_NANOS = 5_000_000L;

    private record Entry(RuntimeStats stats, long takenAt) {}

    private volatile Entry last;
    private final Function<WeftRuntime, RuntimeStats> source;
    private final LongSupplier clock;

    public StatsCache() {
        this(RuntimeAccess::stats, System::nanoTime);
    }

    /** For tests: snapshots from {@code source}, ages by {@code clock}. */
    StatsCache(Function<WeftRuntime, RuntimeStats> source, LongSupplier clock) {
        this.source = source;
        this.clock = clock;
    }

    /** A recent snapshot of {@code rt}'s counters, or null if the runtime could not give one. */
    public RuntimeStats get(WeftRuntime rt) {
        if (rt == null) {
            return null;
        }
        long now = clock.getAsLong();
        Entry e = last;
        if (e != null && now - e.takenAt < MAX_AGE_NANOS) {
            return e.stats;
        }
        // One snapshot at a time (scrapes only): two registries scraping at once would otherwise
        // publish in either order, and an older snapshot published last makes counters go back.
        synchronized (this) {
            now = clock.getAsLong();
            e = last;
            if (e != null && now - e.takenAt < MAX_AGE_NANOS) {
                return e.stats;
            }
            try {
                RuntimeStats s = source.apply(rt);
                last = new Entry(s, now);
                return s;
            } catch (RuntimeException ex) {
                return null;   // read as NaN; a scrape must not fail because the runtime is shutting down
            }
        }
    }
}
