package dev.weft.bench;

import dev.weft.core.Weft;
import dev.weft.core.WeftRuntime;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A thread-pool replacement check: N requests (default 10,000), each three blocking waits of
 * 10 ms ({@code Thread.sleep(10)} three times), submitted to
 * <ul>
 *   <li>{@code jdk-fixed-200}: {@code Executors.newFixedThreadPool(200)} (platform threads);</li>
 *   <li>{@code weft-executor}: {@link Weft#newExecutor()} (each request a Weft task on the shared
 *       runtime; the shared runtime is started before the clock).</li>
 * </ul>
 * {@code jdk-vt-executor} ({@code Executors.newVirtualThreadPerTaskExecutor()}) can be named as a
 * third impl for reference; it is not run by default.
 * Timed from the first submit until every future has returned and the executor has terminated
 * (executor creation included). The ideal is 30 ms for weft-executor and N/200 x 30 ms for the
 * fixed pool.
 */
final class ThreadPool {

    static final String[] IMPLS = {"jdk-fixed-200", "weft-executor"};

    static void main(String[] a) throws Exception {
        int n = (int) Main.parseCount(Main.arg(a, 0, "10000"));
        String[] impls = a.length > 1 ? new String[] {a[1]} : IMPLS;
        for (String impl : impls) {
            if (impl.equals("weft-executor")) {
                WeftRuntime.shared(); // start the carriers outside the timed region
            }
            for (int i = 0; i < Main.warmup(); i++) {
                once(impl, n);
            }
            long dt = once(impl, n);
            String workers = switch (impl) {
                case "weft-executor" -> String.valueOf(WeftRuntime.shared().carriers());
                case "jdk-vt-executor" -> String.valueOf(Main.vtParallelism());
                default -> "200";
            };
            Main.result("threadpool", impl, "requests", n, "workers", workers,
                "requests_per_s", Main.f0(Main.perSec(n, dt)), "wall_ms", Main.f1(Main.ms(dt)),
                "ideal_ms", impl.equals("jdk-fixed-200") ? Main.f0(Math.ceil(n / 200.0) * 30) : "30",
                "warmup", Main.warmup());
        }
    }

    static long once(String impl, int n) throws Exception {
        long t0 = System.nanoTime();
        ExecutorService ex = switch (impl) {
            case "jdk-fixed-200" -> Executors.newFixedThreadPool(200);
            case "weft-executor" -> Weft.newExecutor();
            case "jdk-vt-executor" -> Executors.newVirtualThreadPerTaskExecutor(); // reference only, not run by default
            default -> throw new IllegalArgumentException("unknown threadpool impl " + impl);
        };
        @SuppressWarnings("unchecked")
        Future<Integer>[] fs = new Future[n];
        for (int i = 0; i < n; i++) {
            final int idx = i;
            fs[i] = ex.submit(() -> {
                Thread.sleep(10);
                Thread.sleep(10);
                Thread.sleep(10);
                return idx;
            });
        }
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += fs[i].get();
        }
        ex.shutdown();
        if (!ex.awaitTermination(1, TimeUnit.MINUTES)) {
            throw new IllegalStateException(impl + " did not terminate");
        }
        long dt = System.nanoTime() - t0;
        if (sum != (long) n * (n - 1) / 2) {
            throw new IllegalStateException("bad sum " + sum);
        }
        return dt;
    }

    private ThreadPool() {}
}
