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
}
