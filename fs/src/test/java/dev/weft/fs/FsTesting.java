package dev.weft.fs;

import dev.weft.core.WeftRuntime;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Helpers for the fs tests: FIFOs (files whose open, read and write block until the other end acts) and waits without sleeping. */
final class FsTesting {
    private FsTesting() {}

    /** Makes a named pipe at {@code p} ({@code mkfifo}); skips the test where there is none. */
    static Path fifo(Path p) throws IOException, InterruptedException {
        Process pr;
        try {
            pr = new ProcessBuilder("mkfifo", p.toString()).inheritIO().start();
        } catch (IOException e) {
            assumeTrue(false, "mkfifo not available: " + e);
            return p;
        }
        assumeTrue(pr.waitFor(10, TimeUnit.SECONDS) && pr.exitValue() == 0, "mkfifo failed");
        return p;
    }

    /** Spins (yielding, never sleeping) until {@code condition} holds; fails after {@code timeout}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting for " + what);
            Thread.yield();
        }
    }

    /** Waits until no file operation of {@code rt} runs or waits. */
    static void awaitIdle(WeftRuntime rt) {
        await("fs idle", Duration.ofSeconds(30), () -> Fs.stats(rt).inFlight() == 0 && Fs.stats(rt).queued() == 0);
        assertEquals(0, Fs.stats(rt).inFlight());
    }

    /**
     * Waits until some thread of this process sleeps in the kernel's FIFO open, waiting for the
     * other end ({@code /proc/self/task/N/wchan}); fails after {@code timeout}. Call
     * {@link #assumeFifoOpenVisible} first: some kernels do not name the function.
     */
    static void awaitThreadInFifoOpen(Duration timeout) {
        await("a thread waiting in a FIFO's open", timeout, FsTesting::someThreadInFifoOpen);
    }

    /** Skips the test where a thread waiting in a FIFO's open cannot be seen through {@code wchan}. */
    static void assumeFifoOpenVisible(Path scratchDir) throws Exception {
        assumeTrue(!someThreadInFifoOpen(), "another thread already waits in a FIFO open");
        Path p = fifo(scratchDir.resolve("wchan-probe.fifo"));
        Thread opener = Thread.ofPlatform().start(() -> {
            try (java.io.FileInputStream in = new java.io.FileInputStream(p.toFile())) {
                in.readAllBytes();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        boolean seen = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!seen && System.nanoTime() - deadline < 0) {
            seen = someThreadInFifoOpen();
            Thread.yield();
        }
        new java.io.FileOutputStream(p.toFile()).close();   // lets the probe's open finish
        opener.join();
        assumeTrue(seen, "wchan does not show a thread waiting in a FIFO open here");
    }

    private static boolean someThreadInFifoOpen() {
        try (java.util.stream.Stream<Path> tasks = java.nio.file.Files.list(Path.of("/proc/self/task"))) {
            return tasks.anyMatch(t -> {
                try {
                    String w = java.nio.file.Files.readString(t.resolve("wchan")).trim();
                    return w.equals("wait_for_partner") || w.equals("fifo_open");
                } catch (IOException | RuntimeException gone) {
                    return false;   // the thread ended meanwhile
                }
            });
        } catch (IOException e) {
            return false;
        }
    }
}
