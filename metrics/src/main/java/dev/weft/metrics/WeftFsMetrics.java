package dev.weft.metrics;

import dev.weft.core.WeftRuntime;
import dev.weft.fs.Fs;
import dev.weft.fs.FsBackend;
import dev.weft.fs.FsStats;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Binds the file-operation counters of one {@link WeftRuntime} ({@link FsStats}: the fs module's
 * io_uring and blocking-pool paths) to Micrometer registries.
 *
 * {@snippet :
 * WeftFsMetrics fs = WeftFsMetrics.of(rt);
 * fs.bindTo(registry);   // next to WeftRuntimeMetrics.of(rt).bindTo(registry)
 * // ...
 * fs.close();            // removes its meters
 * }
 *
 * <h2>Meters</h2>
 * Every meter has the tag {@code runtime} (the runtime's {@linkplain WeftRuntime#name() name})
 * plus the extra tags given to {@link #of(WeftRuntime, Iterable)}.
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type, base unit</th><th>what</th></tr>
 *   <tr><td>{@code weft.fs.ops}</td><td>function timer, tag {@code path}={@code io_uring} or {@code blocking-pool}</td>
 *       <td>operations completed on that path and their total latency (io_uring: submission to
 *       completion, per request; pool: the job's running time)</td></tr>
 *   <tr><td>{@code weft.fs.ops.inflight}</td><td>gauge, operations</td><td>operations in flight now (both paths)</td></tr>
 *   <tr><td>{@code weft.fs.ops.queued}</td><td>gauge, tasks</td><td>tasks waiting for a slot under the in-flight cap</td></tr>
 *   <tr><td>{@code weft.fs.ops.failed}</td><td>function counter, operations</td><td>operations that ended with an error</td></tr>
 *   <tr><td>{@code weft.fs.bytes.read}</td><td>function counter, bytes</td><td>bytes read from files (zero-copy transfers included)</td></tr>
 *   <tr><td>{@code weft.fs.bytes.written}</td><td>function counter, bytes</td><td>bytes written to files</td></tr>
 *   <tr><td>{@code weft.fs.bytes.zerocopy}</td><td>function counter, bytes</td><td>bytes sent file → socket by io_uring splice</td></tr>
 *   <tr><td>{@code weft.fs.ops.nowait}</td><td>function counter, operations</td><td>reads and opens the io_uring backend completed on the carrier without blocking (page cache, dentry cache)</td></tr>
 *   <tr><td>{@code weft.fs.bytes.direct}</td><td>function counter, bytes</td><td>bytes of those reads the kernel copied straight into the caller's array (file-handle reads of 32 KiB or more of a cached file)</td></tr>
 *   <tr><td>{@code weft.fs.backend}</td><td>gauge (1), tag {@code backend}</td><td>the path file-handle reads and writes take</td></tr>
 * </table>
 *
 * <h2>Implementation overview</h2>
 * Function meters over {@link Fs#stats}: the fs module keeps striped {@code LongAdder}s anyway,
 * so nothing runs per file operation on behalf of a registry; a scrape sums them. The meters hold
 * the runtime weakly, as Micrometer's function meters do: a runtime that is gone reads
 * {@code NaN}. A registry that refuses a meter loses that meter (logged once at {@code WARNING});
 * binding the same runtime twice to one registry registers nothing new.
 *
 * <p>Thread-safe. {@link #close()} removes the meters this binder registered from its registries
 * ({@link MeterRegistry#remove(Meter)}), so a runtime closed and built again with the same name
 * and bound by a new binder is measured, not the old one. Meters another open binder registered
 * too (same registry, runtime name and tags) are reference-counted and leave when the last binder
 * that registered them closes. {@link #close()} is idempotent.
 */
public final class WeftFsMetrics implements MeterBinder, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WeftFsMetrics.class.getName());

    private final WeftRuntime rt;
    private final Tags tags;
    private final dev.weft.metrics.internal.RegistrationGuard guard;

    private WeftFsMetrics(WeftRuntime rt, Tags tags) {
        this.rt = rt;
        this.tags = tags;
        this.guard = new dev.weft.metrics.internal.RegistrationGuard(LOG, rt.name());
    }

    /** A binder for {@code rt}'s file counters. @throws NullPointerException if {@code rt} is null */
    public static WeftFsMetrics of(WeftRuntime rt) {
        return of(rt, Tags.empty());
    }

    /**
     * A binder for {@code rt}'s file counters whose meters also carry {@code extraTags}.
     *
     * @throws NullPointerException if an argument is null
     */
    public static WeftFsMetrics of(WeftRuntime rt, Iterable<Tag> extraTags) {
        Objects.requireNonNull(rt, "rt");
        Objects.requireNonNull(extraTags, "extraTags");
        return new WeftFsMetrics(rt, Tags.of("runtime", rt.name()).and(extraTags));
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
        guard.checkOpen("WeftFsMetrics");
        timer(registry, FsBackend.IO_URING.label(), FsStats::uringOps, FsStats::uringNanos);
        timer(registry, FsBackend.BLOCKING_POOL.label(), FsStats::poolOps, FsStats::poolNanos);
        gauge(registry, "weft.fs.ops.inflight", "file operations in flight now", "operations", FsStats::inFlight);
        gauge(registry, "weft.fs.ops.queued", "tasks waiting for a file-operation slot", "tasks", FsStats::queued);
        counter(registry, "weft.fs.ops.failed", "file operations that ended with an error", "operations", FsStats::failures);
        counter(registry, "weft.fs.bytes.read", "bytes read from files", "bytes", FsStats::bytesRead);
        counter(registry, "weft.fs.bytes.written", "bytes written to files", "bytes", FsStats::bytesWritten);
        counter(registry, "weft.fs.bytes.zerocopy", "bytes sent from files to sockets by io_uring splice", "bytes",
                FsStats::zeroCopyBytes);
        counter(registry, "weft.fs.ops.nowait", "file system calls completed on the carrier without blocking (page cache, dentry cache)",
                "operations", FsStats::noWaitOps);
        counter(registry, "weft.fs.bytes.direct", "bytes read from the page cache straight into the caller's array", "bytes",
                FsStats::directReadBytes);
        for (FsBackend b : FsBackend.values()) {
            guard(registry, "weft.fs.backend", () -> Gauge.builder("weft.fs.backend", rt,
                            r -> r == null ? Double.NaN : Fs.backend(r) == b ? 1 : 0)
                    .tags(tags).tag("backend", b.label())
                    .description("1 for the path file-handle reads and writes take now").register(registry));
        }
    }

    private void timer(MeterRegistry registry, String path, ToDoubleFunction<FsStats> count, ToDoubleFunction<FsStats> nanos) {
        guard(registry, "weft.fs.ops", () -> FunctionTimer.builder("weft.fs.ops", rt,
                        r -> (long) value(r, count), r -> value(r, nanos), TimeUnit.NANOSECONDS)
                .tags(tags).tag("path", path).description("file operations completed on this path and their total latency")
                .register(registry));
    }

    private void gauge(MeterRegistry registry, String name, String description, String unit, ToDoubleFunction<FsStats> f) {
        guard(registry, name, () -> Gauge.builder(name, rt, r -> value(r, f))
                .tags(tags).description(description).baseUnit(unit).register(registry));
    }

    private void counter(MeterRegistry registry, String name, String description, String unit, ToDoubleFunction<FsStats> f) {
        guard(registry, name, () -> FunctionCounter.builder(name, rt, r -> value(r, f))
                .tags(tags).description(description).baseUnit(unit).register(registry));
    }

    // Static, so the meters' functions hold neither this binder nor (strongly) the runtime.
    private static double value(WeftRuntime rt, ToDoubleFunction<FsStats> f) {
        return rt == null ? Double.NaN : f.applyAsDouble(Fs.stats(rt));
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

    @Override
    public String toString() {
        return "WeftFsMetrics[" + tags + "]";
    }
}
