package dev.weft.fs;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.InterruptedIOException;
import java.nio.channels.NonReadableChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static dev.weft.fs.FsTesting.awaitIdle;
import static java.nio.file.StandardOpenOption.CREATE;
import static java.nio.file.StandardOpenOption.DSYNC;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What an open leaves behind and what its options mean, on every backend:
 * <ul>
 *   <li>an open or a directory listing whose task is cancelled while its job waits for the
 *       blocking pool leaves no descriptor open once the job has run (before, one stayed open until
 *       the garbage collector ran, and io_uring's raw one for good);</li>
 *   <li>{@code DSYNC} holds for every write: no descriptor of the handle lacks it (io_uring's raw
 *       descriptor did);</li>
 *   <li>reading a handle opened only for writing throws {@link NonReadableChannelException}, as
 *       {@code FileChannel} does, on every backend (io_uring reported "Bad file descriptor").</li>
 * </ul>
 * Descriptors are counted in {@code /proc/self/fd}.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FsCancelledOpenAndOptionsTest {
    @TempDir
    Path dir;

    /** This process's descriptors open on {@code p}. */
    private static List<Integer> descriptorsOf(Path p) throws Exception {
        Path real = p.toRealPath();
        List<Integer> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : s.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).equals(real)) {
                        out.add(Integer.parseInt(fd.getFileName().toString()));
                    }
                } catch (Exception closedMeanwhile) {
                    // the descriptor went away while listing
                }
            }
        }
        return out;
    }

    interface Body {
        void run() throws Exception;
    }

    /**
     * Runs {@code body} in a task while the runtime's only blocking-pool thread is busy, so the
     * body's job waits in the pool's queue; cancels the task while it waits; then lets the job
     * run and waits until it has ended. Returns what the body threw.
     */
    private static Throwable cancelWhileQueued(WeftRuntime rt, Body body) throws Exception {
        CountDownLatch poolBusy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        rt.spawnBlocking(() -> {
            poolBusy.countDown();
            return release.await(30, TimeUnit.SECONDS);
        });
        assertTrue(poolBusy.await(10, TimeUnit.SECONDS), "the pool's thread did not start");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicReference<Thread> thread = new AtomicReference<>();
        Task<Void> t = rt.spawn(() -> {
            thread.set(Thread.currentThread());
            try {
                body.run();
            } catch (Throwable e) {
                thrown.set(e);
            }
            return null;
        });
        // Parked means parked in the join of its job: nothing before that parks.
        FsTesting.await("the task parked on its queued job", Duration.ofSeconds(10),
                () -> thread.get() != null && thread.get().getState() == Thread.State.WAITING);
        t.cancel();
        try {
            t.join(Duration.ofSeconds(10));
        } catch (CancellationException expected) {
            // the task was cancelled: that is the point
        }
        release.countDown();
        // One pool thread, jobs in order: once a job queued now has run, the dropped one has run
        // and ended (fs idle alone could be seen in the moment before the dropped job started).
        rt.spawnBlocking(() -> null).join(Duration.ofSeconds(10));
        awaitIdle(rt);
        return thrown.get();
    }

    @Test
    void aCancelledOpenLeavesNoDescriptor() throws Exception {
        Path f = dir.resolve("a.bin");
        Files.write(f, new byte[100]);
        try (WeftRuntime rt = WeftRuntime.builder().name("cancelled-open").carriers(1).blockingThreads(1).build()) {
            Throwable thrown = cancelWhileQueued(rt, () -> FileHandle.open(f, READ).close());
            assertInstanceOf(InterruptedIOException.class, thrown);
            assertEquals(List.of(), descriptorsOf(f), "descriptors the dropped open left on the file");
        }
    }

    @Test
    void aCancelledListingLeavesNoDescriptor() throws Exception {
        Path d = Files.createDirectory(dir.resolve("sub"));
        try (WeftRuntime rt = WeftRuntime.builder().name("cancelled-list").carriers(1).blockingThreads(1).build()) {
            Throwable thrown = cancelWhileQueued(rt, () -> Fs.list(d).close());
            assertInstanceOf(InterruptedIOException.class, thrown);
            assertEquals(List.of(), descriptorsOf(d), "descriptors the dropped listing left on the directory");
        }
    }

    @Test
    void everyDescriptorOfADsyncHandleIsDsync() throws Exception {
        Path f = dir.resolve("d.bin");
        try (WeftRuntime rt = WeftRuntime.builder().name("dsync").carriers(1).build()) {
            List<String> flags = rt.spawn(() -> {
                try (FileHandle h = FileHandle.open(f, CREATE, WRITE, DSYNC)) {
                    h.write(new byte[] {1, 2, 3});
                    List<String> out = new ArrayList<>();
                    for (int fd : descriptorsOf(f)) {
                        for (String line : Files.readAllLines(Path.of("/proc/self/fdinfo/" + fd))) {
                            if (line.startsWith("flags:")) {
                                out.add(fd + "=" + line.substring(6).trim());
                            }
                        }
                    }
                    return out;
                }
            }).join();
            assertFalse(flags.isEmpty(), "no descriptor found");
            for (String s : flags) {
                long octal = Long.parseLong(s.substring(s.indexOf('=') + 1), 8);
                assertTrue((octal & 010000) != 0, "a descriptor without O_DSYNC: " + flags);
            }
            assertEquals(3, Files.size(f));
        }
    }

    @Test
    void readingAWriteOnlyHandleThrowsNonReadableOnEveryBackend() throws Exception {
        Path f = dir.resolve("w.bin");
        Files.write(f, new byte[100]);
        int checked = 0;
        for (FsBackend b : FsBackend.values()) {
            if (b != FsBackend.BLOCKING_POOL && Fs.backendUnavailabilityCause() != null) {
                continue; // io_uring does not load here; the pool is always there
            }
            try (WeftRuntime rt = WeftRuntime.builder().name("write-only-" + b).carriers(1).build()) {
                if (b == FsBackend.BLOCKING_POOL) {
                    Fs.setBackend(rt, b);
                }
                List<Throwable> thrown = rt.spawn(() -> {
                    try (FileHandle h = FileHandle.open(f, WRITE)) {
                        List<Throwable> out = new ArrayList<>();
                        for (Body read : List.<Body>of(() -> h.readAt(0, new byte[16], 0, 16), () -> h.read(new byte[16]))) {
                            try {
                                read.run();
                                fail(b + ": a read of a write-only handle returned");
                            } catch (Throwable e) {
                                out.add(e);
                            }
                        }
                        return out;
                    }
                }).join();
                for (Throwable t : thrown) {
                    assertInstanceOf(NonReadableChannelException.class, t, b + ": " + t);
                }
                checked++;
            }
        }
        assumeTrue(checked > 0, "no backend here");
    }
}
