package dev.weft.bench;

import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.core.spi.TimerHandle;

/**
 * W4 timers: register N timeouts of 10 s (all outstanding at once), then cancel them all;
 * {@code ops_per_s = N / (register + cancel)}; also {@code interleaved_ops_per_s} for arm-then-cancel
 * pairs, the socket-read-timeout pattern. Same timed regions and keys as the peers' Timers. Timers
 * are armed from a task, so they go straight into that carrier's wheel (the way Weft's own timed
 * waits arm them).
 */
final class Timers {
    private static final Runnable NOOP = () -> { };

    static void main(String[] a) throws Exception {
        int n = (int) Main.parseCount(Main.arg(a, 0, "1000000"));
        long timeoutS = Main.parseCount(Main.arg(a, 1, "10"));
        WeftRuntime rt = Main.runtime();
        long[][] res = rt.run(() -> {
            for (int i = 0; i < Main.warmup(); i++) {
                once(rt, n, true, timeoutS);
                once(rt, n, false, timeoutS);
            }
            return new long[][] {once(rt, n, true, timeoutS), once(rt, n, false, timeoutS)};
        });
        rt.close();
        long[] b = res[0], in = res[1];
        Main.result("timers", "weft", "timers", n, "timeout_s", timeoutS,
            "ops_per_s", Main.f0(Main.perSec(n, b[0] + b[1])),
            "register_ms", Main.f1(Main.ms(b[0])), "cancel_ms", Main.f1(Main.ms(b[1])),
            "register_ns_per_op", Main.f1((double) b[0] / n), "cancel_ns_per_op", Main.f1((double) b[1] / n),
            "interleaved_ops_per_s", Main.f0(Main.perSec(n, in[0])), "warmup", Main.warmup() + " wheel=carrier");
    }

    static long[] once(WeftRuntime rt, int n, boolean batch, long delayS) {
        long delay = delayS * 1_000_000_000L;
        if (!batch) {
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                RuntimeAccess.schedule(rt, RuntimeAccess.nanoTime(rt) + delay, NOOP).cancel();
            }
            return new long[] {System.nanoTime() - t0, 0};
        }
        TimerHandle[] ts = new TimerHandle[n];
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            ts[i] = RuntimeAccess.schedule(rt, RuntimeAccess.nanoTime(rt) + delay, NOOP);
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            ts[i].cancel();
        }
        return new long[] {t1 - t0, System.nanoTime() - t1};
    }

    private Timers() {}
}
