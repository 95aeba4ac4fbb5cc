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
 * <p>The meters read the runtime's own counters (racy, updated by the carriers anyway) only when
 * the registry asks for a value, at scrape time: a runtime that no registry is bound to pays
 * nothing, and one that is bound pays for the scrape, not per task. See
 * {@link dev.weft.metrics.WeftRuntimeMetrics} for the list of meters.
 */
package dev.weft.metrics;
