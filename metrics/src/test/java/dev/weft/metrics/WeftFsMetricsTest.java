package dev.weft.metrics;

import dev.weft.core.WeftRuntime;
import dev.weft.fs.FileHandle;
import dev.weft.fs.Fs;
import dev.weft.fs.FsBackend;
import io.micrometer.core.instrument.FunctionTimer;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fs meters exist with the documented names and tags, and follow real file operations on both paths. */
@Timeout(60)
class WeftFsMetricsTest {
    @TempDir
    Path dir;

    static double count(SimpleMeterRegistry r, String name) {
        return r.get(name).tag("runtime", "fsm").functionCounter().count();
    }

    static FunctionTimer ops(SimpleMeterRegistry r, String path) {
        return r.get("weft.fs.ops").tags("runtime", "fsm", "path", path).functionTimer();
    }

    @Test
    void metersFollowFileOperations() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("fsm").carriers(1).closeTimeout(Duration.ofSeconds(2)).build()) {
            SimpleMeterRegistry reg = new SimpleMeterRegistry();
            WeftFsMetrics.of(rt, Tags.of("app", "test")).bindTo(reg);
            WeftFsMetrics.of(rt, Tags.of("app", "test")).bindTo(reg); // twice: nothing new
            List<String> names = List.of("weft.fs.ops.inflight", "weft.fs.ops.queued", "weft.fs.ops.failed",
                    "weft.fs.bytes.read", "weft.fs.bytes.written", "weft.fs.bytes.zerocopy", "weft.fs.ops.nowait", "weft.fs.bytes.direct");
            for (String n : names) {
                assertTrue(reg.get(n).tags("runtime", "fsm", "app", "test").meter().getId().getBaseUnit() != null, n);
            }
            assertEquals(names.size() + 2 + FsBackend.values().length, reg.getMeters().size(), "binding twice registered nothing new");
            FsBackend backend = Fs.backend(rt);
            assertEquals(1.0, reg.get("weft.fs.backend").tags("runtime", "fsm", "backend", backend.label()).gauge().value());

            double pool0 = ops(reg, "blocking-pool").count();
            double uring0 = ops(reg, "io_uring").count();
            Path f = dir.resolve("m");
            byte[] data = new byte[100_000];
            rt.run(() -> {
                try (FileHandle h = FileHandle.open(f, READ, WRITE, CREATE_NEW)) {
                    h.writeAt(0, data, 0, data.length);
                    h.readExactAt(0, new byte[data.length], 0, data.length);
                }
                return null;
            });
            assertThrows(java.nio.file.NoSuchFileException.class, () -> rt.run(() -> Fs.readAllBytes(dir.resolve("missing"))));
            assertTrue(count(reg, "weft.fs.bytes.written") >= data.length);
            assertTrue(count(reg, "weft.fs.bytes.read") >= data.length);
            assertTrue(count(reg, "weft.fs.ops.failed") >= 1, "the failed open is counted");
            assertTrue(ops(reg, "blocking-pool").count() > pool0, "open and close ran on the pool");
            if (backend == FsBackend.IO_URING) {
                assertTrue(ops(reg, "io_uring").count() >= uring0 + 2, "the read and write were io_uring requests");
                assertTrue(ops(reg, "io_uring").totalTime(TimeUnit.NANOSECONDS) > 0);
            } else {
                assertEquals(uring0, ops(reg, "io_uring").count());
            }
            assertEquals(0.0, reg.get("weft.fs.ops.inflight").tag("runtime", "fsm").gauge().value());
        }
    }

    /**
     * "The meters hold the runtime weakly ... a runtime that is gone reads NaN": a scrape must not
     * make the fs module keep a closed runtime (which never touched a file) reachable.
     */
    @Test
    void closedRuntimeIsNotKeptAlive() throws Exception {
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        java.lang.ref.WeakReference<WeftRuntime> ref = boundScrapedAndClosed(reg);
        Await.until("the closed runtime to be collected (the fs meters must hold it weakly)", () -> {
            System.gc();
            return ref.get() == null;
        });
        assertTrue(Double.isNaN(reg.get("weft.fs.ops.inflight").tag("runtime", "fs-gc").gauge().value()), "a runtime that is gone reads NaN");
    }

    private static java.lang.ref.WeakReference<WeftRuntime> boundScrapedAndClosed(SimpleMeterRegistry reg) {
        WeftRuntime rt = WeftRuntime.builder().name("fs-gc").carriers(1).build();
        WeftFsMetrics.of(rt).bindTo(reg);
        reg.getMeters().forEach(m -> m.measure().forEach(ms -> ms.getValue()));   // a scrape
        rt.shutdown(Duration.ofSeconds(5));
        return new java.lang.ref.WeakReference<>(rt);
    }
}
