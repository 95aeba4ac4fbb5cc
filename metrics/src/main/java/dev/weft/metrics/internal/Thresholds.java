package dev.weft.metrics.internal;

import java.time.Duration;
import java.util.TreeMap;

/**
 * The pinning thresholds binders asked for, counted, so that the one in force (the smallest) goes
 * back up when the binder that asked for it leaves. Not thread-safe: its owner guards it.
 */
final class Thresholds {
    private final TreeMap<Duration, Integer> counts = new TreeMap<>();

    void add(Duration d) {
        counts.merge(d, 1, Integer::sum);
    }

    /** Removes one {@code d}; false if there was none. */
    boolean remove(Duration d) {
        Integer n = counts.get(d);
        if (n == null) {
            return false;
        }
        if (n == 1) {
            counts.remove(d);
        } else {
            counts.put(d, n - 1);
        }
        return true;
    }

    boolean isEmpty() {
        return counts.isEmpty();
    }

    /** The smallest threshold asked for, or null if none. */
    Duration min() {
        return counts.isEmpty() ? null : counts.firstKey();
    }
}
