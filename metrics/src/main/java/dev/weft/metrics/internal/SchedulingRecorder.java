package dev.weft.metrics.internal;

import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.core.spi.SchedulingProbe;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The scheduling histograms of one runtime ({@code weft.scheduling.wake.delay},
 * {@code weft.scheduling.slice}, {@code weft.timers.lateness}): the runtime's one
 * {@link SchedulingProbe}, recording its samples into Micrometer timers of every registry that
 * asked, once per registry and meter tags (tags, and whether there is one histogram per carrier)
 * however many binders asked: binders that ask for other tags on the same registry get timers of
 * their own, as their function meters are their own. Installed while at least one registry
 * wants it, removed with the last, so a runtime with none pays one volatile read per turn and per
 * submission.
 *
 * <p>The probe runs on carrier threads: it records into timers made at registration (one per
 * carrier, so carriers do not contend on one timer's counters even when the carrier tag is off:
 * Micrometer then returns the same timer for every carrier), and a registry that throws loses the
 * sample, never the carrier.
 */
final class SchedulingRecorder {
    /** Buckets for how long a woken continuation waits and how long a slice runs. */
    static final Duration[] SCHEDULING_BUCKETS = durations(TimeUnit.MICROSECONDS,
            1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000);
    /** Buckets for timer lateness: the wheel ticks in milliseconds. */
    static final Duration[] LATENESS_BUCKETS = durations(TimeUnit.MICROSECONDS,
            100, 500, 1_000, 2_000, 5_000, 10_000, 25_000, 50_000, 100_000, 250_000, 1_000_000, 5_000_000);

    private final java.lang.ref.WeakReference<WeftRuntime> rt;   // the hub that owns this holds it weakly too
    private final int carriers;
    /** guarded by this */
    private final Map<Key, Target> targets = new HashMap<>();
    private int installedPeriod;

