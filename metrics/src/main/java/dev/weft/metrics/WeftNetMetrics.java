package dev.weft.metrics;

import dev.weft.core.WeftRuntime;
import dev.weft.net.NetStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.Objects;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Binds the network counters of one {@link WeftRuntime} ({@link NetStats}: TCP and Unix
 * streams, UDP sockets) to Micrometer registries.
 *
 * {@snippet :
 * WeftNetMetrics net = WeftNetMetrics.of(rt);
 * net.bindTo(registry);   // next to WeftRuntimeMetrics.of(rt).bindTo(registry)
 * // ...
 * net.close();            // removes its meters
 * }
 *
 * <h2>Meters</h2>
 * Every meter has the tag {@code runtime} (the runtime's {@linkplain WeftRuntime#name() name})
 * plus the extra tags given to {@link #of(WeftRuntime, Iterable)}.
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type, base unit</th><th>what</th></tr>
 *   <tr><td>{@code weft.net.connections.open}</td><td>gauge, connections</td><td>stream connections open now</td></tr>
 *   <tr><td>{@code weft.net.connections.accepted}</td><td>function counter, connections</td><td>accepted by listeners</td></tr>
 *   <tr><td>{@code weft.net.connections.connected}</td><td>function counter, connections</td><td>opened by {@code connect}</td></tr>
 *   <tr><td>{@code weft.net.bytes.read}</td><td>function counter, bytes</td><td>bytes tasks read (datagram payloads included)</td></tr>
 *   <tr><td>{@code weft.net.bytes.written}</td><td>function counter, bytes</td><td>bytes tasks wrote (datagram payloads included)</td></tr>
 *   <tr><td>{@code weft.net.reads.parked}</td><td>function counter, parks</td><td>reads and receives that parked for data</td></tr>
 *   <tr><td>{@code weft.net.writes.parked}</td><td>function counter, parks</td><td>writes that parked because the peer did not keep up</td></tr>
 *   <tr><td>{@code weft.net.datagrams.received}, {@code .sent}, {@code .dropped}</td><td>function counters, datagrams</td><td>UDP; dropped = inbound queue full</td></tr>
 * </table>
 *
 * <h2>Implementation overview</h2>
 * Function meters over {@link NetStats#of}: the sockets keep their counters anyway (striped
 * {@code LongAdder}s), so nothing runs per read or write on behalf of a registry; a scrape sums
 * them. The meters hold the runtime weakly, as Micrometer's function meters do: a runtime that is
 * gone reads {@code NaN}. A registry that refuses a meter loses that meter (logged once at
 * {@code WARNING}); binding the same runtime twice to one registry registers nothing new.
 *
 * <p>Thread-safe. {@link #close()} removes the meters this binder registered from its registries
 * ({@link MeterRegistry#remove(Meter)}), so a runtime closed and built again with the same name
 * and bound by a new binder is measured, not the old one. Meters another open binder registered
 * too (same registry, runtime name and tags) are reference-counted and leave when the last binder
 * that registered them closes. {@link #close()} is idempotent.
 */
public final class WeftNetMetrics implements MeterBinder, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WeftNetMetrics.class.getName());

    private final WeftRuntime rt;
    private final Tags tags;
    private final dev.weft.metrics.internal.RegistrationGuard guard;

    private WeftNetMetrics(WeftRuntime rt, Tags tags) {
        this.rt = rt;
        this.tags = tags;
        this.guard = new dev.weft.metrics.internal.RegistrationGuard(LOG, rt.name());
    }

    /** A binder for {@code rt}'s network counters. @throws NullPointerException if {@code rt} is null */
    public static WeftNetMetrics of(WeftRuntime rt) {
        return of(rt, Tags.empty());
    }

    /**
     * A binder for {@code rt}'s network counters whose meters also carry {@code extraTags}.
     *
     * @throws NullPointerException if an argument is null
     */
    public static WeftNetMetrics of(WeftRuntime rt, Iterable<Tag> extraTags) {
        Objects.requireNonNull(rt, "rt");
        Objects.requireNonNull(extraTags, "extraTags");
        return new WeftNetMetrics(rt, Tags.of("runtime", rt.name()).and(extraTags));
    }

    /**
     * Registers the meters (see the class comment) with {@code registry}. Returns at once; never
     * throws because the registry did.
     *
     * @throws IllegalStateException if this binder is closed
     * @throws NullPointerException  if {@code registry} is null
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        guard.checkOpen("WeftNetMetrics");
        guard(registry, "weft.net.connections.open", () -> Gauge.builder("weft.net.connections.open", rt,
                        r -> value(r, NetStats::connectionsOpen))
                .tags(tags).description("stream connections open now").baseUnit("connections").register(registry));
        counter(registry, "weft.net.connections.accepted", "connections accepted by listeners", "connections", NetStats::accepted);
        counter(registry, "weft.net.connections.connected", "connections opened by connect", "connections", NetStats::connected);
        counter(registry, "weft.net.bytes.read", "bytes read by tasks (datagram payloads included)", "bytes", NetStats::bytesRead);
        counter(registry, "weft.net.bytes.written", "bytes written by tasks (datagram payloads included)", "bytes", NetStats::bytesWritten);
        counter(registry, "weft.net.reads.parked", "reads and receives that parked waiting for data", "parks", NetStats::readsParked);
        counter(registry, "weft.net.writes.parked", "writes that parked because the peer did not keep up", "parks", NetStats::writesParked);
        counter(registry, "weft.net.datagrams.received", "datagrams queued for receivers", "datagrams", NetStats::datagramsReceived);
        counter(registry, "weft.net.datagrams.sent", "datagrams sent", "datagrams", NetStats::datagramsSent);
        counter(registry, "weft.net.datagrams.dropped", "datagrams dropped because a socket's inbound queue was full", "datagrams",
                NetStats::datagramsDropped);
    }

    private void counter(MeterRegistry registry, String name, String description, String unit, ToDoubleFunction<NetStats> f) {
        guard(registry, name, () -> FunctionCounter.builder(name, rt, r -> value(r, f))
                .tags(tags).description(description).baseUnit(unit).register(registry));
    }

    // Static, so the meters' functions hold neither this binder nor (strongly) the runtime.
    private static double value(WeftRuntime rt, ToDoubleFunction<NetStats> f) {
        return rt == null ? Double.NaN : f.applyAsDouble(NetStats.of(rt));
    }

    private void guard(MeterRegistry registry, String name, Supplier<? extends Meter> registration) {
        guard.registerOwned(registry, name, registration);
    }

    /**
     * Removes the meters this binder registered from its registries, except those another open
     * binder registered too (they leave when it closes). A later {@link #bindTo} throws. Idempotent.
     */
    @Override
    public void close() {
        guard.close();
    }

    /** The runtime this binder reads. */
    public WeftRuntime runtime() {
        return rt;
    }

    @Override
    public String toString() {
        return "WeftNetMetrics[" + rt.name() + "]";
    }
}
