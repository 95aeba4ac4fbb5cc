package dev.weft.metrics.internal;

import dev.weft.core.SchedulerMode;
import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.core.spi.RuntimeStats;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * What every binder of one runtime shares, so that two binders (or one bound twice) never count
 * an event twice: the runtime's one slow-slice listener and the registries that pinning events
 * are recorded into. One per runtime, found with {@link #of}; holds the runtime weakly.
 */
public final class RuntimeHub {
    private static final Map<WeftRuntime, RuntimeHub> HUBS = new WeakHashMap<>();

    private final WeakReference<WeftRuntime> rt;
    private final String name;
    private final boolean carrierMode;
    private final Set<String> carrierThreads;
    private int logUsers;
    /** The listener startSlowSliceLog added, null while none; guarded by this. */
    private SlowSliceLog slowSliceLog;
    /** Where pinning is recorded (a registry and tags), with what its binders asked; guarded by this. */
    private final Map<PinKey, PinTarget> pinTargets = new HashMap<>();
    private volatile List<PinTarget> pinSnapshot = List.of();
    private final SchedulingRecorder scheduling;

    /** A registry by identity (as everywhere here) and the tags of its pinning timers by value. */
    private record PinKey(MeterRegistry registry, Tags tags) {
        @Override
        public boolean equals(Object o) {
            return o instanceof PinKey k && k.registry == registry && k.tags.equals(tags);
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(registry) * 31 + tags.hashCode();
        }
    }

    private static final class PinTarget {
        final MeterRegistry registry;
        final Tags tags;
        /** The smallest of {@link #thresholds}: what the binders still bound want recorded. */
        volatile Duration threshold;
        /** The threshold each binder asked for, counted; guarded by the hub. */
        final SmallestAsked<Duration> thresholds = new SmallestAsked<>();
        /** The timers registered so far, per reason, each holding one reference; guarded by this target. */
        final Map<String, Timer> timers = new java.util.HashMap<>();
        /** Set when the last binder left: no more timers; guarded by this target. */
        boolean removed;

        PinTarget(MeterRegistry registry, Tags tags) {
            this.registry = registry;
            this.tags = tags;
        }
    }

    private RuntimeHub(WeftRuntime rt) {
        this.rt = new WeakReference<>(rt);
        this.name = rt.name();
        this.carrierMode = rt.schedulerMode() == SchedulerMode.CARRIER;
        Set<String> names = new java.util.HashSet<>();
        for (RuntimeStats.Carrier c : RuntimeAccess.stats(rt).carriers()) {
            names.add(c.threadName());
        }
        this.carrierThreads = Set.copyOf(names);
        this.scheduling = new SchedulingRecorder(rt);
    }

    /**
     * Records the scheduling histograms (wake-up delay, slice, timer lateness) of this runtime into
     * {@code registry} from now on, once per registry, tags and {@code perCarrier} however many
     * binders ask, installing the runtime's scheduling probe if none was.
     *
     * @param period record about one event in this many (a power of two)
     * @throws RuntimeException whatever the registry threw
     */
    public void addSchedulingRegistry(MeterRegistry registry, Tags tags, boolean perCarrier, int period) {
        scheduling.add(registry, tags, perCarrier, period);
    }

    /**
     * Undoes one {@link #addSchedulingRegistry} with these arguments: the sample period goes back
     * up to the smallest one still asked for; the probe is removed with the last.
     */
    public void removeSchedulingRegistry(MeterRegistry registry, Tags tags, boolean perCarrier, int period) {
        scheduling.remove(registry, tags, perCarrier, period);
    }

    /** The sample period of the installed scheduling probe, 0 when none. */
    public int schedulingPeriod() {
        return scheduling.installedPeriod();
    }

    /** The hub of {@code rt}, made on first use. */
    public static RuntimeHub of(WeftRuntime rt) {
        synchronized (HUBS) {
            return HUBS.computeIfAbsent(rt, RuntimeHub::new);
        }
    }

    /**
     * Adds the slow-slice log to the runtime's slow-slice listeners, once for all binders; the
     * runtime's other listeners stay.
     */
    public synchronized void startSlowSliceLog() {
        WeftRuntime r = rt.get();
        if (logUsers++ == 0 && r != null) {
            slowSliceLog = new SlowSliceLog(name, SlowSliceLog.INTERVAL_NANOS);
            RuntimeAccess.addSlowSliceListener(r, slowSliceLog);
        }
    }

    /** Removes the slow-slice log (and no other listener) when the last binder that wanted it stops. */
    public synchronized void stopSlowSliceLog() {
        WeftRuntime r = rt.get();
        if (logUsers > 0 && --logUsers == 0 && slowSliceLog != null) {
            if (r != null) {
                RuntimeAccess.removeSlowSliceListener(r, slowSliceLog);
            }
            slowSliceLog = null;
        }
    }

    /**
     * Records this runtime's pinned parks of at least {@code threshold} into {@code registry},
     * tagged {@code tags}, from now on (once per registry and tags, however many binders ask:
     * then the smallest threshold asked applies), starting the JVM's JFR stream if needed.
     *
     * @throws IllegalStateException if JFR streaming is not available here
     */
    public void addPinningRegistry(MeterRegistry registry, Tags tags, Duration threshold) {
        // The stream first: when it cannot start there is nothing to undo (undoing through
        // removePinningRegistry would also drop another binder's reference to the stream).
        try {
            PinningMonitor.add(this, threshold);
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException("JFR streaming of jdk.VirtualThreadPinned is not available: " + e, e);
        }
        synchronized (this) {
            PinTarget t = pinTargets.computeIfAbsent(new PinKey(registry, tags), k -> new PinTarget(registry, tags));
            t.thresholds.add(threshold);
            t.threshold = t.thresholds.min();
            pinSnapshot = List.copyOf(pinTargets.values());
        }
    }

    /**
     * Undoes one {@link #addPinningRegistry} with these arguments: the registry's threshold goes
     * back to what the binders left ask for; with the last, its pinning timers leave it.
     */
    public void removePinningRegistry(MeterRegistry registry, Tags tags, Duration threshold) {
        PinTarget gone = null;
        synchronized (this) {
            PinKey key = new PinKey(registry, tags);
            PinTarget t = pinTargets.get(key);
            if (t == null || !t.thresholds.remove(threshold)) {
                return;
            }
            if (t.thresholds.isEmpty()) {
                pinTargets.remove(key);
                gone = t;
            } else {
                t.threshold = t.thresholds.min();
            }
            pinSnapshot = List.copyOf(pinTargets.values());
        }
        PinningMonitor.remove(this, threshold);
        if (gone != null) {
            List<Timer> timers;
            synchronized (gone) {
                gone.removed = true;   // an event being recorded now registers no new timer
                timers = List.copyOf(gone.timers.values());
                gone.timers.clear();
            }
            timers.forEach(timer -> OwnedMeters.release(registry, timer));
        }
    }

    boolean carrierMode() {
        return carrierMode;
    }

    boolean ownsCarrierThread(String threadName) {
        return threadName != null && carrierThreads.contains(threadName);
    }

    /** Called on the JFR stream's thread for a pinned park attributed to this runtime. */
    void recordPinned(String reason, Duration duration) {
        List<PinTarget> targets = pinSnapshot;
        for (PinTarget t : targets) {
            if (duration.compareTo(t.threshold) < 0) {
                continue;
            }
            try {
                Timer timer;
                synchronized (t) {
                    if (t.removed) {
                        continue;
                    }
                    timer = t.timers.get(reason);
                    if (timer == null) {
                        timer = OwnedMeters.acquire(t.registry, () -> Timer.builder("weft.threads.virtual.pinned")
                                .tags(t.tags).tag("reason", reason)
                                .description("virtual threads parked while pinned to their carrier (JFR jdk.VirtualThreadPinned)")
                                .register(t.registry));
                        t.timers.put(reason, timer);
                    }
                }
                timer.record(duration);
            } catch (RuntimeException e) {
                // a failing registry loses this event; the runtime and the other registries go on
            }
        }
    }

    @Override
    public String toString() {
        return "RuntimeHub[" + name + "]";
    }
}
