package dev.weft.bench;

import dev.weft.core.WeftRuntime;
import dev.weft.structured.Fork;
import dev.weft.structured.Scope;

import java.util.concurrent.StructuredTaskScope;
import java.util.concurrent.StructuredTaskScope.Subtask;

/**
 * Fan-out/fan-in (issue #5): S scopes one after the other, each forks F forks that return their
 * index, joins them all and sums the results; the grand total is checked.
 *
 * <p>{@code java -jar weft-bench.jar fanout [scopes=1000] [forks=1000] [weft|jdk-sts] [inside|outside]}
 * <ul>
 *   <li>{@code weft} (default): {@link Scope#open}, {@link Scope#fork}, {@link Scope#join},
 *       {@link Fork#resultNow}, with the loop running in a task started by {@link WeftRuntime#run}
 *       (as Tokio's {@code block_on} in the {@code tokio-joinset} peer), or with {@code outside} in
 *       the main platform thread (as the {@code jdk-sts} owner); the runtime is the bench
 *       runtime ({@code -Dbench.carriers}), built before the clock starts.</li>
 *   <li>{@code jdk-sts}: the same loop with a raw {@code StructuredTaskScope.open()} (default
 *       joiner) on the JDK's default virtual-thread scheduler, from the main thread, as the
 *       {@code jdk-sts} spawn peer in {@code shared/peers/jvm}.</li>
 * </ul>
 * Timed from the first fork until the total is computed. Keys: {@code forks_per_s wall_ms}, plus
 * {@code tasks_per_s} (the same figure under the name {@code side_by_side.sh spawn} tabulates).
 */
final class Fanout {

    static void main(String[] a) throws Exception {
        int scopes = (int) Main.parseCount(Main.arg(a, 0, "1000"));
        int forks = (int) Main.parseCount(Main.arg(a, 1, "1000"));
        String impl = Main.arg(a, 2, "weft");
        String from = Main.arg(a, 3, "inside");
        if (!from.equals("inside") && !from.equals("outside")) {
            throw new IllegalArgumentException("from must be inside or outside, was " + from);
        }
        if (scopes < 1 || forks < 1) {
            throw new IllegalArgumentException("scopes and forks must be >= 1, were " + scopes + " and " + forks);
        }
        long expect = (long) scopes * ((long) forks * (forks - 1) / 2);
        long total = (long) scopes * forks;
        switch (impl) {
            case "weft" -> {
                long b0 = System.nanoTime();
                WeftRuntime rt = Main.runtime();
                long buildNanos = System.nanoTime() - b0;
                for (int i = 0; i < Main.warmup(); i++) {
                    weftFrom(rt, from, scopes, forks);
                }
                long[] r = weftFrom(rt, from, scopes, forks);
                check(r[0], expect);
                rt.close();
                Main.result("fanout", "weft", "scopes", scopes, "forks_per_scope", forks,
                    "carriers", rt.carriers(), "mode", rt.schedulerMode(), "from", from,
                    "forks_per_s", Main.f0(Main.perSec(total, r[1])), "tasks_per_s", Main.f0(Main.perSec(total, r[1])),
                    "wall_ms", Main.f1(Main.ms(r[1])), "sum", r[0], "build_ms", Main.f1(Main.ms(buildNanos)),
                    "warmup", Main.warmup());
            }
            case "jdk-sts" -> {
                for (int i = 0; i < Main.warmup(); i++) {
                    sts(scopes, forks);
                }
                long[] r = sts(scopes, forks);
                check(r[0], expect);
                Main.result("fanout", "jdk-sts", "scopes", scopes, "forks_per_scope", forks,
                    "workers", Main.vtParallelism(),
                    "forks_per_s", Main.f0(Main.perSec(total, r[1])), "tasks_per_s", Main.f0(Main.perSec(total, r[1])),
                    "wall_ms", Main.f1(Main.ms(r[1])), "sum", r[0], "warmup", Main.warmup());
            }
            default -> throw new IllegalArgumentException("impl must be weft or jdk-sts, was " + impl);
        }
    }

    private static void check(long sum, long expect) {
        if (sum != expect) {
            throw new IllegalStateException("bad sum " + sum + " != " + expect);
        }
    }

    private static long[] weftFrom(WeftRuntime rt, String from, int scopes, int forks) throws Exception {
        return from.equals("inside") ? rt.run(() -> weft(scopes, forks)) : weft(scopes, forks);
    }

    /** Returns {sum, elapsed nanos}. The calling thread owns the scopes. */
    static long[] weft(int scopes, int forks) throws InterruptedException {
        @SuppressWarnings("unchecked")
        Fork<Long>[] fs = new Fork[forks];
        long sum = 0;
        long t0 = System.nanoTime();
        for (int s = 0; s < scopes; s++) {
            try (Scope scope = Scope.open("fanout")) {
                for (int i = 0; i < forks; i++) {
                    final long idx = i;
                    fs[i] = scope.fork(() -> idx);
                }
                scope.join();
                for (int i = 0; i < forks; i++) {
                    sum += fs[i].resultNow();
                }
            }
        }
        return new long[] {sum, System.nanoTime() - t0};
    }

    /** Returns {sum, elapsed nanos}: raw StructuredTaskScope, default joiner, default scheduler. */
    static long[] sts(int scopes, int forks) throws InterruptedException {
        @SuppressWarnings("unchecked")
        Subtask<Long>[] st = new Subtask[forks];
        long sum = 0;
        long t0 = System.nanoTime();
        for (int s = 0; s < scopes; s++) {
            try (StructuredTaskScope<Long, Void> scope = StructuredTaskScope.open()) {
                for (int i = 0; i < forks; i++) {
                    final long idx = i;
                    st[i] = scope.fork(() -> idx);
                }
                scope.join();
                for (int i = 0; i < forks; i++) {
                    sum += st[i].get();
                }
            }
        }
        return new long[] {sum, System.nanoTime() - t0};
    }

    private Fanout() {}
}