    /** What a set of timers is for: the registry by identity (as everywhere here), the tags by value. */
    private record Key(MeterRegistry registry, Tags tags, boolean perCarrier) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.registry == registry && k.tags.equals(tags) && k.perCarrier == perCarrier;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(registry) * 31 + tags.hashCode() * 2 + (perCarrier ? 1 : 0);
        }
    }

    /**
     * The timers of one {@link Key}, one per carrier (index = carrier index), and the periods its
     * binders asked for, counted: the one in force goes back up when the binder that asked for a
     * smaller one leaves. The periods are guarded by the recorder.
     */
    private record Target(Timer[] wake, Timer[] slice, Timer[] lateness, SmallestAsked<Integer> periods) {
        int period() {
            return periods.min();
        }
    }

    SchedulingRecorder(WeftRuntime rt) {
        this.rt = new java.lang.ref.WeakReference<>(rt);
        this.carriers = rt.carriers();
    }

    /**
     * Records into {@code registry}, with timers tagged {@code tags} (and {@code carrier} if
     * {@code perCarrier}), from now on; a second call with the same registry, tags and
     * {@code perCarrier} only counts a reference. The samples are one event in {@code period}
     * (the smallest period any open add asked for, so a registry may get more samples than it
     * asked for).
     *
     * @throws RuntimeException whatever the registry threw while the timers were registered
     */
    synchronized void add(MeterRegistry registry, Tags tags, boolean perCarrier, int period) {
        Key key = new Key(registry, tags, perCarrier);
        Target t = targets.get(key);
        if (t != null) {
            int before = t.period();
            t.periods.add(period);
            if (period < before) {   // the smallest period wins, whichever binder came first
                reinstall();
            }
            return;
        }
        Timer[] wake = new Timer[carriers], slice = new Timer[carriers], late = new Timer[carriers];
        List<Timer> acquired = new ArrayList<>();
        try {
            for (int i = 0; i < carriers; i++) {
                Tags ct = perCarrier ? tags.and("carrier", Integer.toString(i)) : tags;
                String sampled = period == 1 ? "" : " (sampled: about one in " + period + ")";
                wake[i] = keep(acquired, OwnedMeters.acquire(registry, () -> Timer.builder("weft.scheduling.wake.delay").tags(ct)
                        .description("delay from a continuation's wake-up (unpark, spawn, yield) to its run" + sampled)
                        .serviceLevelObjectives(SCHEDULING_BUCKETS).register(registry)));
                slice[i] = keep(acquired, OwnedMeters.acquire(registry, () -> Timer.builder("weft.scheduling.slice").tags(ct)
                        .description("continuation run time before it parked, yielded or ended" + sampled)
                        .serviceLevelObjectives(SCHEDULING_BUCKETS).register(registry)));
                late[i] = keep(acquired, OwnedMeters.acquire(registry, () -> Timer.builder("weft.timers.lateness").tags(ct)
                        .description("how late timers fired after their deadline (rounded up to the millisecond)" + sampled)
                        .serviceLevelObjectives(LATENESS_BUCKETS).register(registry)));
            }
        } catch (RuntimeException e) {
            acquired.forEach(m -> OwnedMeters.release(registry, m));
            throw e;
        }
        SmallestAsked<Integer> periods = new SmallestAsked<>();
        periods.add(period);
        targets.put(key, new Target(wake, slice, late, periods));
        reinstall();
    }

    /**
     * Undoes one {@link #add} with these arguments: the period goes back to the smallest that the
     * remaining adds asked for; with the last, its timers leave the registry.
     */
    synchronized void remove(MeterRegistry registry, Tags tags, boolean perCarrier, int period) {
        Key key = new Key(registry, tags, perCarrier);
        Target t = targets.get(key);
        if (t == null) {
            return;
        }
        int before = t.period();
        if (!t.periods.remove(period)) {
            return;
        }
        if (!t.periods.isEmpty()) {
            if (t.period() != before) {
                reinstall();   // the smallest period left is larger
            }
            return;
        }
        targets.remove(key);
        reinstall();
        // Each carrier's slot took one reference (with the carrier tag off they share one timer).
        for (Timer[] timers : List.of(t.wake, t.slice, t.lateness)) {
            for (Timer timer : timers) {
                OwnedMeters.release(registry, timer);
            }
        }
    }

    private static Timer keep(List<Timer> acquired, Timer t) {
        acquired.add(t);
        return t;
    }

    // guarded by this
    private void reinstall() {
        WeftRuntime r = rt.get();
        if (r == null) {
            return;
        }
        if (targets.isEmpty()) {
            installedPeriod = 0;
            RuntimeAccess.setSchedulingProbe(r, null);
            return;
        }
        int period = Integer.MAX_VALUE;
        for (Target t : targets.values()) {
            period = Math.min(period, t.period());
        }
        installedPeriod = period;
        RuntimeAccess.setSchedulingProbe(r, new Probe(period, List.copyOf(targets.values())));
    }

    /** The period of the installed probe, 0 when none (for tests). */
    synchronized int installedPeriod() {
        return installedPeriod;
    }

    private static final class Probe extends SchedulingProbe {
        private final Target[] targets;

        Probe(int period, List<Target> targets) {
            super(period);
            this.targets = targets.toArray(new Target[0]);
        }

        @Override
        public void onSlice(int carrier, long sliceNanos) {
            for (Target t : targets) {
                record(t.slice, carrier, sliceNanos);
            }
        }

        @Override
        public void onWakeDelay(int carrier, long delayNanos) {
            for (Target t : targets) {
                record(t.wake, carrier, delayNanos);
            }
        }

        @Override
        public void onTimerFired(int carrier, long latenessNanos) {
            for (Target t : targets) {
                record(t.lateness, carrier, latenessNanos);
            }
        }

        private static void record(Timer[] timers, int carrier, long nanos) {
            if (carrier < 0 || carrier >= timers.length) {
                return;
            }
            try {
                timers[carrier].record(nanos, TimeUnit.NANOSECONDS);
            } catch (RuntimeException e) {
                // a failing registry loses this sample; the carrier and the other registries go on
            }
        }
    }

    private static Duration[] durations(TimeUnit unit, long... values) {
        List<Duration> out = new ArrayList<>();
        for (long v : values) {
            out.add(Duration.ofNanos(unit.toNanos(v)));
        }
        return out.toArray(new Duration[0]);
    }
}
