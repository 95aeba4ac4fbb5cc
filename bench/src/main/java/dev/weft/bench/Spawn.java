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
 */
final class Spawn {

    static long spawnedAt;

    static void main(String[] a) throws Exception {
        int n = (int) Main.parseCount(Main.arg(a, 0, "1000000"));
        String from = Main.arg(a, 1, "outside");
        if (!from.equals("outside") && !from.equals("inside")) {
            throw new IllegalArgumentException("from must be outside or inside, was " + from);
        }
        long b0 = System.nanoTime();
        WeftRuntime rt = Main.runtime();
        long buildNanos = System.nanoTime() - b0;
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
            "warmup", Main.warmup());
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
            ts[i] = rt.spawn(() -> idx);
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
