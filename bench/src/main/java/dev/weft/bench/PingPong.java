package dev.weft.bench;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;

import java.util.concurrent.Callable;
import java.util.concurrent.locks.LockSupport;

/**
 * Two tasks pass a token back and forth N times (default 1,000,000): each round trip is two
 * park/unpark hand-offs (a volatile turn field plus {@link LockSupport}).
 *
 * <ul>
 *   <li>{@code weft-carrier}: both tasks on a runtime with ONE carrier; every wake-up is a local
 *       enqueue on the same platform thread.</li>
 *   <li>{@code jdk-vt-default}: the same code on plain virtual threads of the JDK's default
 *       ForkJoinPool scheduler (parallelism left at its default, #CPUs).</li>
 * </ul>
 * Timed from just before the two tasks start until both have finished.
 */
final class PingPong {

    static final String[] IMPLS = {"weft-carrier", "jdk-vt-default", "weft-loop", "jdk-loop"};

    /** The shared token: turn 1 = pong's move, 0 = ping's move. */
    static final class Board {
        volatile int turn;
        volatile Thread ping, pong;
    }

    static void main(String[] a) throws Exception {
        int n = (int) Main.parseCount(Main.arg(a, 0, "1000000"));
        String[] impls = a.length > 1 ? new String[] {a[1]} : IMPLS;
        for (String impl : impls) {
            for (int i = 0; i < Main.warmup(); i++) {
                once(impl, n);
            }
            long dt = once(impl, n);
            int workers = impl.startsWith("weft") ? 1 : Main.vtParallelism();
            Main.result("pingpong", impl, "round_trips", n, "workers", workers,
                "round_trips_per_s", Main.f0(Main.perSec(n, dt)), "ns_per_round_trip", Main.f1((double) dt / n),
                "wall_ms", Main.f1(Main.ms(dt)), "warmup", Main.warmup());
        }
    }

    static long once(String impl, int n) throws Exception {
        return switch (impl) {
            case "weft-carrier" -> {
                try (WeftRuntime rt = WeftRuntime.builder().name("pingpong").carriers(1).build()) {
                    yield rt.run(() -> run(n, body -> of(rt.spawn(body))));
                }
            }
            case "jdk-vt-default" -> run(n, body -> {
                Thread t = Thread.ofVirtual().start(() -> {
                    try {
                        body.call();
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                return () -> t.join();
            });
            case "weft-loop" -> {
                // The I/O wake-up path: the event loop wakes a task that runs on that same loop's carrier.
                try (WeftRuntime rt = WeftRuntime.builder().name("pingpong").carriers(1).build()) {
                    var loop = dev.weft.core.spi.RuntimeAccess.eventLoopGroup(rt).next();
                    yield rt.run(() -> loopRoundTrips(loop, n));
                }
            }
            case "jdk-loop" -> {
                // The usual design: a Netty event loop thread wakes a virtual thread on the JDK's scheduler.
                var group = new io.netty.channel.MultiThreadIoEventLoopGroup(1, io.netty.channel.nio.NioIoHandler.newFactory());
                try {
                    var loop = group.next();
                    long[] out = new long[1];
                    Thread t = Thread.ofVirtual().start(() -> out[0] = loopRoundTrips(loop, n));
                    t.join();
                    yield out[0];
                } finally {
                    group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
                }
            }
            default -> throw new IllegalArgumentException("unknown pingpong impl " + impl);
        };
    }

    interface Joinable {
        void join() throws InterruptedException;
    }

    interface Starter {
        Joinable start(Callable<Void> body);
    }

    /** n round trips: the task hands the loop a task that unparks it, then parks. */
    static long loopRoundTrips(java.util.concurrent.Executor loop, int n) {
        Thread me = Thread.currentThread();
        Board b = new Board();
        Runnable wake = () -> {
            b.turn = 0;
            LockSupport.unpark(me);
        };
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            b.turn = 1;
            loop.execute(wake);
            while (b.turn != 0) {
                LockSupport.park(b);
            }
        }
        return System.nanoTime() - t0;
    }

    static long run(int n, Starter starter) throws InterruptedException {
        Board b = new Board();
        long t0 = System.nanoTime();
        Joinable pong = starter.start(() -> {
            b.pong = Thread.currentThread();
            for (int i = 0; i < n; i++) {
                while (b.turn != 1) {
                    LockSupport.park(b);
                }
                b.turn = 0;
                LockSupport.unpark(b.ping);
            }
            return null;
        });
        Joinable ping = starter.start(() -> {
            b.ping = Thread.currentThread();
            while (b.pong == null) {
                Thread.yield();
            }
            Thread other = b.pong;
            for (int i = 0; i < n; i++) {
                b.turn = 1;
                LockSupport.unpark(other);
                while (b.turn != 0) {
                    LockSupport.park(b);
                }
            }
            return null;
        });
        ping.join();
        pong.join();
        return System.nanoTime() - t0;
    }

    /** Adapts a Weft task handle. */
    static Joinable of(Task<?> t) {
        return t::join;
    }

    private PingPong() {}
}
