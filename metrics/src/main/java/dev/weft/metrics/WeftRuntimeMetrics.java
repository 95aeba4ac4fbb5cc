package dev.weft.metrics;

import dev.weft.core.SchedulerMode;
import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeStats;
import dev.weft.metrics.internal.RegistrationGuard;
import dev.weft.metrics.internal.RuntimeHub;
import dev.weft.metrics.internal.StatsCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.time.Duration;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Binds one {@link WeftRuntime} to Micrometer registries: tasks, carriers, the blocking pool,
 * timers, slow slices (with a log line naming the task) and, optionally, virtual-thread pinning.
 *
 * {@snippet :
 * WeftRuntimeMetrics metrics = WeftRuntimeMetrics.builder(rt).build();
 * metrics.bindTo(registry);          // any MeterRegistry; bind to as many as you like
 * // ...
 * metrics.close();                   // removes its meters, stops the slow-slice log and the JFR stream
 * }
 *
 * <h2>Meters</h2>
 * Every meter has the tag {@code runtime} (the runtime's {@linkplain WeftRuntime#name() name})
 * plus the builder's {@linkplain Builder#tags extra tags}; per-carrier meters also have
 * {@code carrier} (the carrier's index).
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@code weft.runtime.info}</td><td>gauge (1)</td><td>tags {@code transport} and {@code scheduler} ({@code carrier} or {@code fallback})</td></tr>
 *   <tr><td>{@code weft.runtime.carriers}</td><td>gauge</td><td>number of carriers</td></tr>
 *   <tr><td>{@code weft.tasks.spawned}, {@code .completed}, {@code .failed}, {@code .cancelled}</td><td>function counters</td><td>tasks (blocking jobs included)</td></tr>
 *   <tr><td>{@code weft.tasks.live}</td><td>gauge</td><td>tasks not yet ended</td></tr>
 *   <tr><td>{@code weft.tasks.timed.waiting}</td><td>gauge</td><td>tasks parked in a timed wait on a wheel</td></tr>
 *   <tr><td>{@code weft.blocking.threads}, {@code .busy}, {@code .queued}, {@code .threads.max}</td><td>gauges</td><td>the blocking pool</td></tr>
 *   <tr><td>{@code weft.carrier.run.queue}</td><td>gauge</td><td>continuations waiting to run</td></tr>
 *   <tr><td>{@code weft.carrier.tasks.live}</td><td>gauge</td><td>live tasks homed on the carrier</td></tr>
 *   <tr><td>{@code weft.carrier.slices}</td><td>function counter</td><td>continuation runs</td></tr>
 *   <tr><td>{@code weft.carrier.busy}</td><td>function counter, seconds</td><td>time running continuations; its rate is the busy ratio</td></tr>
 *   <tr><td>{@code weft.carrier.slow.slices}</td><td>function counter</td><td>runs longer than the runtime's slow-slice threshold</td></tr>
 *   <tr><td>{@code weft.carrier.slice.max}</td><td>time gauge</td><td>longest run so far</td></tr>
 *   <tr><td>{@code weft.carrier.parks}</td><td>function counter</td><td>times the carrier blocked for lack of work</td></tr>
 *   <tr><td>{@code weft.timers.pending}</td><td>gauge</td><td>timers armed on the carrier's wheel</td></tr>
 *   <tr><td>{@code weft.timers.fired}</td><td>function counter</td><td>timers fired on the carrier's wheel</td></tr>
 *   <tr><td>{@code weft.timers.cancelled}</td><td>function counter</td><td>timers cancelled before they fired</td></tr>
 *   <tr><td>{@code weft.timers.lateness.max}</td><td>time gauge</td><td>the latest a timer of the carrier fired after its deadline</td></tr>
 *   <tr><td>{@code weft.scheduling.wake.delay}</td><td>timer, histogram</td><td>sampled (see {@link Builder#schedulingSamplePeriod}): delay from a continuation's wake-up (unpark, spawn, yield) to its run</td></tr>
 *   <tr><td>{@code weft.scheduling.slice}</td><td>timer, histogram</td><td>sampled: how long a continuation ran before it parked, yielded or ended</td></tr>
 *   <tr><td>{@code weft.timers.lateness}</td><td>timer, histogram</td><td>sampled: how late timers fired after their deadline (rounded up to the wheel's millisecond)</td></tr>
 *   <tr><td>{@code weft.threads.virtual.pinned}</td><td>timer</td><td>only with {@link Builder#pinning(boolean)}: pinned parks, tag {@code reason}</td></tr>
 * </table>
 *
 * <h2>Implementation overview</h2>
 * All but the pinning timer and the three scheduling histograms are function meters over
 * {@code RuntimeStats}, the counters the carriers keep anyway: a scrape reads one snapshot
 * (cached for a few milliseconds, so one scrape of many meters takes one). The histograms come
 * from the runtime's one {@code SchedulingProbe}, installed while some registry wants them: each
 * carrier hands it about one slice, one wake-up and one timer firing in
 * {@link Builder#schedulingSamplePeriod(int) N} (default 16), which it records into Micrometer
 * timers on the carrier thread. So their {@code count} is about 1/N of the events (the exact
 * counts are {@code weft.carrier.slices} and {@code weft.timers.fired}); their distribution is
 * the events'. Without a bound registry the carriers pay one volatile read per turn and per
 * submitted continuation. A sampled wake-up costs a {@code System.nanoTime()} and a small
 * allocation where it is submitted; with the default period, W1 spawn and W5 echo ran within
 * noise of the unbound runtime (see {@code docs/BENCHMARKS.md}, "Metrics overhead").
 * The meters hold the runtime weakly, as Micrometer's function meters do: a runtime that is gone
 * reads {@code NaN}. Slow slices are logged from one slow-slice listener per runtime (added
 * beside its other listeners), at most once a minute per task name, by a background thread (the
 * listener runs on the carrier and only queues). Pinning comes from a JFR {@code RecordingStream} on {@code jdk.VirtualThreadPinned},
 * shared by every binder in the JVM; events are attributed to a runtime by their carrier thread.
 * In {@link SchedulerMode#FALLBACK} the carrier is a JDK scheduler thread, so a fallback
 * runtime counts every pinned park on the JDK's scheduler.
 *
 * <h2>Binding twice, closing, failing registries</h2>
 * Binding the same runtime twice to one registry (with this binder or another) registers nothing
 * new: Micrometer returns the meters already there, which read the same counters, and the pinning
 * events and scheduling samples are recorded once per registry. This holds for binders with the
 * same settings: a binder with other {@linkplain Builder#tags tags} (or another
 * {@linkplain Builder#schedulingPerCarrier per-carrier} choice) gets meters of its own, histograms
 * and pinning timers included, recording the same events (so summing across those tags counts
 * them twice). Binders that differ only in {@linkplain Builder#pinnedThreshold pinning threshold}
 * share the pinning timer, which records from the smallest threshold of those bound; when a binder
 * closes, the threshold goes back up to what the others ask. Two live runtimes with the same
 * name collide the same way (the second binder's meters read the first runtime): give them
 * different names or an extra tag. {@link #close()} removes the meters this binder registered
 * from its registries ({@link MeterRegistry#remove(Meter)}), so a runtime closed and built again
 * with the same name is measured by the next binder. Meters are shared, so they are
 * reference-counted per registry: a meter leaves when the last open binder (of any runtime) that
 * registered it closes; another binder of the same runtime still bound keeps reading. A registry
 * that throws while a meter is registered or updated loses that meter (logged once at
 * {@code WARNING}); the runtime and the other meters go on. A histogram whose {@code record}
 * throws loses that sample, on the carrier, silently.
 *
 * <p>Thread-safe. {@link #close()} is idempotent.
 */
public final class WeftRuntimeMetrics implements MeterBinder, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WeftRuntimeMetrics.class.getName());

    private final WeftRuntime rt;
    private final Tags tags;
    private final boolean pinning;
    private final Duration pinnedThreshold;
    private final boolean slowSliceLog;
    private final boolean scheduling;
    private final boolean schedulingPerCarrier;
    private final int schedulingPeriod;
    private final StatsCache cache;
    private final RuntimeHub hub;
    // The three sets are guarded by this. A registry is in the last two only once the hub took it,
    // so close() undoes exactly what this binder did (a refused registration has nothing to undo).
    private final Set<MeterRegistry> bound = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<MeterRegistry> scheduled = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Set<MeterRegistry> pinned = Collections.newSetFromMap(new IdentityHashMap<>());
    private final RegistrationGuard guard;
    private boolean closed;
    private boolean logStarted;

    private WeftRuntimeMetrics(Builder b) {
        this.rt = b.rt;
        this.tags = Tags.of("runtime", rt.name()).and(b.tags);
        this.pinning = b.pinning;
        this.pinnedThreshold = b.pinnedThreshold;
        this.slowSliceLog = b.slowSliceLog;
        this.scheduling = b.scheduling;
        this.schedulingPerCarrier = b.schedulingPerCarrier;
        this.schedulingPeriod = b.schedulingPeriod;
        this.cache = new StatsCache();
        this.hub = RuntimeHub.of(rt);
        this.guard = new RegistrationGuard(LOG, rt.name());
    }

    /** A binder for {@code rt} with the defaults: slow-slice log on, pinning off. */
    public static WeftRuntimeMetrics of(WeftRuntime rt) {
        return builder(rt).build();
    }

    /** A builder for a binder of {@code rt}. @throws NullPointerException if {@code rt} is null */
    public static Builder builder(WeftRuntime rt) {
        return new Builder(Objects.requireNonNull(rt, "rt"));
    }

    /**
     * Registers the meters (see the class comment) with {@code registry}. Returns at once; never
     * throws because the registry did (a meter it refused is logged and left out).
     *
     * @throws IllegalStateException if this binder is closed
     * @throws NullPointerException  if {@code registry} is null
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("metrics closed: build a new WeftRuntimeMetrics");
            }
            if (!bound.add(registry)) {
                return;
            }
            if (slowSliceLog && !logStarted) {
                logStarted = true;
                hub.startSlowSliceLog();
            }
        }
        String scheduler = rt.schedulerMode() == SchedulerMode.CARRIER ? "carrier" : "fallback";
        guard(registry, "weft.runtime.info", () -> Gauge.builder("weft.runtime.info", () -> 1)
                .tags(tags).tag("transport", rt.transport().name().toLowerCase(Locale.ROOT)).tag("scheduler", scheduler)
                .description("the runtime's transport and scheduler mode (value 1)").register(registry));
        guard(registry, "weft.runtime.carriers", () -> Gauge.builder("weft.runtime.carriers", rt, WeftRuntime::carriers)
                .tags(tags).description("carriers").register(registry));

        counter(registry, "weft.tasks.spawned", "tasks spawned (blocking jobs included)", "tasks", RuntimeStats::spawned);
        counter(registry, "weft.tasks.completed", "tasks that returned a value", "tasks", RuntimeStats::completed);
        counter(registry, "weft.tasks.failed", "tasks whose body threw", "tasks", RuntimeStats::failed);
        counter(registry, "weft.tasks.cancelled", "tasks cancelled before completing", "tasks", RuntimeStats::cancelled);
        gauge(registry, "weft.tasks.live", "tasks not yet ended", "tasks", RuntimeStats::live);
        gauge(registry, "weft.tasks.timed.waiting", "tasks parked in a timed wait on a wheel", "tasks", RuntimeStats::timedWaiters);
        gauge(registry, "weft.blocking.threads", "threads of the blocking pool", "threads", RuntimeStats::blockingThreads);
        gauge(registry, "weft.blocking.threads.max", "maximum threads of the blocking pool", "threads", RuntimeStats::blockingMax);
        gauge(registry, "weft.blocking.busy", "blocking jobs running", "jobs", RuntimeStats::blockingBusy);
        gauge(registry, "weft.blocking.queued", "blocking jobs waiting for a thread", "jobs", RuntimeStats::blockingQueued);

        for (int i = 0, n = rt.carriers(); i < n; i++) {
            bindCarrier(registry, i);
        }
        if (scheduling && guard.register("weft.scheduling.*", () -> {
            hub.addSchedulingRegistry(registry, tags, schedulingPerCarrier, schedulingPeriod);
            return null;
        })) {
            keep(scheduled, registry, this::unschedule);
        }
        if (pinning && guard.register("weft.threads.virtual.pinned", () -> {
            hub.addPinningRegistry(registry, tags, pinnedThreshold);
            return null;
        })) {
            keep(pinned, registry, this::unpin);
        }
    }

    /** Remembers a registration for close(), or undoes it at once when close() ran meanwhile. */
    private void keep(Set<MeterRegistry> added, MeterRegistry registry, java.util.function.Consumer<MeterRegistry> undo) {
        synchronized (this) {
            if (!closed) {
                added.add(registry);
                return;
            }
        }
        undo.accept(registry);
    }

    private void unschedule(MeterRegistry registry) {
        hub.removeSchedulingRegistry(registry, tags, schedulingPerCarrier, schedulingPeriod);
    }

    private void unpin(MeterRegistry registry) {
        hub.removePinningRegistry(registry, tags, pinnedThreshold);
    }

    private void bindCarrier(MeterRegistry registry, int index) {
        Tags ct = tags.and("carrier", Integer.toString(index));
        cgauge(registry, ct, index, "weft.carrier.run.queue", "continuations waiting to run", "continuations",
                RuntimeStats.Carrier::runQueueDepth);
        cgauge(registry, ct, index, "weft.carrier.tasks.live", "live tasks homed on the carrier", "tasks",
                RuntimeStats.Carrier::liveTasks);
        ccounter(registry, ct, index, "weft.carrier.slices", "continuation runs", "slices", RuntimeStats.Carrier::slices);
        ccounter(registry, ct, index, "weft.carrier.busy", "time spent running continuations (rate = busy ratio)", "seconds",
                c -> c.busyNanos() / 1e9);
        ccounter(registry, ct, index, "weft.carrier.slow.slices", "continuation runs over the slow-slice threshold", "slices",
                RuntimeStats.Carrier::slowSlices);
        ccounter(registry, ct, index, "weft.carrier.parks", "times the carrier blocked for lack of work", "parks",
                RuntimeStats.Carrier::idleBlocks);
        cgauge(registry, ct, index, "weft.timers.pending", "timers armed and not yet fired or cancelled", "timers",
                RuntimeStats.Carrier::timersPending);
        ccounter(registry, ct, index, "weft.timers.fired", "timers fired", "timers", RuntimeStats.Carrier::timersFired);
        ccounter(registry, ct, index, "weft.timers.cancelled", "timers cancelled before they fired", "timers",
                RuntimeStats.Carrier::timersCancelled);
        StatsCache cache = this.cache;
        guard(registry, "weft.carrier.slice.max", () -> TimeGauge.builder("weft.carrier.slice.max", rt, TimeUnit.NANOSECONDS,
                        r -> carrierValue(cache, r, index, RuntimeStats.Carrier::maxSliceNanos))
                .tags(ct).description("longest continuation run").register(registry));
        guard(registry, "weft.timers.lateness.max", () -> TimeGauge.builder("weft.timers.lateness.max", rt, TimeUnit.NANOSECONDS,
                        r -> carrierValue(cache, r, index, RuntimeStats.Carrier::timerLatenessMaxNanos))
                .tags(ct).description("the latest a timer fired after its deadline").register(registry));
    }

    private void counter(MeterRegistry registry, String name, String description, String unit,
                         ToDoubleFunction<RuntimeStats> f) {
        StatsCache cache = this.cache;
        guard(registry, name, () -> FunctionCounter.builder(name, rt, r -> value(cache, r, f))
                .tags(tags).description(description).baseUnit(unit).register(registry));
    }

    private void gauge(MeterRegistry registry, String name, String description, String unit,
                       ToDoubleFunction<RuntimeStats> f) {
        StatsCache cache = this.cache;
        guard(registry, name, () -> Gauge.builder(name, rt, r -> value(cache, r, f))
                .tags(tags).description(description).baseUnit(unit).register(registry));
    }

    private void ccounter(MeterRegistry registry, Tags ct, int index, String name, String description, String unit,
                          ToDoubleFunction<RuntimeStats.Carrier> f) {
        StatsCache cache = this.cache;
        guard(registry, name, () -> FunctionCounter.builder(name, rt, r -> carrierValue(cache, r, index, f))
                .tags(ct).description(description).baseUnit(unit).register(registry));
    }

    private void cgauge(MeterRegistry registry, Tags ct, int index, String name, String description, String unit,
                        ToDoubleFunction<RuntimeStats.Carrier> f) {
        StatsCache cache = this.cache;
        guard(registry, name, () -> Gauge.builder(name, rt, r -> carrierValue(cache, r, index, f))
                .tags(ct).description(description).baseUnit(unit).register(registry));
    }

    // Static, so the meters' functions hold neither this binder nor (strongly) the runtime.
    private static double value(StatsCache cache, WeftRuntime rt, ToDoubleFunction<RuntimeStats> f) {
        RuntimeStats s = cache.get(rt);
        return s == null ? Double.NaN : f.applyAsDouble(s);
    }

    private static double carrierValue(StatsCache cache, WeftRuntime rt, int index, ToDoubleFunction<RuntimeStats.Carrier> f) {
        RuntimeStats s = cache.get(rt);
        if (s == null) {
            return Double.NaN;
        }
        var cs = s.carriers();
        if (index < cs.size() && cs.get(index).index() == index) {
            return f.applyAsDouble(cs.get(index));
        }
        for (RuntimeStats.Carrier c : cs) {
            if (c.index() == index) {
                return f.applyAsDouble(c);
            }
        }
        return Double.NaN;
    }

    private void guard(MeterRegistry registry, String name, Supplier<? extends Meter> registration) {
        guard.registerOwned(registry, name, registration); // the scheduling and pinning timers are the hub's
    }

    /** The runtime this binder reads. */
    public WeftRuntime runtime() {
        return rt;
    }

    /**
     * Stops what this binder started: its part in the slow-slice log (the runtime's other
     * slow-slice listeners stay), in the scheduling probe
     * (removed from the carriers with the runtime's last binder that wanted it, and its
     * histograms from the registries with it) and in the JFR pinning stream (which stops when no
     * binder in the JVM needs it; a registry's pinning timers leave with the runtime's last binder
     * that recorded into it). Removes the meters it registered from its registries, except those
     * another open binder registered too (they leave when it closes). Idempotent.
     */
    @Override
    public void close() {
        List<MeterRegistry> pins;
        List<MeterRegistry> scheds;
        boolean log;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            pins = List.copyOf(pinned);
            scheds = List.copyOf(scheduled);
            log = logStarted;
        }
        pins.forEach(this::unpin);
        scheds.forEach(this::unschedule);
        if (log) {
            hub.stopSlowSliceLog();
        }
        guard.close();
    }

    @Override
    public String toString() {
        return "WeftRuntimeMetrics[" + rt.name() + (pinning ? ", pinning" : "") + "]";
    }

    /** Configures a {@link WeftRuntimeMetrics}. Not thread-safe. */
    public static final class Builder {
        private final WeftRuntime rt;
        private Tags tags = Tags.empty();
        private boolean pinning;
        private Duration pinnedThreshold = Duration.ofMillis(20);
        private boolean slowSliceLog = true;
        private boolean scheduling = true;
        private boolean schedulingPerCarrier;
        private int schedulingPeriod = 16;

        private Builder(WeftRuntime rt) {
            this.rt = rt;
        }

        /** Extra tags on every meter (e.g. to tell apart two runtimes with the same name). */
        public Builder tags(Iterable<Tag> tags) {
            this.tags = this.tags.and(Objects.requireNonNull(tags, "tags"));
            return this;
        }

        /**
         * Whether to count virtual-thread pinning ({@code weft.threads.virtual.pinned}) from a JFR
         * stream of {@code jdk.VirtualThreadPinned}. Default false: the stream costs a thread and
         * a JFR recording. Where JFR is not available the timer is left out (logged once).
         */
        public Builder pinning(boolean pinning) {
            this.pinning = pinning;
            return this;
        }

        /**
         * Pinned parks shorter than this are not recorded (JFR's event threshold). Default 20 ms,
         * JFR's default.
         *
         * @throws IllegalArgumentException if negative
         */
        public Builder pinnedThreshold(Duration threshold) {
            Objects.requireNonNull(threshold, "pinnedThreshold");
            if (threshold.isNegative()) {
                throw new IllegalArgumentException("pinnedThreshold must be >= 0, was " + threshold);
            }
            this.pinnedThreshold = threshold;
            return this;
        }

        /**
         * Whether a slow slice (see {@code WeftRuntime.Builder.slowSliceThreshold}) is logged at
         * {@code WARNING}, naming the task, at most once a minute per task name. Default true.
         */
        public Builder slowSliceLog(boolean log) {
            this.slowSliceLog = log;
            return this;
        }

        /**
         * Whether to record the scheduling histograms ({@code weft.scheduling.wake.delay},
         * {@code weft.scheduling.slice}, {@code weft.timers.lateness}). Default true. Off, the
         * carriers get no probe from this binder and pay nothing per slice.
         */
        public Builder scheduling(boolean scheduling) {
            this.scheduling = scheduling;
            return this;
        }

        /**
         * Whether the scheduling histograms have a {@code carrier} tag (one histogram per
         * carrier). Default false: one per runtime, fewer time series.
         */
        public Builder schedulingPerCarrier(boolean perCarrier) {
            this.schedulingPerCarrier = perCarrier;
            return this;
        }

        /**
         * The scheduling histograms record about one event in {@code period} of each kind (slices,
         * wake-ups, timer firings). Default 16; 1 records every event, at about 0.1-0.2 µs of
         * carrier CPU per event (W1 spawn: +48 % CPU per task, against +3-10 % at 16). Where binders of one runtime ask for different periods, the smallest of those still bound wins for all: it goes back up when the binder that asked for it closes.
         *
         * @throws IllegalArgumentException if {@code period} is not a power of two between 1 and 2^20
         */
        public Builder schedulingSamplePeriod(int period) {
            if (period <= 0 || period > (1 << 20) || Integer.bitCount(period) != 1) {
                throw new IllegalArgumentException("schedulingSamplePeriod must be a power of two in 1..2^20, was " + period);
            }
            this.schedulingPeriod = period;
            return this;
        }

        /** Builds the binder; it registers nothing and starts nothing until it is first bound. */
        public WeftRuntimeMetrics build() {
            return new WeftRuntimeMetrics(this);
        }
    }
}
