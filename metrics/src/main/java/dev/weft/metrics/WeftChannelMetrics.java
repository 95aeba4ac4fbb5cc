package dev.weft.metrics;

import dev.weft.core.spi.ChannelGauges;
import dev.weft.core.spi.NamedChannels;
import dev.weft.metrics.internal.OwnedMeters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.ToDoubleFunction;

/**
 * Binds the JVM's channels that were created with a name to Micrometer registries: one set of
 * gauges per kind and name, for every such channel created before or after the binding. Channels
 * belong to no runtime, so this binder does not take one.
 *
 * {@snippet :
 * try (WeftChannelMetrics channels = WeftChannelMetrics.create()) {
 *     channels.bindTo(registry);
 *     Channel<Job> jobs = Channel.bounded("jobs", 256);
 *     // now weft.channel.depth{channel="jobs",kind="channel"} reads the jobs buffered
 * }
 * }
 *
 * <p>The named factories of {@code dev.weft.core.sync} register their channels:
 * {@code Channel.bounded(name, capacity)} and {@code Channel.unbounded(name)} (kind
 * {@code channel}), {@code Broadcast.create(name, capacity)} (kind {@code broadcast}, with lag) and
 * {@code Watch.create(name, initial)} (kind {@code watch}). A channel leaves its group when it is
 * closed, or when it is collected if it was dropped unclosed.
 *
 * <h2>Meters</h2>
 * Tags: {@code kind} (e.g. {@code channel}, {@code broadcast}) and {@code channel} (the name), plus
 * the {@linkplain #create(Iterable) extra tags}. Channels of one kind and name are one group (one
 * channel per connection, all with the same name): the gauges sum over the group's live channels,
 * and read 0 once all are closed or collected.
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@code weft.channel.instances}</td><td>gauge</td><td>live channels in the group</td></tr>
 *   <tr><td>{@code weft.channel.depth}</td><td>gauge</td><td>values buffered</td></tr>
 *   <tr><td>{@code weft.channel.capacity}</td><td>gauge</td><td>buffer capacity ({@code +Inf} if one is unbounded)</td></tr>
 *   <tr><td>{@code weft.channel.senders.parked}</td><td>gauge</td><td>senders parked waiting for room</td></tr>
 *   <tr><td>{@code weft.channel.receivers.parked}</td><td>gauge</td><td>receivers parked waiting for a value</td></tr>
 *   <tr><td>{@code weft.channel.lag}</td><td>gauge</td><td>only for kinds that have it (broadcast): values the slowest receiver is behind, maximum over the group</td></tr>
 * </table>
 *
 * <p>Nothing runs on a channel's operations on behalf of a registry: the gauges ask the channels
 * at scrape time. Binding twice to one registry registers nothing new (Micrometer returns the
 * meters already there). A registry that throws loses that meter (logged once); the channels and
 * the other meters go on. Thread-safe; {@link #close()} stops picking up new groups and removes
 * the gauges it registered ({@link MeterRegistry#remove(io.micrometer.core.instrument.Meter)}).
 * Two binders bound to one registry share the gauges of a group: they are reference-counted, and
 * leave the registry when the last binder that registered them closes.
 */
