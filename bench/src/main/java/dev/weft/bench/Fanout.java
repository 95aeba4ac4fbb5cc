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
 *   <li>{@code jdk-sts-bare}: not a peer, a floor. The same raw loop, but the scope's thread
 *       factory makes virtual threads whose scheduler is one bare platform thread draining a
 *       deque, and the owner is one of those threads and yields every 64 forks, as Weft's does.
 *       Nothing of Weft runs: this is what the JDK itself costs per fork (thread, continuation,
 *       the scope's thread set) under the cheapest scheduler one could write, with no I/O, timers,
 *       task handles, cancellation or accounting.</li>
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
            case "jdk-sts-bare" -> {
                long[] r = BareScheduler.run(() -> {
                    for (int i = 0; i < Main.warmup(); i++) {
                        bare(scopes, forks);
                    }
                    return bare(scopes, forks);
                });
                check(r[0], expect);
                Main.result("fanout", "jdk-sts-bare", "scopes", scopes, "forks_per_scope", forks,
                    "forks_per_s", Main.f0(Main.perSec(total, r[1])), "tasks_per_s", Main.f0(Main.perSec(total, r[1])),
                    "wall_ms", Main.f1(Main.ms(r[1])), "sum", r[0], "warmup", Main.warmup());
            }
            default -> throw new IllegalArgumentException("impl must be weft, jdk-sts or jdk-sts-bare, was " + impl);
        }
    }

    /**
     * With {@code -Dbench.trace=K}, prints to stderr the milliseconds each block of K scopes took
     * (where a cold run spends its time: interpreter, C1, C2, fresh heap pages); off by default.
     */
    private static void trace(String what, long[] marks, long t0) {
        int every = Integer.getInteger("bench.trace", 0);
        if (every <= 0) {
            return;
        }
        StringBuilder b = new StringBuilder("TRACE ").append(what).append(" ms per ").append(every).append(" scopes:");
        for (int s = every; s <= marks.length; s += every) {
            long end = s < marks.length ? marks[s] : marks[marks.length - 1];
            b.append(' ').append(String.format("%.1f", (end - marks[s - every]) / 1e6));
        }
        System.err.println(b);
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
        long[] marks = new long[scopes];
        long t0 = System.nanoTime();
        for (int s = 0; s < scopes; s++) {
            marks[s] = System.nanoTime();
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
        long elapsed = System.nanoTime() - t0;
        trace("weft", marks, t0);
        return new long[] {sum, elapsed};
    }

    /** Returns {sum, elapsed nanos}: raw StructuredTaskScope, default joiner, default scheduler. */
    static long[] sts(int scopes, int forks) throws InterruptedException {
        return raw(scopes, forks, StructuredTaskScope::<Long>open, 0);
    }

    /**
     * As {@link #sts}, in a thread of {@link BareScheduler}, its forks made by the same scheduler;
     * the owner yields every 64 forks, as Weft's does.
     */
    static long[] bare(int scopes, int forks) throws InterruptedException {
        return raw(scopes, forks, () -> StructuredTaskScope.open(StructuredTaskScope.Joiner.<Long>awaitAllSuccessfulOrThrow(),
                cf -> cf.withThreadFactory(BareScheduler::newThread)), 64);
    }

    /**
     * The raw loop: {@code scopes} scopes from {@code open}, each forks {@code forks} forks, joins
     * and sums; the owner yields after every {@code yieldEvery} forks (0: never). Returns {sum,
     * elapsed nanos}.
     */
    private static long[] raw(int scopes, int forks, java.util.function.Supplier<StructuredTaskScope<Long, Void>> open,
                              int yieldEvery) throws InterruptedException {
        @SuppressWarnings("unchecked")
        Subtask<Long>[] st = new Subtask[forks];
        long sum = 0;
        long[] marks = new long[scopes];
        long t0 = System.nanoTime();
        for (int s = 0; s < scopes; s++) {
            marks[s] = System.nanoTime();
            try (StructuredTaskScope<Long, Void> scope = open.get()) {
                for (int i = 0; i < forks; i++) {
                    final long idx = i;
                    st[i] = scope.fork(() -> idx);
                    if (yieldEvery != 0 && i % yieldEvery == yieldEvery - 1) {
                        Thread.yield();
                    }
                }
                scope.join();
                for (int i = 0; i < forks; i++) {
                    sum += st[i].get();
                }
            }
        }
        long elapsed = System.nanoTime() - t0;
        trace("raw", marks, t0);
        return new long[] {sum, elapsed};
    }

    /**
     * The cheapest virtual-thread scheduler: one platform thread runs what it is handed, from a
     * deque when the handing thread is one of its own virtual threads, else from a concurrent
     * queue it is woken for. Needs {@code java.lang} opened (the bench jar's manifest does it),
     * as Weft's carriers do.
     */
    private static final class BareScheduler implements java.util.concurrent.Executor {
        private static final BareScheduler INSTANCE = new BareScheduler();
        private final java.util.ArrayDeque<Runnable> local = new java.util.ArrayDeque<>(1024);
        private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> remote = new java.util.concurrent.ConcurrentLinkedQueue<>();
        private final Thread thread = Thread.ofPlatform().name("bare-scheduler").daemon(true).unstarted(this::loop);
        private final Thread.Builder.OfVirtual builder;
        private volatile boolean sleeping;

        private BareScheduler() {
            try {
                var ctor = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder")
                        .getDeclaredConstructor(java.util.concurrent.Executor.class);
                ctor.setAccessible(true);
                builder = (Thread.Builder.OfVirtual) ctor.newInstance(this);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("jdk-sts-bare needs --add-opens java.base/java.lang", e);
            }
            thread.start();
        }

        static Thread newThread(Runnable r) {
            return INSTANCE.builder.unstarted(r);
        }

        /** Runs {@code body} in a virtual thread of this scheduler and returns its result. */
        static long[] run(java.util.concurrent.Callable<long[]> body) throws Exception {
            var result = new java.util.concurrent.CompletableFuture<long[]>();
            newThread(() -> {
                try {
                    result.complete(body.call());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            }).start();
            return result.get();
        }

        @Override
        public void execute(Runnable r) {
            // Only this scheduler's thread (or a virtual thread mounted on it) touches the deque.
            if (Thread.currentThread() == thread || Thread.currentThread().isVirtual()) {
                local.addLast(r);
                return;
            }
            remote.offer(r);
            if (sleeping) {
                java.util.concurrent.locks.LockSupport.unpark(thread);
            }
        }

        private void loop() {
            while (true) {
                Runnable r;
                while ((r = remote.poll()) != null) {
                    local.addLast(r);
                }
                boolean ran = false;
                while ((r = local.pollFirst()) != null) {
                    ran = true;
                    r.run();
                }
                if (!ran) {
                    sleeping = true;
                    if (remote.isEmpty()) {
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                    }
                    sleeping = false;
                }
            }
        }
    }

    private Fanout() {}
}
