/**
 * Micrometer binders for Weft runtimes.
 *
 * {@snippet :
 * try (WeftRuntime rt = WeftRuntime.builder().name("app").build();
 *      WeftRuntimeMetrics metrics = WeftRuntimeMetrics.builder(rt).pinning(true).build()) {
 *     MeterRegistry registry = new SimpleMeterRegistry();
 *     metrics.bindTo(registry);
 *     rt.run(() -> 42);
 *     double spawned = registry.get("weft.tasks.spawned").functionCounter().count();   // >= 1
 * }
 * }
 *
 * <p>Most meters read the runtime's own counters (racy, updated by the carriers anyway) only when
 * the registry asks for a value, at scrape time. The three scheduling histograms
 * ({@code weft.scheduling.wake.delay}, {@code weft.scheduling.slice}, {@code weft.timers.lateness})
 * cannot be read that way: while a binder that wants them is bound, the runtime's carriers hand
 * a sample (one event in 16 by default) to a probe that records it into Micrometer timers on the
 * carrier thread. A runtime that no registry is bound to pays one volatile read per carrier turn
 * and per submitted continuation. Measured on W1 spawn and W5 echo, metrics on against off:
 * see {@code docs/BENCHMARKS.md}, section "Metrics overhead". See
 * {@link dev.weft.metrics.WeftRuntimeMetrics} for the list of meters.
 *
 * <p>{@link dev.weft.metrics.WeftChannelMetrics} binds the JVM's channels that were created with
 * a name (depth, capacity, parked senders and receivers, broadcast lag), read at scrape time.
 */
package dev.weft.metrics;
