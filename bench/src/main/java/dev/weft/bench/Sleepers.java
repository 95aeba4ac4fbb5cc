package dev.weft.bench;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.time.Duration;

/**
 * W2 sleepers: N tasks (default 1,000,000) each sleep S s (default 1) concurrently; the main thread
 * then joins all of them. Timed from the first spawn until the last join returns (as the peers).
 *
 * <p>The sleep is {@code dev.weft.timers.Time.sleep(Duration)} when that class is on the class
 * path (the carrier's timer wheel), else {@link Thread#sleep(Duration)}; key {@code sleep=} says which.
 */
final class Sleepers {

    private static final MethodHandle WEFT_SLEEP = weftSleep();

    private static MethodHandle weftSleep() {
        try {
            Class<?> c = Class.forName("dev.weft.timers.Time");
            return MethodHandles.publicLookup().findStatic(c, "sleep", MethodType.methodType(void.class, Duration.class));
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    static void sleep(Duration d) throws Throwable {
        if (WEFT_SLEEP != null) {
            WEFT_SLEEP.invokeExact(d);
        } else {
            Thread.sleep(d);
        }
    }

    static void main(String[] a) throws Exception {
        int n = (int) Main.parseCount(Main.arg(a, 0, "1000000"));
        double sleepS = Double.parseDouble(Main.arg(a, 1, "1"));
        Duration d = Duration.ofNanos((long) (sleepS * 1e9));
        WeftRuntime rt = Main.runtime();
        @SuppressWarnings("unchecked")
        Task<Void>[] ts = new Task[n];
        java.util.concurrent.Callable<Void> sleeper = () -> {
            try {
                sleep(d);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                throw new RuntimeException(e);
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
            "sleep", WEFT_SLEEP != null ? "weft-time" : "thread-sleep",
            "wall_ms", Main.f1(Main.ms(dt)), "spawn_ms", Main.f1(Main.ms(spawned - t0)),
            "overhead_ms", Main.f1(Main.ms(dt) - sleepS * 1e3));
    }

    private Sleepers() {}
}
