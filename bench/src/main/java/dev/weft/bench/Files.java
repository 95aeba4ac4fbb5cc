package dev.weft.bench;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.fs.FileHandle;
import dev.weft.fs.Fs;
import dev.weft.fs.FsBackend;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The file workloads of issue 7, against {@code Files}/{@code FileChannel} on plain JDK virtual
 * threads (and {@code bench/peers/tokio-fs} for Tokio's {@code tokio::fs}).
 *
 * <ul>
 *   <li>{@code files-read [mib=1024] [chunk_kib=64] [impl]}: one task reads one file of
 *       {@code mib} MiB front to back in {@code chunk_kib} KiB reads into a heap array.
 *       Key {@code mb_per_s} (MiB/s).</li>
 *   <li>{@code files-storm [files=10000] [size=4096] [tasks=64] [impl]}: {@code tasks} tasks at
 *       once read {@code files} files of {@code size} bytes whole (task t reads files t, t+tasks,
 *       ...). Key {@code files_per_s}.</li>
 * </ul>
 * impl: {@code weft} ({@link FileHandle#read} for files-read, {@link Fs#readAllBytes} for
 * files-storm; backend as the runtime chooses: io_uring here), {@code weft-pool} (the same with
 * {@link Fs#setBackend} blocking pool), {@code weft-handle} (files-storm only: open, one
 * {@code readAt}, close) or {@code jdk-vt} ({@code FileChannel.read} /
 * {@code java.nio.file.Files.readAllBytes} from {@code Executors.newVirtualThreadPerTaskExecutor()}).
 *
 * <p>The files live in {@code -Dbench.dir} (default {@code /tmp/weft-fs-bench}) and are created
 * on first use, then reused. Every run first reads all of them once, untimed, so every impl
 * reads from the page cache: the figures measure the runtimes' per-operation cost, not the disk.
 */
final class Files {
    private Files() {}

    static Path dir() throws IOException {
        Path d = Path.of(System.getProperty("bench.dir", "/tmp/weft-fs-bench"));
        java.nio.file.Files.createDirectories(d);
        return d;
    }

    /**
     * Timed passes per run ({@code -Dbench.passes}, default 1): one pass of files-storm is tens of
     * milliseconds, shorter than a JIT compilation or a GC, so figures are quoted over several.
     */
    static int passes() {
        return Math.max(1, Integer.getInteger("bench.passes", 1));
    }

    // ------------------------------------------------------------------ files-read

    static void read(String[] a) throws Exception {
        int mib = Integer.parseInt(Main.arg(a, 0, "1024"));
        int chunk = Integer.parseInt(Main.arg(a, 1, "64")) * 1024;
        String impl = Main.arg(a, 2, "weft");
        Path f = dir().resolve("big-" + mib + "m.bin");
        long size = (long) mib << 20;
        if (!java.nio.file.Files.exists(f) || java.nio.file.Files.size(f) != size) {
            byte[] block = new byte[1 << 20];
            for (int i = 0; i < block.length; i++) {
                block[i] = (byte) (i * 31 + 7);
            }
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                for (int i = 0; i < mib; i++) {
                    ch.write(ByteBuffer.wrap(block));
                }
            }
        }
        jdkRead(f, chunk);   // into the page cache, untimed
        long total;
        long t0;
        long t1;
        String backend = "-";
        String direct = "-";
        switch (impl) {
            case "weft", "weft-pool" -> {
                try (WeftRuntime rt = Main.runtime()) {
                    if (impl.equals("weft-pool")) {
                        Fs.setBackend(rt, FsBackend.BLOCKING_POOL);
                    }
                    backend = Fs.backend(rt).label();
                    for (int i = 0; i < Main.warmup(); i++) {
                        rt.run(() -> weftRead(f, chunk));
                    }
                    long direct0 = Fs.stats(rt).directReadBytes();
                    t0 = System.nanoTime();
                    total = 0;
                    for (int p = 0; p < passes(); p++) {
                        total += rt.run(() -> weftRead(f, chunk));
                    }
                    t1 = System.nanoTime();
                    direct = Main.f0(100.0 * (Fs.stats(rt).directReadBytes() - direct0) / total);
                }
            }
            case "jdk-vt" -> {
                try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                    for (int i = 0; i < Main.warmup(); i++) {
                        ex.submit(() -> jdkRead(f, chunk)).get();
                    }
                    t0 = System.nanoTime();
                    total = 0;
                    for (int p = 0; p < passes(); p++) {
                        total += ex.submit(() -> jdkRead(f, chunk)).get();
                    }
                    t1 = System.nanoTime();
                }
            }
            default -> throw new IllegalArgumentException("impl must be weft, weft-pool or jdk-vt, was " + impl);
        }
        if (total != size * passes()) {
            throw new IllegalStateException("read " + total + " bytes, expected " + size * passes());
        }
        Main.result("files_read", impl, "mib", mib, "chunk_kib", chunk / 1024, "backend", backend,
                "direct_pct", direct, "mb_per_s", Main.f0(total / 1048576.0 / ((t1 - t0) / 1e9)), "wall_ms", Main.f1(Main.ms(t1 - t0)),
                "warmup", Main.warmup(), "passes", passes());
    }

    private static long weftRead(Path f, int chunk) throws IOException {
        byte[] buf = new byte[chunk];
        long total = 0;
        try (FileHandle h = FileHandle.open(f)) {
            int n;
            while ((n = h.read(buf, 0, chunk)) > 0) {
                total += n;
            }
        }
        return total;
    }

    private static long jdkRead(Path f, int chunk) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(chunk);
        long total = 0;
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            int n;
            while ((n = ch.read(buf.clear())) > 0) {
                total += n;
            }
        }
        return total;
    }

    // ------------------------------------------------------------------ files-storm

    /** Makes (or reuses) {@code n} files of {@code size} bytes; returns their paths. */
    static Path[] stormFiles(int n, int size) throws IOException {
        Path d = dir().resolve("storm-" + n + "x" + size);
        java.nio.file.Files.createDirectories(d);
        Path[] paths = new Path[n];
        byte[] content = new byte[size];
        for (int i = 0; i < n; i++) {
            paths[i] = d.resolve("f" + i);
            if (!java.nio.file.Files.exists(paths[i]) || java.nio.file.Files.size(paths[i]) != size) {
                content[0] = (byte) i;
                java.nio.file.Files.write(paths[i], content);
            }
        }
        return paths;
    }

    static void storm(String[] a) throws Exception {
        int n = Integer.parseInt(Main.arg(a, 0, "10000"));
        int size = Integer.parseInt(Main.arg(a, 1, "4096"));
        int tasks = Integer.parseInt(Main.arg(a, 2, "64"));
        String impl = Main.arg(a, 3, "weft");
        Path[] paths = stormFiles(n, size);
        for (Path p : paths) {
            java.nio.file.Files.readAllBytes(p);   // page cache, untimed
        }
        long bytes;
        long t0;
        long t1;
        String backend = "-";
        switch (impl) {
            case "weft", "weft-pool", "weft-handle" -> {
                try (WeftRuntime rt = Main.runtime()) {
                    if (impl.equals("weft-pool")) {
                        Fs.setBackend(rt, FsBackend.BLOCKING_POOL);
                    }
                    backend = Fs.backend(rt).label();
                    boolean handle = impl.equals("weft-handle");
                    for (int i = 0; i < Main.warmup(); i++) {
                        weftStorm(rt, paths, tasks, size, handle);
                    }
                    t0 = System.nanoTime();
                    bytes = 0;
                    for (int p = 0; p < passes(); p++) {
                        bytes += weftStorm(rt, paths, tasks, size, handle);
                    }
                    t1 = System.nanoTime();
                }
            }
            case "jdk-vt" -> {
                for (int i = 0; i < Main.warmup(); i++) {
                    jdkStorm(paths, tasks);
                }
                t0 = System.nanoTime();
                bytes = 0;
                for (int p = 0; p < passes(); p++) {
                    bytes += jdkStorm(paths, tasks);
                }
                t1 = System.nanoTime();
            }
            default -> throw new IllegalArgumentException("impl must be weft, weft-pool, weft-handle or jdk-vt, was " + impl);
        }
        if (bytes != (long) n * size * passes()) {
            throw new IllegalStateException("read " + bytes + " bytes, expected " + (long) n * size * passes());
        }
        Main.result("files_storm", impl, "files", n, "size", size, "tasks", tasks, "backend", backend,
                "files_per_s", Main.f0(Main.perSec((long) n * passes(), t1 - t0)), "wall_ms", Main.f1(Main.ms(t1 - t0)),
                "warmup", Main.warmup(), "passes", passes());
    }

    /** The storm in {@code rt}: {@code tasks} tasks, task t reading files t, t+tasks, ...; returns bytes read. */
    static long weftStorm(WeftRuntime rt, Path[] paths, int tasks, int size, boolean handle) throws Exception {
        List<Task<Long>> ts = new ArrayList<>(tasks);
        for (int t = 0; t < tasks; t++) {
            int first = t;
            ts.add(rt.spawn(() -> {
                long got = 0;
                byte[] buf = handle ? new byte[size] : null;
                for (int i = first; i < paths.length; i += tasks) {
                    if (handle) {
                        try (FileHandle h = FileHandle.open(paths[i])) {
                            h.readExactAt(0, buf, 0, size);
                            got += size;
                        }
                    } else {
                        got += Fs.readAllBytes(paths[i]).length;
                    }
                }
                return got;
            }));
        }
        long sum = 0;
        for (Task<Long> t : ts) {
            sum += t.join();
        }
        return sum;
    }

    static long jdkStorm(Path[] paths, int tasks) throws Exception {
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Long>> fs = new ArrayList<>(tasks);
            for (int t = 0; t < tasks; t++) {
                int first = t;
                fs.add(ex.submit(() -> {
                    long got = 0;
                    for (int i = first; i < paths.length; i += tasks) {
                        got += java.nio.file.Files.readAllBytes(paths[i]).length;
                    }
                    return got;
                }));
            }
            long sum = 0;
            for (Future<Long> f : fs) {
                sum += f.get();
            }
            return sum;
        }
    }
}
