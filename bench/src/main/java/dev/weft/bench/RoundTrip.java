package dev.weft.bench;

import dev.weft.core.Weft;
import dev.weft.core.WeftRuntime;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One short task at a time from a platform thread: the main thread hands off a task that returns
 * its index and waits for the result, n times in a row, so each call is a wake-up of a worker and a
 * wake-up of the caller (the latency of a thread pool used synchronously, and of Tokio's
 * {@code block_on} called in a loop).
 * <ul>
 *   <li>{@code weft-executor}: {@code Weft.newExecutor().submit(..).get()} (shared runtime);</li>
 *   <li>{@code weft-join}: {@code rt.spawn(..).join()} on the bench runtime;</li>
 *   <li>{@code weft-run}: {@code rt.run(..)} on the bench runtime;</li>
 *   <li>{@code jdk-fixed}: {@code Executors.newFixedThreadPool(#CPUs)}, {@code submit(..).get()};</li>
 *   <li>{@code jdk-vt-executor}: {@code Executors.newVirtualThreadPerTaskExecutor()}, {@code submit(..).get()}.</li>
 * </ul>
 * {@code java -jar weft-bench.jar roundtrip [n=100000] [impl]}; without an impl all five run in
 * this JVM, one after another. The runtime or pool is started before the clock. Keys:
 * {@code us_per_call calls_per_s wall_ms}.
 */
final class RoundTrip {

    static final String[] IMPLS = {"weft-executor", "weft-join", "weft-run", "jdk-fixed", "jdk-vt-executor"};

    static void main(String[] a) throws Exception {
        int n = (int) Main.parseCount(Main.arg(a, 0, "100000"));
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1, was " + n);
        }
        String[] impls = a.length > 1 ? new String[] {a[1]} : IMPLS;
        for (String impl : impls) {
            long dt;
            switch (impl) {
                case "weft-join", "weft-run" -> {
                    WeftRuntime rt = Main.runtime();
                    try {
                        for (int i = 0; i < Main.warmup(); i++) {
                            weft(rt, impl, n);
                        }
                        dt = weft(rt, impl, n);
                    } finally {
                        rt.close();
                    }
                }
                case "weft-executor", "jdk-fixed", "jdk-vt-executor" -> {
                    ExecutorService ex = switch (impl) {
                        case "weft-executor" -> Weft.newExecutor();
                        case "jdk-fixed" -> Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors());
                        default -> Executors.newVirtualThreadPerTaskExecutor();
                    };
                    try {
                        ex.submit(() -> 0).get();   // the pool's first thread starts outside the clock
                        for (int i = 0; i < Main.warmup(); i++) {
                            executor(ex, n);
                        }
                        dt = executor(ex, n);
                    } finally {
                        ex.shutdown();
                        if (!ex.awaitTermination(1, TimeUnit.MINUTES)) {
                            throw new IllegalStateException(impl + " did not terminate");
                        }
                    }
                }
                default -> throw new IllegalArgumentException("unknown roundtrip impl " + impl
                        + " (expected one of " + String.join(", ", IMPLS) + ")");
            }
            Main.result("roundtrip", impl, "calls", n,
                "us_per_call", Main.f2(dt / 1e3 / n), "calls_per_s", Main.f0(Main.perSec(n, dt)),
                "wall_ms", Main.f1(Main.ms(dt)), "warmup", Main.warmup());
        }
    }

    private static long weft(WeftRuntime rt, String impl, int n) throws Exception {
        long sum = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            final int idx = i;
            sum += impl.equals("weft-run") ? rt.run(() -> idx) : rt.spawn(() -> idx).join();
        }
        long dt = System.nanoTime() - t0;
        check(sum, n);
        return dt;
    }

    private static long executor(ExecutorService ex, int n) throws Exception {
        long sum = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            final int idx = i;
            sum += ex.submit(() -> idx).get();
        }
        long dt = System.nanoTime() - t0;
        check(sum, n);
        return dt;
    }

    private static void check(long sum, int n) {
        if (sum != (long) n * (n - 1) / 2) {
            throw new IllegalStateException("bad sum " + sum);
        }
    }

    private RoundTrip() {}
}
