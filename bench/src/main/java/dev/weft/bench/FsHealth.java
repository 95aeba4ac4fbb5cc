package dev.weft.bench;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.fs.Fs;
import dev.weft.fs.FsBackend;
import dev.weft.net.TcpListener;
import dev.weft.net.TcpStream;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Carrier health ({@code fs-health [msgs=20000] [files=10000] [tasks=64] [weft|weft-pool]}): echo
 * round-trip latency through a {@link TcpListener} echo task of a Weft runtime, measured first
 * with the runtime otherwise idle, then while {@code tasks} tasks of the same runtime read the
 * {@code files} 4 KiB files of files-storm over and over. The client is one platform thread
 * with a blocking {@link Socket} (64-byte messages, one at a time, TCP_NODELAY).
 *
 * <p>Idle and storm windows alternate ({@code -Dbench.windows=W}, default 3, each {@code msgs}
 * round trips, after one untimed pair), so a drift of the machine's idle latency shows in both. Prints the medians over
 * the windows, {@code p50_idle_us p99_idle_us p50_storm_us p99_storm_us}, {@code p99_ratio}
 * (storm over idle, of the medians; the goal is at most 1.2), each window's p99, and
 * {@code storm_files_per_s} (the storm's own rate while the echoes ran).
 */
final class FsHealth {
    private FsHealth() {}

    static void main(String[] a) throws Exception {
        int msgs = Integer.parseInt(Main.arg(a, 0, "20000"));
        int files = Integer.parseInt(Main.arg(a, 1, "10000"));
        int tasks = Integer.parseInt(Main.arg(a, 2, "64"));
        String impl = Main.arg(a, 3, "weft");
        if (!impl.equals("weft") && !impl.equals("weft-pool")) {
            throw new IllegalArgumentException("impl must be weft or weft-pool, was " + impl);
        }
        Path[] paths = Files.stormFiles(files, 4096);
        for (Path p : paths) {
            java.nio.file.Files.readAllBytes(p);
        }
        try (WeftRuntime rt = Main.runtime()) {
            if (impl.equals("weft-pool")) {
                Fs.setBackend(rt, FsBackend.BLOCKING_POOL);
            }
            Long laneMicros = Long.getLong("bench.lane.us");
            if (laneMicros != null) {
                Fs.setCarrierTimePerPass(rt, java.time.Duration.ofNanos(laneMicros * 1000));
            }
            TcpListener l = rt.run(() -> TcpListener.bind(rt, new InetSocketAddress("127.0.0.1", 0)));
            Task<Void> echo = rt.spawn(() -> {
                try (TcpStream s = l.accept()) {
                    byte[] b = new byte[64];
                    int n;
                    while ((n = s.read(b)) > 0) {
                        s.write(b, 0, n);   // writes flush on their own, as in the echo demo
                    }
                }
                return null;
            });
            AtomicBoolean storming = new AtomicBoolean(false);
            AtomicBoolean done = new AtomicBoolean(false);
            java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CountDownLatch> stormGate =
                    new java.util.concurrent.atomic.AtomicReference<>(new java.util.concurrent.CountDownLatch(1));
            AtomicLong filesRead = new AtomicLong();
            int windows = Math.max(1, Integer.getInteger("bench.windows", 3));
            try (Socket c = new Socket("127.0.0.1", l.localAddress().getPort())) {
                c.setTcpNoDelay(true);
                c.setSoTimeout(30_000);
                InputStream in = c.getInputStream();
                OutputStream out = c.getOutputStream();
                pings(in, out, Math.max(1000, msgs / 4));   // warm-up, untimed

                // The storm's tasks wait on a latch between storm windows: an idle window has
                // nothing of theirs running, not even timers.
                List<Task<Void>> storm = new ArrayList<>();
                for (int t = 0; t < tasks; t++) {
                    int first = t;
                    storm.add(rt.spawn(() -> {
                        int i = first;
                        while (!done.get()) {
                            if (!storming.get()) {
                                stormGate.get().await();
                                continue;
                            }
                            Fs.readAllBytes(paths[i % paths.length]);
                            filesRead.incrementAndGet();
                            i += tasks;
                        }
                        return null;
                    }));
                }
                double[] p50Idle = new double[windows], p99Idle = new double[windows];
                double[] p50Storm = new double[windows], p99Storm = new double[windows];
                long stormFiles = 0, stormNanos = 0;
                // An untimed storm window first, as the echo had its untimed pings: the first
                // storm window otherwise measures the JIT compiling the storm's code (its p99 was
                // 1.5-2x the later storm windows' with one carrier).
                for (int w = -1; w < windows; w++) {
                    long[] idle = pings(in, out, msgs);
                    long before = filesRead.get();
                    storming.set(true);
                    stormGate.get().countDown();
                    while (filesRead.get() < before + 2L * tasks) {   // the storm is under way
                        Thread.onSpinWait();
                    }
                    long f0 = filesRead.get();
                    long s0 = System.nanoTime();
                    long[] busy = pings(in, out, msgs);
                    long s1 = System.nanoTime();
                    long f1 = filesRead.get();
                    stormGate.set(new java.util.concurrent.CountDownLatch(1));
                    storming.set(false);
                    if (w >= 0) {
                        p50Idle[w] = pct(idle, 0.50);
                        p99Idle[w] = pct(idle, 0.99);
                        stormNanos += s1 - s0;
                        stormFiles += f1 - f0;
                        p50Storm[w] = pct(busy, 0.50);
                        p99Storm[w] = pct(busy, 0.99);
                    }
                }
                done.set(true);
                stormGate.get().countDown();
                for (Task<Void> t : storm) {
                    t.join();
                }
                c.shutdownOutput();
                echo.join();
                l.close();
                double idle99 = median(p99Idle), storm99 = median(p99Storm);
                Main.result("fs_health", impl, "msgs", msgs, "tasks", tasks, "backend", Fs.backend(rt).label(),
                        "carriers", rt.carriers(), "windows", windows,
                        "p50_idle_us", Main.f1(median(p50Idle)), "p99_idle_us", Main.f1(idle99),
                        "p50_storm_us", Main.f1(median(p50Storm)), "p99_storm_us", Main.f1(storm99),
                        "p99_ratio", String.format(java.util.Locale.ROOT, "%.2f", storm99 / idle99),
                        "p50_idle_windows_us", join(p50Idle), "p99_idle_windows_us", join(p99Idle), "p99_storm_windows_us", join(p99Storm),
                        "storm_files_per_s", Main.f0(Main.perSec(stormFiles, stormNanos)));
            }
        }
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static String join(double[] v) {
        StringBuilder b = new StringBuilder();
        for (double x : v) {
            b.append(b.isEmpty() ? "" : ",").append(Main.f1(x));
        }
        return b.toString();
    }

    /** {@code n} echo round trips; returns each one's nanoseconds. */
    private static long[] pings(InputStream in, OutputStream out, int n) throws Exception {
        byte[] msg = new byte[64];
        byte[] back = new byte[64];
        long[] lat = new long[n];
        for (int i = 0; i < n; i++) {
            msg[0] = (byte) i;
            long t0 = System.nanoTime();
            out.write(msg);
            int got = 0;
            while (got < 64) {
                int r = in.read(back, got, 64 - got);
                if (r < 0) {
                    throw new IllegalStateException("echo closed after " + i + " messages");
                }
                got += r;
            }
            lat[i] = System.nanoTime() - t0;
            if (back[0] != msg[0]) {
                throw new IllegalStateException("echo returned the wrong bytes at message " + i);
            }
        }
        return lat;
    }

    private static double pct(long[] nanos, double p) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[Math.min(s.length - 1, (int) Math.ceil(p * s.length) - 1)] / 1000.0;
    }
}
