package dev.weft.metrics.internal;

import java.util.TreeMap;

/**
 * The values binders asked for (pinning thresholds, sample periods), counted, so that the one in
 * force, the smallest, goes back up when the binder that asked for it leaves. Not thread-safe:
 * its owner guards it.
 *
 * @param <T> the kind of value
 */
final class SmallestAsked<T extends Comparable<? super T>> {
    private final TreeMap<T, Integer> counts = new TreeMap<>();

    void add(T value) {
        counts.merge(value, 1, Integer::sum);
    }

    /** Removes one {@code value}; false if there was none. */
    boolean remove(T value) {
        Integer n = counts.get(value);
        if (n == null) {
            return false;
        }
        if (n == 1) {
            counts.remove(value);
        } else {
            counts.put(value, n - 1);
        }
        return true;
    }

    boolean isEmpty() {
        return counts.isEmpty();
    }

    /** The smallest value asked for, or null if none. */
    T min() {
        return counts.isEmpty() ? null : counts.firstKey();
    }
}
