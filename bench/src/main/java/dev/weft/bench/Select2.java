package dev.weft.bench;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.core.sync.Channel;
import dev.weft.core.sync.Select;

/**
 * Select over two channels (issues #3 and #5): two bounded channels of capacity 1024, one producer
 * per channel sending {@code n/2} boxed {@code Long}s ({@code 0..n/2-1}), one consumer that takes
 * all {@code n} with a select over both receive clauses, then checks the count and the sum.
 * {@code msgs_per_s} = n / time.
 *
 * <ul>
 *   <li>{@code weft}: {@link Channel} and {@link Select#select}; the three tasks are spawned
 *       from a task started by {@link WeftRuntime#run} (as in {@link Mpsc}'s default).</li>
 *   <li>{@code jox}: Jox 1.0.1 {@code Channel.newBufferedChannel(1024)} and
 *       {@code Select.select(a.receiveClause(), b.receiveClause())} on virtual threads of the
 *       JDK's default scheduler (as the Jox peer of W3).</li>
 * </ul>
 * Timed from creating the channels until every task has ended. Usage:
 * {@code select2 [n=2000000] [weft|jox|both]} (both: weft then jox, in this JVM).
 */
final class Select2 {

    static void main(String[] a) throws Exception {
        long n = Main.parseCount(Main.arg(a, 0, "2000000"));
        String which = Main.arg(a, 1, "both");
        if (n <= 0 || n % 2 != 0) {
            throw new IllegalArgumentException("n must be a positive even number, was " + n);
        }
        if (!which.equals("weft") && !which.equals("jox") && !which.equals("both")) {
            throw new IllegalArgumentException("impl must be weft, jox or both, was " + which);
        }
        if (!which.equals("jox")) {
            try (WeftRuntime rt = Main.runtime()) {
                for (int i = 0; i < Main.warmup(); i++) {
                    rt.run(() -> weft(rt, n));
                }
                report("weft", n, rt.run(() -> weft(rt, n)), rt.carriers());
            }
        }
        if (!which.equals("weft")) {
            for (int i = 0; i < Main.warmup(); i++) {
                jox(n);
            }
            report("jox", n, jox(n), Main.vtParallelism());
        }
    }

    static void report(String impl, long n, long dt, int workers) {
        Main.result("select2", impl, "channels", 2, "capacity", 1024, "messages", n, "workers", workers,
            "msgs_per_s", Main.f0(Main.perSec(n, dt)), "wall_ms", Main.f1(Main.ms(dt)), "warmup", Main.warmup());
    }

    static long weft(WeftRuntime rt, long n) throws Exception {
        long t0 = System.nanoTime();
        Channel<Long> x = Channel.bounded(1024);
        Channel<Long> y = Channel.bounded(1024);
        long per = n / 2;
        Task<Long> consumer = rt.spawn("select2-consumer", () -> {
            long s = 0;
            for (long k = 0; k < n; k++) {
                s += Select.select(x.onReceive(), y.onReceive());
            }
            return s;
        });
        Task<Void> px = rt.spawn("select2-x", () -> produce(per, x));
        Task<Void> py = rt.spawn("select2-y", () -> produce(per, y));
        long sum = consumer.join();
        px.join();
        py.join();
        long dt = System.nanoTime() - t0;
        check(sum, per);
        return dt;
    }

    private static Void produce(long per, Channel<Long> ch) throws InterruptedException {
        for (long v = 0; v < per; v++) {
            ch.send(v);
        }
        return null;
    }

    static long jox(long n) throws Exception {
        long t0 = System.nanoTime();
        com.softwaremill.jox.Channel<Long> x = com.softwaremill.jox.Channel.newBufferedChannel(1024);
        com.softwaremill.jox.Channel<Long> y = com.softwaremill.jox.Channel.newBufferedChannel(1024);
        long per = n / 2;
        long[] sum = new long[1];
        Thread consumer = Thread.ofVirtual().start(() -> {
            long s = 0;
            try {
                for (long k = 0; k < n; k++) {
                    s += com.softwaremill.jox.Select.select(x.receiveClause(), y.receiveClause());
                }
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
            sum[0] = s;
        });
        Thread px = Thread.ofVirtual().start(() -> joxProduce(per, x));
        Thread py = Thread.ofVirtual().start(() -> joxProduce(per, y));
        consumer.join();
        px.join();
        py.join();
        long dt = System.nanoTime() - t0;
        check(sum[0], per);
        return dt;
    }

    private static void joxProduce(long per, com.softwaremill.jox.Channel<Long> ch) {
        try {
            for (long v = 0; v < per; v++) {
                ch.send(v);
            }
        } catch (InterruptedException e) {
            throw new RuntimeException(e);
        }
    }

    private static void check(long sum, long per) {
        long expect = 2 * (per * (per - 1) / 2);
        if (sum != expect) {
            throw new IllegalStateException("bad sum " + sum + " != " + expect);
        }
    }

    private Select2() {}
}
