package dev.weft.bench;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;

/**
 * W1 spawn: spawn N tasks (each returns its index), join them in order, sum and check.
 *
 * <p>Timed region as the peers': from the first spawn until the sum is computed. The runtime is
 * built before and closed after the timed region (as Tokio's runtime in the Tokio peer); both
 * times are printed as {@code build_ms} and {@code close_ms}.
 *
 * <p>{@code from=outside} (default, as the JDK peers): the main platform thread spawns with
 * {@link WeftRuntime#spawn} (round-robin over the carriers) and joins.
 * {@code from=inside} (as Tokio's {@code block_on}): the loop runs in a task started by
 * {@link WeftRuntime#run}; its spawns stay on its carrier until the spill threshold moves them.
 *
 * <p>{@code -Dbench.work=ITERS} gives each task ITERS rounds of a xorshift (about 1 ns each) before
 * it returns, so the spill threshold ({@code -Dbench.spill=N}, ADR 0001) can be measured with tasks
 * that do some work, not only with tasks that return at once; the result line says
 * {@code work_iters}.
 *
 * <p>{@code -Dbench.metrics=true} binds {@code WeftRuntimeMetrics} (scheduling histograms
 * included, sample period {@code -Dbench.metrics.period}, default the binder's) to a
 * {@code SimpleMeterRegistry} before the clock starts, to measure what a bound registry costs;
 * the result line then says {@code metrics=true}.
 *
 * <p>{@code -Dbench.metrics=ab} measures the same in one JVM, where a noisy machine hurts less:
 * after {@code bench.warmup} runs, {@code -Dbench.metrics.rounds=R} (default 10) pairs of runs,
 * one with a freshly bound binder (closed after the run, which removes the carriers' probe) and
 * one without, in ABBA order; it prints {@code name=spawn_metrics_ab} lines for both with the
 * median and the per-round ratios.
 */
final class Spawn {

    static long spawnedAt;
    private static final int WORK = Integer.getInteger("bench.work", 0);
    /** Keeps the work's result observable (written only if a round ends on an unlikely value). */
    static volatile long sink;

