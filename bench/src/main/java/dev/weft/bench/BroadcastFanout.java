package dev.weft.bench;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.core.sync.Broadcast;
import dev.weft.core.sync.BroadcastReceiver;
import dev.weft.core.sync.BroadcastResult;

/**
 * Broadcast fan-out: 1 sender, 8 receivers, {@code n} boxed {@code Long}s ({@code 0..n-1}); every
 * receiver counts and sums what it gets. Key: {@code deliveries_per_s} = values received by all
 * receivers together / time; {@code msgs_per_s} = n / time.
 *
 * <ul>
 *   <li>{@code weft}: one {@link Broadcast} retaining 1024 values. Its sender never parks (the ring
 *       overwrites, as Tokio's), so the sender yields its carrier every 256 values to let the
 *       receivers run; a receiver that falls behind anyway gets {@code Lagged} and the line reports
 *       the values missed in {@code lagged} (the sum is checked only when nothing was missed).
 *       Tasks are spawned from a task started by {@link WeftRuntime#run}.</li>
 *   <li>{@code jox}: Jox has no broadcast channel, so its fan-out is the usual one: one
 *       {@code Channel.newBufferedChannel(1024)} per receiver, the sender sends each value to all 8
 *       (lossless; it parks while a receiver's channel is full). Virtual threads of the JDK's
 *       default scheduler.</li>
 * </ul>
 * Timed from creating the channel(s) until every task has ended. Usage:
 * {@code broadcast [n=1000000] [weft|jox|both]}.
 */
final class BroadcastFanout {
    static final int RECEIVERS = 8;
    static final int CAPACITY = 1024;
    static final int YIELD_EVERY = 256;

    static void main(String[] a) throws Exception {
        long n = Main.parseCount(Main.arg(a, 0, "1000000"));
        String which = Main.arg(a, 1, "both");
        if (n <= 0) {
            throw new IllegalArgumentException("n must be positive, was " + n);
        }
        if (!which.equals("weft") && !which.equals("jox") && !which.equals("both")) {
            throw new IllegalArgumentException("impl must be weft, jox or both, was " + which);
        }
        if (!which.equals("jox")) {
            try (WeftRuntime rt = Main.runtime()) {
                for (int i = 0; i < Main.warmup(); i++) {
                    rt.run(() -> weft(rt, n));
                }
                long[] r = rt.run(() -> weft(rt, n));
                report("weft", n, r, rt.carriers());
            }
        }
        if (!which.equals("weft")) {
            for (int i = 0; i < Main.warmup(); i++) {
                jox(n);
            }
            report("jox", n, jox(n), Main.vtParallelism());
        }
    }

    /** r = {nanos, delivered, lagged}. */
    static void report(String impl, long n, long[] r, int workers) {
        Main.result("broadcast", impl, "receivers", RECEIVERS, "capacity", CAPACITY, "messages", n,
            "workers", workers, "msgs_per_s", Main.f0(Main.perSec(n, r[0])),
            "deliveries_per_s", Main.f0(Main.perSec(r[1], r[0])), "delivered", r[1], "lagged", r[2],
            "wall_ms", Main.f1(Main.ms(r[0])), "warmup", Main.warmup());
    }

    static long[] weft(WeftRuntime rt, long n) throws Exception {
        long t0 = System.nanoTime();
        Broadcast<Long> bc = Broadcast.create(CAPACITY);
        @SuppressWarnings("unchecked")
        Task<long[]>[] rs = new Task[RECEIVERS];
        for (int i = 0; i < RECEIVERS; i++) {
            BroadcastReceiver<Long> rx = bc.subscribe(); // before the first send: sees every value
            rs[i] = rt.spawn("broadcast-rx-" + i, () -> {
                long count = 0, sum = 0, missed = 0;
                try (rx) {
                    for (;;) {
                        BroadcastResult<Long> r = rx.receive();
                        if (r instanceof BroadcastResult.Value<Long>(Long v)) {
                            count++;
                            sum += v;
                        } else if (r instanceof BroadcastResult.Lagged<Long>(long m)) {
                            missed += m;
                        } else {
                            break; // Closed
                        }
                    }
                }
                return new long[] {count, sum, missed};
            });
        }
        Task<Void> sender = rt.spawn("broadcast-tx", () -> {
            try (bc) {
                for (long v = 0; v < n; v++) {
                    bc.send(v);
                    if ((v + 1) % YIELD_EVERY == 0) {
                        Thread.yield();
                    }
                }
            }
            return null;
        });
        sender.join();
        long delivered = 0, lagged = 0;
        for (Task<long[]> t : rs) {
            long[] c = t.join();
            if (c[0] + c[2] != n) {
                throw new IllegalStateException("receiver got " + c[0] + " + missed " + c[2] + " != " + n);
            }
            if (c[2] == 0 && c[1] != n * (n - 1) / 2) {
                throw new IllegalStateException("bad sum " + c[1]);
            }
            delivered += c[0];
            lagged += c[2];
        }
        return new long[] {System.nanoTime() - t0, delivered, lagged};
    }

    static long[] jox(long n) throws Exception {
        long t0 = System.nanoTime();
        @SuppressWarnings("unchecked")
        com.softwaremill.jox.Channel<Long>[] chs = new com.softwaremill.jox.Channel[RECEIVERS];
        Thread[] rs = new Thread[RECEIVERS];
        long[][] out = new long[RECEIVERS][];
        for (int i = 0; i < RECEIVERS; i++) {
            com.softwaremill.jox.Channel<Long> ch = com.softwaremill.jox.Channel.newBufferedChannel(CAPACITY);
            chs[i] = ch;
            int idx = i;
            rs[i] = Thread.ofVirtual().start(() -> {
                long count = 0, sum = 0;
                try {
                    for (;;) {
                        Object r = ch.receiveOrClosed();
                        if (r instanceof com.softwaremill.jox.ChannelClosed) {
                            break;
                        }
                        count++;
                        sum += (Long) r;
                    }
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
                out[idx] = new long[] {count, sum};
            });
        }
        Thread sender = Thread.ofVirtual().start(() -> {
            try {
                for (long v = 0; v < n; v++) {
                    Long boxed = v;
                    for (com.softwaremill.jox.Channel<Long> ch : chs) {
                        ch.send(boxed);
                    }
                }
                for (com.softwaremill.jox.Channel<Long> ch : chs) {
                    ch.done();
                }
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        sender.join();
        long delivered = 0;
        for (int i = 0; i < RECEIVERS; i++) {
            rs[i].join();
            if (out[i] == null || out[i][0] != n || out[i][1] != n * (n - 1) / 2) {
                throw new IllegalStateException("jox receiver " + i + " got " + java.util.Arrays.toString(out[i]));
            }
            delivered += out[i][0];
        }
        return new long[] {System.nanoTime() - t0, delivered, 0};
    }

    private BroadcastFanout() {}
}
