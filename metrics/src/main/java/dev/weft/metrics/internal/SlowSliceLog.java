package dev.weft.metrics.internal;

import dev.weft.core.spi.RuntimeAccess;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The slow-slice listener: logs a slice that ran past the runtime's threshold, naming the task, at
 * most once per {@code interval} per task name and at most {@link #MAX_LINES} lines per interval
 * per runtime (unnamed tasks have unique names). It runs on the carrier, so it only checks the
 * rate limit and queues the line (dropped if the queue is full); one daemon thread shared by all
 * runtimes writes the lines.
 */
final class SlowSliceLog implements RuntimeAccess.SlowSliceListener {
    static final long INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    static final int MAX_LINES = 100;
    private static final int MAX_NAMES = 4096;
    private static final System.Logger LOG = System.getLogger("dev.weft.metrics.WeftRuntimeMetrics");

    private final String runtime;
    private final long intervalNanos;
    private final ConcurrentHashMap<String, Long> lastLogged = new ConcurrentHashMap<>();
    private final AtomicLong windowStart = new AtomicLong(System.nanoTime());
    private final AtomicInteger linesInWindow = new AtomicInteger();
    private final AtomicLong suppressed = new AtomicLong();

    SlowSliceLog(String runtime, long intervalNanos) {
        this.runtime = runtime;
        this.intervalNanos = intervalNanos;
    }

    @Override
    public void slowSlice(int carrierIndex, long nanos, String taskName) {
        try {
            String key = taskName == null ? "(unnamed)" : taskName;
            long now = System.nanoTime();
            Long prev = lastLogged.get(key);
            if (prev != null && now - prev < intervalNanos) {
                return;
            }
            if (prev == null ? lastLogged.putIfAbsent(key, now) != null : !lastLogged.replace(key, prev, now)) {
                return;   // another carrier logs this task's slice
            }
            long start = windowStart.get();
            if (now - start >= intervalNanos && windowStart.compareAndSet(start, now)) {
                linesInWindow.set(0);
            }
            if (linesInWindow.incrementAndGet() > MAX_LINES) {
                suppressed.incrementAndGet();
                return;
            }
            long dropped = suppressed.getAndSet(0);
            String line = "task '" + key + "' ran " + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms without parking on carrier "
                    + carrierIndex + " of runtime '" + runtime + "', starving the other tasks of that carrier: "
                    + "move CPU-bound or blocking work to WeftRuntime.spawnBlocking, or split it up"
                    + (dropped > 0 ? " (" + dropped + " earlier slow slices not logged: over " + MAX_LINES + " lines a minute)" : "");
            boolean prune = lastLogged.size() > MAX_NAMES;
            Writer.QUEUE.offer(() -> {
                LOG.log(System.Logger.Level.WARNING, line);
                if (prune) {
                    long t = System.nanoTime();
                    lastLogged.values().removeIf(v -> t - v >= intervalNanos);
                }
            });
        } catch (RuntimeException e) {
            // never into the carrier
        }
    }

    /** The one thread that writes the lines (started on first use; a daemon). */
    private static final class Writer {
        static final BlockingQueue<Runnable> QUEUE = new ArrayBlockingQueue<>(1024);

        static {
            Thread t = new Thread(Writer::run, "weft-metrics-log");
            t.setDaemon(true);
            t.start();
        }

        private static void run() {
            for (;;) {
                try {
                    QUEUE.take().run();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    // a failing logger loses one line
                }
            }
        }
    }
}
