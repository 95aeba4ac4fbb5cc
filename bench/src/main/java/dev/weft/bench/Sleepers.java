package dev.weft.bench;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;

import java.time.Duration;

/**
 * W2 sleepers: N tasks (default 1,000,000) each sleep S s (default 1) concurrently; the main thread
 * then joins all of them. Timed from the first spawn until the last join returns (as the peers).
 *
 * <p>The sleep is {@code dev.weft.timers.Time.sleep(Duration)} (the carrier's timer wheel).
 */
final class Sleepers {

    static void main(String[] a) throws Exception {
        int n = (int) Main.parseCount(Main.arg(a, 0, "1000000"));
        double sleepS = Double.parseDouble(Main.arg(a, 1, "1"));
        Duration d = Duration.ofNanos((long) (sleepS * 1e9));
        WeftRuntime rt = Main.runtime();
        @SuppressWarnings("unchecked")
        Task<Void>[] ts = new Task[n];
        java.util.concurrent.Callable<Void> sleeper = () -> {
            try {
                // Called directly in the body, as the JDK peer calls Thread.sleep: every frame
                // between the body and the park is in each parked task's stack.
                dev.weft.timers.Time.sleep(d);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        };
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            ts[i] = rt.spawn(sleeper);
        }
        long spawned = System.nanoTime();
        for (int i = 0; i < n; i++) {
            ts[i].join();
        }
        long dt = System.nanoTime() - t0;
        rt.close();
        Main.result("sleepers", "weft", "tasks", n, "sleep_s", a.length > 1 ? a[1] : "1", "workers", rt.carriers(),
            "carriers", rt.carriers(), "mode", rt.schedulerMode(),
            "sleep", "weft-time",
            "wall_ms", Main.f1(Main.ms(dt)), "spawn_ms", Main.f1(Main.ms(spawned - t0)),
            "overhead_ms", Main.f1(Main.ms(dt) - sleepS * 1e3));
    }

    private Sleepers() {}
}
