package dev.weft.net;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;

import java.net.InetSocketAddress;
import java.time.Duration;

import static dev.weft.core.testsupport.Eventually.eventually;

/** Helpers shared by the net tests. */
final class NetTesting {
    static final InetSocketAddress ANY_LOCAL = new InetSocketAddress("127.0.0.1", 0);
    static final Duration CONNECT = Duration.ofSeconds(5);

    private NetTesting() {}


    /** Starts an echo server on {@code listener}: one task per connection, echoes until EOF, then closes. */
    static Task<Void> echoServer(WeftRuntime rt, TcpListener listener) {
        return rt.spawn("echo-server", () -> {
            listener.serve(s -> {
                byte[] buf = new byte[8192];
                int n;
                long total = 0;
                try {
                    while ((n = s.read(buf)) >= 0) {
                        s.write(buf, 0, n);
                        total += n;
                    }
                } catch (java.io.IOException | RuntimeException e) {
                    System.err.println("echo server " + s + " failed after " + total + " bytes: " + e); if (e.getCause() != null && Boolean.getBoolean("echo.debug")) e.getCause().printStackTrace();
                    throw e;
                }
                if (Boolean.getBoolean("echo.debug")) {
                    System.err.println("echo server " + s + " EOF after " + total);
                }
            });
            return null;
        });
    }

    /** Waits until the task named {@code name} is parked inside a method of {@code where} (e.g. "Conduit.read"). */
    static void parkedIn(WeftRuntime rt, String name, String where) {
        eventually(Duration.ofSeconds(5), name + " parks in " + where, () -> infos(rt).stream()
                .anyMatch(i -> i.name().equals(name) && i.stack().stream()
                        .anyMatch(f -> (f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName()).equals(where))
                        && i.stack().stream().anyMatch(f -> f.getMethodName().startsWith("park"))));
    }

    /** liveTaskInfos, retried: core's TaskImpl.info can throw for a thread with a very short stack (reported). */
    static java.util.List<dev.weft.core.TaskInfo> infos(WeftRuntime rt) {
        try {
            return rt.liveTaskInfos();
        } catch (IndexOutOfBoundsException e) {
            return java.util.List.of();
        }
    }

    /** A line codec for message streams: lines of at most 1024 bytes in, strings out, UTF-8. */
    static void lines(io.netty.channel.ChannelPipeline p) {
        p.addLast(new io.netty.handler.codec.LineBasedFrameDecoder(1024),
                new io.netty.handler.codec.string.StringDecoder(java.nio.charset.StandardCharsets.UTF_8),
                new io.netty.handler.codec.string.StringEncoder(java.nio.charset.StandardCharsets.UTF_8));
    }

    static byte[] pattern(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    /**
     * Runs a task on {@code ch}'s event loop that holds the loop until {@code gate} opens (30 s at
     * most), and returns once the loop runs it: what the loop is asked meanwhile waits in its queue.
     */
    static void holdLoop(io.netty.channel.Channel ch, java.util.concurrent.CountDownLatch gate) throws InterruptedException {
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        ch.eventLoop().execute(() -> {
            held.countDown();
            try {
                gate.await(30, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        if (!held.await(10, java.util.concurrent.TimeUnit.SECONDS)) {
            throw new AssertionError("the loop of " + ch + " did not run the holding task within 10 s");
        }
    }
}
