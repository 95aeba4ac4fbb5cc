package dev.weft.metrics.internal;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Supplier;

/**
 * The meters one binder registered, removed from their registries by {@link #close()}.
 *
 * <p>Micrometer hands every caller that registers an id already present the meter that is there,
 * so two binders (of one runtime, or of two runtimes with the same name and tags, or two channel
 * binders) can share a meter. The meters are therefore reference-counted per registry and id,
 * across the JVM: {@link #acquire} takes a reference, {@link #release} drops one and removes the
 * meter with the last. Registration and release run under one lock, so a meter is never removed
 * between another binder's registration and its reference. An owner holds at most one reference
 * per registry and id, however many times it registers the meter. Thread-safe.
 */
public final class OwnedMeters {
    /** References per registry (held weakly) and meter id; guarded by itself. */
    private static final Map<MeterRegistry, Map<Meter.Id, Integer>> REFS = new WeakHashMap<>();

    /** guarded by this */
    private final Map<MeterRegistry, Map<Meter.Id, Meter>> owned = new IdentityHashMap<>();
    private boolean closed;

    /**
     * Runs {@code registration} (which registers one meter with {@code registry}) and keeps a
     * reference to the meter for {@link #close()}. Once closed, registers nothing.
     *
     * @return the meter, or null if this owner is closed
     * @throws RuntimeException whatever the registration threw (no reference is then taken)
     */
    public <M extends Meter> M register(MeterRegistry registry, Supplier<M> registration) {
        synchronized (this) {
            if (closed) {
                return null;
            }
        }
        M m = acquire(registry, registration);
        boolean extra;
        synchronized (this) {
            extra = closed || owned.computeIfAbsent(registry, r -> new HashMap<>()).putIfAbsent(m.getId(), m) != null;
        }
        if (extra) {
            release(registry, m);   // closed meanwhile, or this owner already holds a reference
        }
        return m;
    }

    /** Drops this owner's references; a meter no other owner holds leaves its registry. Idempotent. */
    public void close() {
        List<Map.Entry<MeterRegistry, Meter>> all = new ArrayList<>();
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            owned.forEach((r, ms) -> ms.values().forEach(m -> all.add(Map.entry(r, m))));
            owned.clear();
        }
        for (var e : all) {
            release(e.getKey(), e.getValue());
        }
    }

    /**
     * Runs {@code registration} (which registers one meter) and takes a reference to the meter;
     * undo with {@link #release}.
     */
    public static <M extends Meter> M acquire(MeterRegistry registry, Supplier<M> registration) {
        synchronized (REFS) {
            M m = registration.get();
            REFS.computeIfAbsent(registry, r -> new HashMap<>()).merge(m.getId(), 1, Integer::sum);
            return m;
        }
    }

    /** Drops a reference taken by {@link #acquire}: the last one removes the meter from {@code registry}. */
    public static void release(MeterRegistry registry, Meter meter) {
        synchronized (REFS) {
            Map<Meter.Id, Integer> refs = REFS.get(registry);
            if (refs == null) {
                return;
            }
            Integer n = refs.get(meter.getId());
            if (n == null) {
                return;
            }
            if (n > 1) {
                refs.put(meter.getId(), n - 1);
                return;
            }
            refs.remove(meter.getId());
            if (refs.isEmpty()) {
                REFS.remove(registry);
            }
            try {
                registry.remove(meter);
            } catch (RuntimeException e) {
                // a registry that fails to remove keeps the meter; nothing else depends on it
            }
        }
    }
}
