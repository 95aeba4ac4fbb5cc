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
import java.util.IdentityHashMap;
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
    /** Registries pinning is recorded into, with how many binders asked; guarded by this. */
    private final Map<MeterRegistry, PinTarget> pinTargets = new IdentityHashMap<>();
    private volatile List<PinTarget> pinSnapshot = List.of();
    private final SchedulingRecorder scheduling;

    private static final class PinTarget {
        final MeterRegistry registry;
        final Tags tags;
        Duration threshold;
        int refs;
        /** The timers registered so far, per reason, each holding one reference; guarded by this target. */
        final Map<String, Timer> timers = new java.util.HashMap<>();
        /** Set when the last binder left: no more timers; guarded by this target. */
        boolean removed;

        PinTarget(MeterRegistry registry, Tags tags, Duration threshold) {
            this.registry = registry;
            this.tags = tags;
            this.threshold = threshold;
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
     * {@code registry} from now on, once however many binders ask, installing the runtime's
     * scheduling probe if none was.
     *
     * @param period record about one event in this many (a power of two)
     * @throws RuntimeException whatever the registry threw
     */
    public void addSchedulingRegistry(MeterRegistry registry, Tags tags, boolean perCarrier, int period) {
        scheduling.add(registry, tags, perCarrier, period);
    }

    /** Undoes one {@link #addSchedulingRegistry}; the probe is removed with the last registry. */
    public void removeSchedulingRegistry(MeterRegistry registry) {
        scheduling.remove(registry);
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

    /** Installs the slow-slice log as the runtime's slow-slice listener, once for all binders. */
    public synchronized void startSlowSliceLog() {
        WeftRuntime r = rt.get();
        if (logUsers++ == 0 && r != null) {
            RuntimeAccess.onSlowSlice(r, new SlowSliceLog(name, SlowSliceLog.INTERVAL_NANOS));
        }
    }

    /** Removes the slow-slice listener when the last binder that wanted it stops. */
    public synchronized void stopSlowSliceLog() {
        WeftRuntime r = rt.get();
        if (logUsers > 0 && --logUsers == 0 && r != null) {
            RuntimeAccess.onSlowSlice(r, null);
        }
    }

    /**
     * Records this runtime's pinned parks into {@code registry} from now on (once, however many
     * binders ask), starting the JVM's JFR stream if needed.
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
            PinTarget t = pinTargets.computeIfAbsent(registry, r -> new PinTarget(r, tags, threshold));
            t.refs++;
            if (threshold.compareTo(t.threshold) < 0) {
                t.threshold = threshold;
            }
            pinSnapshot = List.copyOf(pinTargets.values());
        }
    }

    /** Undoes one {@link #addPinningRegistry}; with the last, the registry's pinning timers leave it. */
    public void removePinningRegistry(MeterRegistry registry) {
        PinTarget gone = null;
        synchronized (this) {
            PinTarget t = pinTargets.get(registry);
            if (t == null) {
                return;
            }
            if (--t.refs == 0) {
                pinTargets.remove(registry);
                gone = t;
            }
            pinSnapshot = List.copyOf(pinTargets.values());
        }
        PinningMonitor.remove(this);
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