public final class WeftChannelMetrics implements MeterBinder, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WeftChannelMetrics.class.getName());

    private final Tags tags;
    private final Set<MeterRegistry> bound = Collections.newSetFromMap(new IdentityHashMap<>());
    private final AtomicBoolean warned = new AtomicBoolean();
    /** The gauges this binder registered, removed by close(). */
    private final OwnedMeters meters = new OwnedMeters();
    private AutoCloseable listener;
    private boolean closed;
    /**
     * The registries where this binder still has to decide a group's lag gauge (the group had no
     * channel to ask when it was bound); guarded by this.
     */
    private final Map<NamedChannels.Key, Set<MeterRegistry>> lagPending = new HashMap<>();
    /**
     * The binders with a lag decision pending, per group. The group's instances gauge is shared by
     * every binder that registered it, but runs the function of the first only; so it decides for
     * all of them, each registering the lag gauge as its own (a gauge one binder registered for
     * all would leave with that binder, or never come if it had closed).
     */
    private static final ConcurrentHashMap<NamedChannels.Key, Set<WeftChannelMetrics>> LAG_PENDING = new ConcurrentHashMap<>();

    private WeftChannelMetrics(Tags tags) {
        this.tags = tags;
    }

    /** A binder with no extra tags. */
    public static WeftChannelMetrics create() {
        return new WeftChannelMetrics(Tags.empty());
    }

    /** A binder whose meters also carry {@code tags}. @throws NullPointerException if null */
    public static WeftChannelMetrics create(Iterable<Tag> tags) {
        return new WeftChannelMetrics(Tags.of(Objects.requireNonNull(tags, "tags")));
    }

    /**
     * Registers the gauges of every named channel group now, and of each new group as it is
     * created (on the creating thread, once per group). Returns at once; never throws because
     * the registry did.
     *
     * @throws IllegalStateException if this binder is closed
     * @throws NullPointerException  if {@code registry} is null
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("channel metrics closed: create a new WeftChannelMetrics");
            }
            if (!bound.add(registry)) {
                return;
            }
            if (listener == null) {
                listener = NamedChannels.onNewGroup(this::onGroup);
                return;   // the listener was told about every group now, for every registry bound
            }
        }
        for (NamedChannels.Key k : NamedChannels.groups()) {
            bindGroup(registry, k);
        }
    }

    private void onGroup(NamedChannels.Key key) {
        List<MeterRegistry> regs;
        synchronized (this) {
            if (closed) {
                return;
            }
            regs = new ArrayList<>(bound);
        }
        for (MeterRegistry r : regs) {
            bindGroup(r, key);
        }
    }

    private void bindGroup(MeterRegistry registry, NamedChannels.Key key) {
        Tags t = tags.and("kind", key.kind()).and("channel", key.name());
        List<ChannelGauges> now = NamedChannels.channels(key);
        if (now.isEmpty()) {
            // No channel to ask whether the kind has a lag, and one that joins this (old) group later
            // announces nothing: decide at the first scrape of the group that finds a channel.
            // A lag gauge another binder registered already is shared at once.
            if (registry.find("weft.channel.lag").tags(t).gauge() != null) {
                lagGauge(registry, t, key, null);
            } else {
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    lagPending.computeIfAbsent(key, k -> Collections.newSetFromMap(new IdentityHashMap<>())).add(registry);
                    LAG_PENDING.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(this);
                }
            }
        }
        register(registry, t, key, "weft.channel.instances", "live channels with this kind and name", "channels",
                WeftChannelMetrics::instances);
        gauge(registry, t, key, "weft.channel.depth", "values buffered", "values", ChannelGauges::depth);
        gauge(registry, t, key, "weft.channel.capacity", "buffer capacity (+Inf when unbounded)", "values",
                g -> g.capacity() == Integer.MAX_VALUE ? Double.POSITIVE_INFINITY : g.capacity());
        gauge(registry, t, key, "weft.channel.senders.parked", "senders parked waiting for room", "tasks",
                ChannelGauges::parkedSenders);
        gauge(registry, t, key, "weft.channel.receivers.parked", "receivers parked waiting for a value", "tasks",
                ChannelGauges::parkedReceivers);
        if (!now.isEmpty()) {
            lagGauge(registry, t, key, now.get(0));
        }
    }

    // Static, so that the gauge (held by the registry) holds no binder.
    private static double instances(NamedChannels.Key key) {
        List<ChannelGauges> cs = NamedChannels.channels(key);
        if (!cs.isEmpty()) {
            Set<WeftChannelMetrics> waiting = LAG_PENDING.get(key);
            if (waiting != null) {
                for (WeftChannelMetrics m : waiting) {
                    m.decideLag(key, cs.get(0));
                }
            }
        }
        return cs.size();
    }

    /** Registers (or not) the lag gauge of {@code key} in every registry where it was pending. */
    private void decideLag(NamedChannels.Key key, ChannelGauges sample) {
        Set<MeterRegistry> regs;
        synchronized (this) {   // with the binder's pending set, so a registry bound meanwhile is not dropped
            regs = lagPending.remove(key);
            LAG_PENDING.computeIfPresent(key, (k, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
        }
        if (regs == null) {
            return;
        }
        for (MeterRegistry r : regs) {
            lagGauge(r, tags.and("kind", key.kind()).and("channel", key.name()), key, sample);
        }
    }

    /** Registers the group's lag gauge if {@code sample}'s kind has a lag (null: it is known to). */
    private void lagGauge(MeterRegistry registry, Tags t, NamedChannels.Key key, ChannelGauges sample) {
        if (sample == null || safe(sample, ChannelGauges::lag) >= 0) {
            try {
                meters.register(registry, () -> Gauge.builder("weft.channel.lag", key, WeftChannelMetrics::maxLag).tags(t)
                        .description("values the slowest receiver is behind the newest sent (max over the group)")
                        .baseUnit("values").strongReference(true).register(registry));
            } catch (RuntimeException e) {
                warn("weft.channel.lag", e);
            }
        }
    }

    private void gauge(MeterRegistry registry, Tags t, NamedChannels.Key key, String name, String description,
                       String unit, ToDoubleFunction<ChannelGauges> f) {
        register(registry, t, key, name, description, unit, k -> sum(k, f));
    }

    private void register(MeterRegistry registry, Tags t, NamedChannels.Key key, String name, String description,
                          String unit, ToDoubleFunction<NamedChannels.Key> f) {
        try {
            // The key is the gauge's only state and nothing else holds it: a strong reference
            // keeps the gauge reading (the channels themselves are held weakly by the registry).
            meters.register(registry, () -> Gauge.builder(name, key, f).tags(t).description(description).baseUnit(unit)
                    .strongReference(true).register(registry));
        } catch (RuntimeException e) {
            warn(name, e);
        }
    }

    private static double sum(NamedChannels.Key key, ToDoubleFunction<ChannelGauges> f) {
        double s = 0;
        for (ChannelGauges g : NamedChannels.channels(key)) {
            s += safe(g, f);
        }
        return s;
    }

    private static double maxLag(NamedChannels.Key key) {
        double m = 0;
        for (ChannelGauges g : NamedChannels.channels(key)) {
            m = Math.max(m, safe(g, ChannelGauges::lag));
        }
        return m;
    }

    private static double safe(ChannelGauges g, ToDoubleFunction<ChannelGauges> f) {
        try {
            return f.applyAsDouble(g);
        } catch (RuntimeException e) {
            return 0;   // a channel that fails to answer counts as empty rather than failing the scrape
        }
    }

    private void warn(String name, RuntimeException e) {
        if (warned.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "the meter registry refused meter " + name
                    + " (further refusals are not logged); the channels go on without it", e);
        }
    }

    /**
     * Stops picking up new channel groups and removes the gauges this binder registered from its
     * registries, except those another open {@code WeftChannelMetrics} registered too (they leave
     * when it closes). Idempotent.
     */
    @Override
    public void close() {
        AutoCloseable l;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            l = listener;
            listener = null;
            for (NamedChannels.Key k : lagPending.keySet()) {
                LAG_PENDING.computeIfPresent(k, (key, set) -> {
                    set.remove(this);
                    return set.isEmpty() ? null : set;
                });
            }
            lagPending.clear();
        }
        if (l != null) {
            try {
                l.close();
            } catch (Exception ignored) {
                // removing a listener from a list does not fail
            }
        }
        meters.close();
    }

    @Override
    public String toString() {
        return "WeftChannelMetrics" + tags;
    }
}
