package dev.weft.fs;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.FileInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.weft.fs.FsTesting.await;
import static dev.weft.fs.FsTesting.awaitIdle;
import static dev.weft.fs.FsTesting.fifo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The per-runtime cap: many concurrent file operations queue (parked tasks), never more than the cap run on the pool. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FsConcurrencyTest {
    static WeftRuntime rt;
    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("fs-cap").carriers(2).build();
    }

    @AfterAll
    static void stop() {
        rt.shutdown(Duration.ofSeconds(5));
    }

    /** Ten operations that block in the kernel with a cap of 4: exactly 4 run, 6 wait; all finish once unblocked. */
    @Test
    void blockedOperationsQueueBehindTheCap() throws Exception {
        Fs.setMaxInFlight(rt, 4);
        try {
            int n = 10;
            List<Path> fifos = new ArrayList<>();
            List<Task<Void>> tasks = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Path p = fifo(dir.resolve("p" + i));
                fifos.add(p);
                tasks.add(rt.spawn(() -> {
                    Fs.write(p, new byte[] {42});   // open for write blocks until a reader comes
                    return null;
                }));
            }
            await("4 running, 6 queued", Duration.ofSeconds(10),
                    () -> Fs.stats(rt).inFlight() == 4 && Fs.stats(rt).queued() == 6);
            assertEquals(4, RuntimeAccess.stats(rt).blockingBusy(), "the pool runs only the capped jobs");
            // One reader thread per FIFO, all at once: a reader of a queued writer waits for it.
            List<Thread> readers = new ArrayList<>();
            List<byte[]> got = java.util.Collections.synchronizedList(new ArrayList<>());
            for (Path p : fifos) {
                readers.add(Thread.ofPlatform().start(() -> {
                    try (FileInputStream in = new FileInputStream(p.toFile())) {
                        got.add(in.readAllBytes());
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
            for (Thread r : readers) {
                r.join();
            }
            assertEquals(n, got.size());
            for (byte[] b : got) {
                assertArrayEquals(new byte[] {42}, b);
            }
            for (Task<Void> t : tasks) {
                t.join();
            }
            assertTrue(Fs.stats(rt).peakInFlight() <= 4, "peak " + Fs.stats(rt).peakInFlight());
            awaitIdle(rt);
        } finally {
            Fs.setMaxInFlight(rt, 64);
        }
    }

    /** A storm of 2,000 mixed operations from 500 tasks with a cap of 8: never more than 8 on the pool, all correct. */
    @Test
    void stormNeverExceedsTheCap() throws Exception {
        WeftRuntime storm = WeftRuntime.builder().name("fs-storm").carriers(4).build();
        try {
            Fs.setMaxInFlight(storm, 8);
            // Contents large enough that pool jobs last a while and overlap.
            String[] content = new String[100];
            for (int i = 0; i < 100; i++) {
                content[i] = "file " + i + "-".repeat(100_000);
                Files.writeString(dir.resolve("f" + i), content[i]);
            }
            AtomicBoolean sampling = new AtomicBoolean(true);
            AtomicInteger maxBusy = new AtomicInteger();
            Thread sampler = Thread.ofPlatform().start(() -> {
                while (sampling.get()) {
                    maxBusy.accumulateAndGet(RuntimeAccess.stats(storm).blockingBusy(), Math::max);
                    Thread.onSpinWait();
                }
            });
            List<Task<Integer>> tasks = new ArrayList<>();
            for (int t = 0; t < 500; t++) {
                int id = t;
                tasks.add(storm.spawn(() -> {
                    int ok = 0;
                    for (int k = 0; k < 4; k++) {
                        int i = (id * 4 + k) % 100;
                        Path f = dir.resolve("f" + i);
                        switch (k) {
                            case 0 -> ok += Fs.readString(f).equals(content[i]) ? 1 : 0;
                            case 1 -> ok += Fs.metadata(f).size() == content[i].length() ? 1 : 0;
                            case 2 -> {
                                Path mine = dir.resolve("t" + id);
                                Fs.write(mine, new byte[] {(byte) id});
                                ok += Fs.readAllBytes(mine)[0] == (byte) id ? 1 : 0;
                            }
                            default -> ok += Fs.exists(f) ? 1 : 0;
                        }
                    }
                    return ok;
                }));
            }
            int total = 0;
            for (Task<Integer> t : tasks) {
                total += t.join();
            }
            sampling.set(false);
            sampler.join();
            assertEquals(2000, total);
            FsStats s = Fs.stats(storm);
            assertTrue(s.peakInFlight() <= 8, "peak in flight " + s.peakInFlight());
            assertTrue(s.peakInFlight() >= 2, "operations did overlap: " + s.peakInFlight());
            // The pool's own busy count brackets a little more than our job (its wrapper), so a
            // job that just gave its slot back may still count for an instant beside its successor.
            assertTrue(maxBusy.get() <= 2 * 8, "pool busy peaked at " + maxBusy.get());
            // 2,500 calls: one pool job each, except readAllBytes on io_uring: its open and reads are
            // ring requests (each passed the cap) or, with the file in the caches, calls made on
            // the carrier that cannot block (no slot: noWaitOps); its close is not waited for.
            awaitIdle(storm);
            FsStats end = Fs.stats(storm);
            assertEquals(end.poolOps() + end.uringOps(), end.completed());
            assertTrue(end.completed() + end.noWaitOps() >= 2500, "completed " + end);
        } finally {
            storm.shutdown(Duration.ofSeconds(5));
        }
    }

    /** The cap is validated. */
    @Test
    void capIsValidated() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Fs.setMaxInFlight(rt, 0));
        assertEquals("max must be >= 1, was 0", e.getMessage());
    }
}
