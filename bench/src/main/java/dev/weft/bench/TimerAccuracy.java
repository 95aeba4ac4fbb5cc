package dev.weft.bench;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.timers.Time;

import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Timer accuracy (issue #4): n sleeps of a random 1-100 ms each, made by {@code chains}
 * concurrent chains of n/chains sleeps one after another; the lateness of each sleep is (time it
 * resumed) - (time it started) - (requested delay), measured with {@link System#nanoTime()}.
 *
 * <p>{@code java -jar weft-bench.jar timer-accuracy [n=100000] [both|weft|jdk-stpe] [chains=1000]}
 * <ul>
 *   <li>{@code weft}: {@code chains} Weft tasks on the bench runtime, each sleeping with
 *       {@link Time#sleep(Duration)} (the carrier's timer wheel); lateness as seen by the task
 *       once it runs again.</li>
 *   <li>{@code jdk-stpe}: {@code chains} chains of {@code schedule(task, d)} on a
 *       {@link ScheduledThreadPoolExecutor} with one thread per CPU, each task scheduling the next;
 *       lateness as seen by the task when it runs.</li>
 * </ul>
 * With the default 1,000 chains about 1,000 timers are outstanding at any time and the figure is
 * the timer's own accuracy. {@code chains=n} makes all n sleeps start at once instead: the Weft
 * figure then also contains starting n tasks (each sleep's clock starts inside its task), the
 * STPE figure only n {@code schedule} calls.
 * {@code both} (default) runs weft, then jdk-stpe, in this JVM, with the same delays (seeded).
 * One line per impl: {@code p50_us p99_us p999_us max_us mean_us} of the lateness, {@code early}
 * (sleeps that ended before their delay: should be 0), {@code wall_ms}.
 */
final class TimerAccuracy {

    static void main(String[] a) throws Exception {
        int n = (int) Main.parseCount(Main.arg(a, 0, "100000"));
        String which = Main.arg(a, 1, "both");
        int chains = (int) Main.parseCount(Main.arg(a, 2, "1000"));
        if (n < 1 || chains < 1 || n % chains != 0) {
            throw new IllegalArgumentException("n and chains must be >= 1 and chains must divide n, were "
                    + n + " and " + chains);
        }
        if (!which.equals("both") && !which.equals("weft") && !which.equals("jdk-stpe")) {
            throw new IllegalArgumentException("impl must be both, weft or jdk-stpe, was " + which);
        }
        long[] delaysNanos = new long[n];
        SplittableRandom rnd = new SplittableRandom(42);
        for (int i = 0; i < n; i++) {
            delaysNanos[i] = TimeUnit.MILLISECONDS.toNanos(1 + rnd.nextInt(100));
        }
        if (!which.equals("jdk-stpe")) {
            WeftRuntime rt = Main.runtime();
            for (int i = 0; i < Main.warmup(); i++) {
                weft(rt, delaysNanos, chains);
            }
            long t0 = System.nanoTime();
            long[] late = weft(rt, delaysNanos, chains);
            report("weft", late, System.nanoTime() - t0, "chains", chains, "carriers", rt.carriers(),
                    "mode", rt.schedulerMode());
            rt.close();
        }
        if (!which.equals("weft")) {
            int threads = Runtime.getRuntime().availableProcessors();
            ScheduledThreadPoolExecutor stpe = new ScheduledThreadPoolExecutor(threads);
            for (int i = 0; i < Main.warmup(); i++) {
                stpe(stpe, delaysNanos, chains);
            }
            long t0 = System.nanoTime();
            long[] late = stpe(stpe, delaysNanos, chains);
            report("jdk-stpe", late, System.nanoTime() - t0, "chains", chains, "threads", threads);
            stpe.shutdownNow();
        }
    }

    /** Lateness in nanos of each sleep; chain c makes sleeps c, c + chains, c + 2 chains, ... */
    static long[] weft(WeftRuntime rt, long[] delays, int chains) throws InterruptedException {
        int n = delays.length;
        long[] late = new long[n];
        @SuppressWarnings("unchecked")
        Task<Void>[] ts = new Task[chains];
        for (int c = 0; c < chains; c++) {
            final int first = c;
            ts[c] = rt.spawn(() -> {
                for (int idx = first; idx < n; idx += chains) {
                    long d = delays[idx];
                    long s = System.nanoTime();
                    Time.sleep(Duration.ofNanos(d));
                    late[idx] = System.nanoTime() - s - d;
                }
                return null;
            });
        }
        for (Task<Void> t : ts) {
            t.join();
        }
        return late;
    }

    /** Lateness in nanos of each scheduled task; each task of a chain schedules the next. */
    static long[] stpe(ScheduledThreadPoolExecutor stpe, long[] delays, int chains) throws InterruptedException {
        int n = delays.length;
        long[] late = new long[n];
        CountDownLatch done = new CountDownLatch(n);
        for (int c = 0; c < chains; c++) {
            scheduleLink(stpe, delays, late, done, c, chains);
        }
        if (!done.await(10, TimeUnit.MINUTES)) {
            throw new IllegalStateException("jdk-stpe: " + done.getCount() + " timers did not fire in 10 minutes");
        }
        return late;
    }

    private static void scheduleLink(ScheduledThreadPoolExecutor stpe, long[] delays, long[] late,
                                     CountDownLatch done, int idx, int chains) {
        long d = delays[idx];
        long s = System.nanoTime();
        stpe.schedule(() -> {
            late[idx] = System.nanoTime() - s - d;
            done.countDown();
            if (idx + chains < delays.length) {
                scheduleLink(stpe, delays, late, done, idx + chains, chains);
            }
        }, d, TimeUnit.NANOSECONDS);
    }

    static void report(String impl, long[] late, long wallNanos, Object... extra) {
        long early = Arrays.stream(late).filter(x -> x < 0).count();
        long[] s = late.clone();
        Arrays.sort(s);
        double mean = Arrays.stream(late).average().orElse(0);
        Object[] kv = {"sleeps", late.length, "delay_ms", "1-100",
            "p50_us", Main.f1(pct(s, 0.50) / 1e3), "p99_us", Main.f1(pct(s, 0.99) / 1e3),
            "p999_us", Main.f1(pct(s, 0.999) / 1e3), "max_us", Main.f1(s[s.length - 1] / 1e3),
            "mean_us", Main.f1(mean / 1e3), "early", early, "wall_ms", Main.f1(Main.ms(wallNanos)),
            "warmup", Main.warmup()};
        Object[] all = Arrays.copyOf(kv, kv.length + extra.length);
        System.arraycopy(extra, 0, all, kv.length, extra.length);
        Main.result("timer_accuracy", impl, all);
    }

    /** The value at quantile q of sorted values (nearest rank). */
    static long pct(long[] sorted, double q) {
        int i = (int) Math.ceil(q * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))];
    }

    private TimerAccuracy() {}
}
