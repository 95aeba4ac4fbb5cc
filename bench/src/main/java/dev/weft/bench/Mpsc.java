package dev.weft.bench;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.core.sync.Channel;

import java.util.concurrent.Callable;

/**
 * W3 mpsc: a {@link Channel#bounded bounded} Weft channel of capacity 1024, P producer tasks and 1
 * consumer task on a {@link WeftRuntime}, 10,000,000 boxed {@code Long} messages in total split
 * evenly (each producer sends {@code 0..per-1}, as the peers do). The consumer checks the count
 * and the sum.
 *
 * <p>Timed region as the JVM peer's ({@code shared/peers/jvm/.../Mpsc.java}): from creating the
 * channel and spawning the consumer and producers until all of them have been joined. The runtime
 * is built before and closed after the timed region (as the Tokio peer's runtime). Carriers:
 * {@code -Dbench.carriers} (default #CPUs), as the other runtime workloads.
 *
 * <p>{@code from=inside} (default, as the Tokio peer's {@code block_on}): the tasks are spawned from a
 * task started by {@link WeftRuntime#run}, so they start on its carrier (Weft keeps spawns local
 * until the spill threshold) and every wake-up is a local enqueue. {@code from=outside} (as the JDK
 * peers): spawned from the main platform thread, round-robin over the carriers, so producer and
 * consumer usually run on different carriers and wake each other across threads.
 *
 * <p>Usage: {@code mpsc [producers=1] [n=10000000] [capacity=1024] [from=inside|outside]}.
 */
final class Mpsc {

    static void main(String[] a) throws Exception {
        int producers = (int) Main.parseCount(Main.arg(a, 0, "1"));
        long msgs = Main.parseCount(Main.arg(a, 1, "10000000"));
        int capacity = (int) Main.parseCount(Main.arg(a, 2, "1024"));
        String from = Main.arg(a, 3, "inside");
        if (!from.equals("outside") && !from.equals("inside")) {
            throw new IllegalArgumentException("from must be inside or outside, was " + from);
        }
        if (producers <= 0 || msgs <= 0 || msgs % producers != 0) {
            throw new IllegalArgumentException(
                "messages must be a positive multiple of producers, was " + msgs + " / " + producers);
        }
        try (WeftRuntime rt = Main.runtime()) {
            Callable<Long> run = () -> once(rt, producers, msgs, capacity);
            for (int i = 0; i < Main.warmup(); i++) {
                long ignored = from.equals("inside") ? rt.run(run) : run.call();
            }
            long dt = from.equals("inside") ? rt.run(run) : run.call();
            Main.result("mpsc_" + producers + "p1c", "weft", "producers", producers, "consumers", 1,
                "capacity", capacity, "messages", msgs, "workers", rt.carriers(), "from", from,
                "msgs_per_s", Main.f0(Main.perSec(msgs, dt)), "wall_ms", Main.f1(Main.ms(dt)),
                "warmup", Main.warmup());
        }
    }

    /** One timed run; returns its nanoseconds, after checking count and sum. */
    static long once(WeftRuntime rt, int producers, long msgs, int capacity) throws Exception {
        long t0 = System.nanoTime();
        Channel<Long> ch = Channel.bounded(capacity);
        Task<long[]> consumer = rt.spawn("mpsc-consumer", () -> {
            long s = 0;
            long k = 0;
            for (; k < msgs; k++) {
                s += ch.receive();
            }
            return new long[] {k, s};
        });
        final long per = msgs / producers;
        @SuppressWarnings("unchecked")
        Task<Void>[] ps = new Task[producers];
        for (int p = 0; p < producers; p++) {
            ps[p] = rt.spawn("mpsc-producer-" + p, () -> {
                for (long v = 0; v < per; v++) {
                    ch.send(v); // boxed Long (Long.valueOf), as the peers
                }
                return null;
            });
        }
        long[] cs = consumer.join();
        for (Task<Void> p : ps) {
            p.join();
        }
        long dt = System.nanoTime() - t0;
        long expect = producers * (per * (per - 1) / 2);
        if (cs[0] != msgs || cs[1] != expect) {
            throw new IllegalStateException("got count=" + cs[0] + " sum=" + cs[1]
                + ", expected count=" + msgs + " sum=" + expect);
        }
        return dt;
    }

    private Mpsc() {}
}