    /** {@code iters} rounds of a xorshift from {@code seed}: CPU work the JIT cannot remove. */
    static long burn(int iters, long seed) {
        long x = seed | 1;
        for (int i = 0; i < iters; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        if (x == 42) {
            sink = x;
        }
        return x;
    }

    static void main(String[] a) throws Exception {
        int n = (int) Main.parseCount(Main.arg(a, 0, "1000000"));
        String from = Main.arg(a, 1, "outside");
        if (!from.equals("outside") && !from.equals("inside")) {
            throw new IllegalArgumentException("from must be outside or inside, was " + from);
        }
        long b0 = System.nanoTime();
        WeftRuntime rt = Main.runtime();
        long buildNanos = System.nanoTime() - b0;
        if ("ab".equals(System.getProperty("bench.metrics"))) {
            ab(rt, n, from);
            rt.close();
            return;
        }
        boolean metrics = Boolean.getBoolean("bench.metrics");
        Object registry = metrics ? bindMetrics(rt) : null;
        for (int i = 0; i < Main.warmup(); i++) {
            once(rt, n, from);
        }
        long[] t = once(rt, n, from);
        long sum = t[0], t0 = t[1], t1 = t[2];
        long expect = (long) n * (n - 1) / 2;
        if (sum != expect) {
            throw new IllegalStateException("bad sum " + sum + " != " + expect);
        }
        long c0 = System.nanoTime();
        rt.close();
        long closeNanos = System.nanoTime() - c0;
        long dt = t1 - t0;
        Main.result("spawn", "weft", "tasks", n, "workers", rt.carriers(), "carriers", rt.carriers(),
            "mode", rt.schedulerMode(), "from", from, "tasks_per_s", Main.f0(Main.perSec(n, dt)),
            "wall_ms", Main.f1(Main.ms(dt)), "spawn_ms", Main.f1(Main.ms(spawnedAt - t0)), "sum", sum,
            "build_ms", Main.f1(Main.ms(buildNanos)), "close_ms", Main.f1(Main.ms(closeNanos)),
            "warmup", Main.warmup(), "metrics", metrics, "work_iters", WORK);
        java.lang.ref.Reference.reachabilityFence(registry);
    }

    /** Metrics on and off, alternating in one JVM (see the class comment). */
    static void ab(WeftRuntime rt, int n, String from) throws Exception {
        for (int i = 0; i < Main.warmup(); i++) {
            once(rt, n, from);
        }
        int rounds = Integer.getInteger("bench.metrics.rounds", 10);
        double[] on = new double[rounds], off = new double[rounds];
        double[] cpuOn = new double[rounds], cpuOff = new double[rounds];
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        StringBuilder ratios = new StringBuilder();
        for (int r = 0; r < rounds; r++) {
            boolean onFirst = (r & 1) == 0;
            for (int k = 0; k < 2; k++) {
                boolean withMetrics = (k == 0) == onFirst;
                var binder = withMetrics ? metricsBinder(rt) : null;
                if (binder != null) {
                    binder.bindTo(new io.micrometer.core.instrument.simple.SimpleMeterRegistry());
                }
                long cpu0 = os.getProcessCpuTime();
                long[] t = once(rt, n, from);
                long cpu = os.getProcessCpuTime() - cpu0;
                if (binder != null) {
                    binder.close();
                }
                double tps = Main.perSec(n, t[2] - t[1]);
                (withMetrics ? on : off)[r] = tps;
                (withMetrics ? cpuOn : cpuOff)[r] = (double) cpu / n;
            }
            ratios.append(r == 0 ? "" : ",").append(Main.f1(100.0 * on[r] / off[r]));
        }
        double mOn = median(on), mOff = median(off);
        Main.result("spawn_metrics_ab", "weft-metrics-off", "tasks", n, "rounds", rounds, "from", from,
                "tasks_per_s", Main.f0(mOff), "cpu_ns_per_task", Main.f0(median(cpuOff)), "warmup", Main.warmup());
        Main.result("spawn_metrics_ab", "weft-metrics-on", "tasks", n, "rounds", rounds, "from", from,
                "tasks_per_s", Main.f0(mOn), "on_over_off_pct", Main.f1(100.0 * mOn / mOff),
                "cpu_ns_per_task", Main.f0(median(cpuOn)), "cpu_on_over_off_pct", Main.f1(100.0 * median(cpuOn) / median(cpuOff)),
                "round_ratios_pct", ratios, "warmup", Main.warmup());
    }

    static double median(double[] v) {
        double[] c = v.clone();
        java.util.Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    static dev.weft.metrics.WeftRuntimeMetrics metricsBinder(WeftRuntime rt) {
        var b = dev.weft.metrics.WeftRuntimeMetrics.builder(rt);
        Integer period = Integer.getInteger("bench.metrics.period");
        if (period != null) {
            b.schedulingSamplePeriod(period);
        }
        return b.build();
    }

    /** Binds the runtime's meters to a registry (returned, so it stays reachable while timed). */
    static Object bindMetrics(WeftRuntime rt) {
        var b = dev.weft.metrics.WeftRuntimeMetrics.builder(rt);
        Integer period = Integer.getInteger("bench.metrics.period");
        if (period != null) {
            b.schedulingSamplePeriod(period);
        }
        var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        b.build().bindTo(registry);
        return registry;
    }

    /** Returns {sum, t0, t1}. */
    static long[] once(WeftRuntime rt, int n, String from) throws Exception {
        if (from.equals("inside")) {
            return rt.run(() -> loop(rt, n));
        }
        return loop(rt, n);
    }

    static long[] loop(WeftRuntime rt, int n) throws InterruptedException {
        @SuppressWarnings("unchecked")
        Task<Long>[] ts = new Task[n];
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            final long idx = i;
            ts[i] = WORK == 0 ? rt.spawn(() -> idx) : rt.spawn(() -> {
                burn(WORK, idx);
                return idx;
            });
        }
        spawnedAt = System.nanoTime();
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += ts[i].join();
        }
        return new long[] {sum, t0, System.nanoTime()};
    }

    private Spawn() {}
}
