package dev.weft.bench;

import dev.weft.core.WeftRuntime;

import java.util.Arrays;
import java.util.Locale;

/**
 * Entry point of the Weft benchmarks: {@code java -jar weft-bench.jar WORKLOAD [args]}.
 *
 * <p>Mirrors {@code shared/peers/jvm/src/main/java/bench/Main.java}: every measured run prints one
 * line {@code RESULT name=<workload> impl=<impl> key=value ...} on stdout and nothing else goes
 * to stdout. Warm-up policy as the peers: {@code -Dbench.warmup=K} runs K un-timed iterations
 * first (default 0, i.e. runs are cold, in a fresh JVM).
 */
public final class Main {

    static final String USAGE = String.join("\n",
        "usage: java -jar weft-bench.jar <workload> [args]",
        "  spawn      [n=1000000] [from=outside|inside]   W1: n tasks return their index, joined in order",
        "  sleepers   [n=1000000] [sleep_s=1]              W2: n tasks sleep, joined",
        "  pingpong   [n=1000000] [weft-carrier|jdk-vt-default|weft-loop|jdk-loop]  n park/unpark round trips",
        "  continuation [n=5000000]                        the JDK's bare Continuation run+yield: the floor under any task switch",
        "  timers     [n=1000000] [timeout_s=10]           W4: register n timeouts on the wheel, then cancel them",
        "  mpsc       [producers=1] [n=10000000] [capacity=1024] [inside|outside]  W3: P producers, 1 consumer, bounded Channel",
        "  broadcast  [n=1000000] [weft|jox|both]         1 sender, 8 receivers: Broadcast vs 8 Jox channels",
        "  select2    [n=2000000] [weft|jox|both]         select over two channels, one producer each",
        "  fanout     [scopes=1000] [forks=1000] [weft|jdk-sts|jdk-sts-bare] [inside|outside]  scopes in turn: fork, join, sum",
        "  timer-accuracy [n=100000] [both|weft|jdk-stpe] [chains=1000]  lateness of n sleeps of 1-100 ms",
        "  threadpool [n=10000] [jdk-fixed-200|weft-executor|jdk-vt-executor]  n requests of 3 x sleep(10 ms)",
        "  roundtrip  [n=100000] [weft-executor|weft-join|weft-run|jdk-fixed|jdk-vt-executor]  n short tasks, each awaited by main",
        "  files-read  [mib=1024] [chunk_kib=64] [weft|weft-pool|jdk-vt]       one task reads one file in chunks",
        "  files-storm [files=10000] [size=4096] [tasks=64] [weft|weft-pool|weft-handle|jdk-vt]  read many small files",
        "  fs-health   [msgs=20000] [files=10000] [tasks=64] [weft|weft-pool]   echo p99 idle vs during a file storm",
        "pingpong, threadpool and roundtrip without an impl run every impl in this JVM, one RESULT line each.",
        "system property -Dbench.warmup=K runs K un-timed iterations first (default 0);",
        "-Dbench.carriers=C sets the carriers of the runtime spawn/sleepers build (default: #CPUs);",
        "-Dbench.transport=T its transport (auto, io_uring, epoll, kqueue, nio);",
        "-Dbench.spill=N its spill threshold (WeftRuntime.Builder.spillThreshold, default 128);",
        "-Dbench.trace=K (fanout) prints to stderr how many ms each block of K scopes took.");

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println(USAGE);
            System.exit(2);
        }
        String w = args[0];
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (w) {
            case "spawn" -> Spawn.main(rest);
            case "sleepers" -> Sleepers.main(rest);
            case "pingpong" -> PingPong.main(rest);
            case "continuation" -> ContinuationFloor.main(rest);
            case "threadpool" -> ThreadPool.main(rest);
            case "roundtrip" -> RoundTrip.main(rest);
            case "timers" -> Timers.main(rest);
            case "mpsc" -> Mpsc.main(rest);
            case "broadcast" -> BroadcastFanout.main(rest);
            case "select2" -> Select2.main(rest);
            case "fanout" -> Fanout.main(rest);
            case "timer-accuracy" -> TimerAccuracy.main(rest);
            case "files-read" -> Files.read(rest);
            case "files-storm" -> Files.storm(rest);
            case "fs-health" -> FsHealth.main(rest);
            default -> {
                System.err.println("unknown workload: " + w + "\n" + USAGE);
                System.exit(2);
            }
        }
        // Weft carriers are daemon threads; nothing else keeps the JVM alive. Exit promptly anyway.
        System.exit(0);
    }

    // ---- helpers (same as the peers') ----

    static int warmup() {
        return Integer.getInteger("bench.warmup", 0);
    }

    /**
     * The runtime the workloads use: default builder, carriers from {@code -Dbench.carriers},
     * transport from {@code -Dbench.transport} (auto, io_uring, epoll, kqueue, nio).
     */
    static WeftRuntime runtime() {
        WeftRuntime.Builder b = WeftRuntime.builder().name("bench");
        Integer c = Integer.getInteger("bench.carriers");
        if (c != null) {
            b.carriers(c);
        }
        Integer spill = Integer.getInteger("bench.spill");
        if (spill != null) {
            b.spillThreshold(spill);
        }
        String t = System.getProperty("bench.transport");
        if (t != null) {
            b.transport(dev.weft.core.Transport.valueOf(t.toUpperCase(java.util.Locale.ROOT)));
        }
        return b.build();
    }

    /** Carrier threads of the JDK's default virtual-thread scheduler (property, else #CPUs). */
    static int vtParallelism() {
        String p = System.getProperty("jdk.virtualThreadScheduler.parallelism");
        return p != null ? Integer.parseInt(p) : Runtime.getRuntime().availableProcessors();
    }

    static long parseCount(String s) {
        return Long.parseLong(s.replace("_", ""));
    }

    static String arg(String[] a, int i, String def) {
        return a.length > i ? a[i] : def;
    }

    static String f0(double d) {
        return String.format(Locale.ROOT, "%.0f", d);
    }

    static String f1(double d) {
        return String.format(Locale.ROOT, "%.1f", d);
    }

    static String f2(double d) {
        return String.format(Locale.ROOT, "%.2f", d);
    }

    static double ms(long nanos) {
        return nanos / 1e6;
    }

    static double perSec(long count, long nanos) {
        return count / (nanos / 1e9);
    }

    /** Prints one RESULT line: kv = key1, value1, key2, value2, ... */
    static void result(String name, String impl, Object... kv) {
        StringBuilder sb = new StringBuilder(128).append("RESULT name=").append(name).append(" impl=").append(impl);
        for (int i = 0; i + 1 < kv.length; i += 2) {
            sb.append(' ').append(kv[i]).append('=').append(kv[i + 1]);
        }
        System.out.println(sb);
        System.out.flush();
    }

    private Main() {}
}
