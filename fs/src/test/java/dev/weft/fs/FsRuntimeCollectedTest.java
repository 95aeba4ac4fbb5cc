package dev.weft.fs;

import dev.weft.core.Transport;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A runtime that did file I/O is garbage once closed and unreferenced: nothing in fs (its
 * per-runtime gate, the carriers' rings and lanes, caches) keeps it, or its carriers, alive.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FsRuntimeCollectedTest {
    @TempDir
    Path dir;

    enum Setup { IO_URING, BLOCKING_POOL, EPOLL }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void closedRuntimeIsCollected(Setup setup) throws Exception {
        if (setup == Setup.IO_URING) {
            assumeTrue(Fs.backendUnavailabilityCause() == null, "io_uring unavailable: " + Fs.backendUnavailabilityCause());
        }
        WeakReference<WeftRuntime> ref = useAndClose(setup, dir);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (ref.get() != null && System.nanoTime() - deadline < 0) {
            System.gc();
            Thread.onSpinWait();
        }
        assertNull(ref.get(), "a closed " + setup + " runtime that did file I/O was not collected within 15 s:"
                + " something still holds it strongly");
    }

    /** Builds a runtime, does file I/O of every kind from its tasks, closes it; returns only a weak reference. */
    private static WeakReference<WeftRuntime> useAndClose(Setup setup, Path dir) throws Exception {
        WeftRuntime.Builder b = WeftRuntime.builder().name("fs-gc-" + setup).carriers(2);
        if (setup == Setup.EPOLL) {
            b.transport(Transport.EPOLL);
        }
        WeftRuntime rt;
        try {
            rt = b.build();
        } catch (RuntimeException | LinkageError e) {
            assumeTrue(false, setup + " transport unavailable: " + e);
            return null;
        }
        try {
            if (setup == Setup.BLOCKING_POOL) {
                Fs.setBackend(rt, FsBackend.BLOCKING_POOL);
            }
            Path f = dir.resolve("f-" + setup);
            byte[] data = "hello, collector".getBytes(StandardCharsets.UTF_8);
            rt.run(() -> {
                Fs.write(f, data);
                assertArrayEquals(data, Fs.readAllBytes(f));
                try (FileHandle h = FileHandle.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    h.writeAt(0, data, 0, data.length);
                    byte[] back = new byte[data.length];
                    h.readExactAt(0, back, 0, back.length);
                    assertArrayEquals(data, back);
                    assertEquals(data.length, h.read(new byte[64]));
                }
                try (DirStream ds = Fs.list(dir)) {
                    int n = 0;
                    for (Path ignored : ds) {
                        n++;
                    }
                    assertEquals(1, n);
                }
                return null;
            });
            Fs.stats(rt);
        } finally {
            rt.shutdown(Duration.ofSeconds(5));
        }
        return new WeakReference<>(rt);
    }
}
