package dev.weft.core;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.*;

/** Builder validation, shutdown protocol and its report, rejection after close. */
class RuntimeLifecycleTest {

    /** Out-of-range builder arguments name the parameter and the value. */
    @Test
    void builderRejectsBadArguments() {
        var b = WeftRuntime.builder();
        assertEquals("carriers must be in 1..1024, was 0",
                assertThrows(IllegalArgumentException.class, () -> b.carriers(0)).getMessage());
        assertEquals("blockingThreads must be in 1..32768, was -1",
                assertThrows(IllegalArgumentException.class, () -> b.blockingThreads(-1)).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.slowSliceThreshold(Duration.ZERO))
                .getMessage().startsWith("slowSliceThreshold must be > 0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> b.closeTimeout(Duration.ofSeconds(-1)))
                .getMessage().startsWith("closeTimeout must be >= 0"));
        assertThrows(IllegalArgumentException.class, () -> b.name(" "));
        assertThrows(IllegalArgumentException.class, () -> b.spillThreshold(0));
        assertThrows(NullPointerException.class, () -> b.transport(null));
    }

    /** The runtime reports what it runs on; NIO can always be forced. */
    @Test
    void propertiesAndForcedNio() {
        try (WeftRuntime rt = WeftRuntime.builder().name("props").carriers(3).transport(Transport.NIO).build()) {
            assertEquals(3, rt.carriers());
            assertEquals(Transport.NIO, rt.transport());
            assertEquals("props", rt.name());
            assertNotNull(rt.schedulerMode());
        }
    }

    /** AUTO resolves to a concrete transport. */
    @Test
    void autoTransportResolves() {
        try (WeftRuntime rt = WeftRuntime.builder().carriers(1).build()) {
            assertNotEquals(Transport.AUTO, rt.transport());
        }
    }

    /** Spawning on a closed runtime is rejected with the runtime's name. */
    @Test
    void spawnAfterCloseIsRejected() {
        WeftRuntime rt = WeftRuntime.builder().name("closed-one").carriers(1).build();
        rt.close();
        assertTrue(rt.isClosed());
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class, () -> rt.spawn(() -> 1));
        assertTrue(e.getMessage().contains("closed-one"), e.getMessage());
        assertThrows(RejectedExecutionException.class, () -> rt.spawnBlocking(() -> 1));
    }

    /** Shutdown waits for tasks that finish before the deadline and reports a clean stop. */
    @Test
    void shutdownWaitsForRunningTasks() throws Exception {
        WeftRuntime rt = WeftRuntime.builder().carriers(2).build();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Task<String> t = rt.spawn(() -> { started.countDown(); release.await(); return "finished"; });
        started.await();
        Thread releaser = Thread.ofVirtual().start(() -> {
            TestSupport.await("runtime closed", rt::isClosed);
            release.countDown();
        });
        ShutdownReport report = rt.shutdown(Duration.ofSeconds(10));
        releaser.join();
        assertTrue(report.isClean(), report.toString());
        assertEquals("finished", t.join());
    }

    /** Tasks still running at the deadline are cancelled and listed by name in the report. */
    @Test
    void shutdownCancelsLateTasks() throws Exception {
        WeftRuntime rt = WeftRuntime.builder().carriers(1).build();
        CountDownLatch started = new CountDownLatch(1);
        Task<Void> t = rt.spawn("sleeper", () -> { started.countDown(); new CountDownLatch(1).await(); return null; });
        started.await();
        ShutdownReport report = rt.shutdown(Duration.ofMillis(50));
        assertEquals(1, report.cancelled().size(), report.toString());
        assertEquals("sleeper", report.cancelled().get(0).name());
        assertTrue(report.stuck().isEmpty(), report.toString());
        assertThrows(CancellationException.class, t::join);
    }

    /** A task that ignores interruption cannot hang shutdown: it is listed as stuck. */
    @Test
    void shutdownNeverHangsOnUninterruptibleTask() throws Exception {
        WeftRuntime rt = WeftRuntime.builder().carriers(1).build();
        AtomicBoolean released = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        rt.spawn("stubborn", () -> {
            started.countDown();
            while (!released.get()) {
                LockSupport.park();
                Thread.interrupted(); // swallow cancellation: the worst case
            }
            return null;
        });
        started.await();
        long t0 = System.nanoTime();
        ShutdownReport report = rt.shutdown(Duration.ofMillis(50));
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(5).toNanos(), "shutdown took too long");
        assertEquals("stubborn", report.stuck().get(0).name(), report.toString());
        assertFalse(report.stuck().get(0).stack().isEmpty(), "the report says where it is stuck");
        released.set(true);
    }

    /** Shutdown called from inside a task does not wait for that task, and is idempotent. */
    @Test
    void shutdownFromInsideATask() throws Exception {
        WeftRuntime rt = WeftRuntime.builder().carriers(1).build();
        ShutdownReport inner = rt.spawn(() -> rt.shutdown(Duration.ofSeconds(5))).join();
        assertTrue(inner.isClean(), inner.toString());
        assertSame(inner, rt.shutdown(Duration.ofSeconds(1)));
    }

    /**
     * A shutdown called from a task of another runtime waits for this runtime's tasks up to the
     * timeout, as from any other thread: the caller is not one of the tasks to leave out (it was
     * taken for one, so the last running task was cancelled at once, before its timeout).
     */
    @RepeatedTest(20)
    void shutdownFromATaskOfAnotherRuntimeWaitsForTheTimeout() throws Exception {
        WeftRuntime target = WeftRuntime.builder().name("target").carriers(1).build();
        try (WeftRuntime caller = WeftRuntime.builder().name("caller").carriers(1).build()) {
            CountDownLatch started = new CountDownLatch(1);
            Task<Void> worker = target.spawn("worker", () -> {
                started.countDown();
                new CountDownLatch(1).await();
                return null;
            });
            started.await();
            Duration timeout = Duration.ofMillis(500);
            ShutdownReport report = caller.spawn(() -> target.shutdown(timeout)).join(Duration.ofSeconds(20));
            assertTrue(report.took().compareTo(timeout) >= 0,
                    "the worker was cancelled before the timeout: " + report);
            assertEquals(List.of("worker"), report.cancelled().stream().map(TaskInfo::name).toList(), report.toString());
            assertThrows(CancellationException.class, () -> worker.join(Duration.ofSeconds(10)));
        }
    }

    /**
     * The shared runtime, which timers, scopes and Weft.newExecutor use outside any runtime,
     * cannot be shut down, as ForkJoinPool.commonPool cannot: a close or shutdown of it (a
     * try-with-resources around it) cancels nothing and leaves it open (it closed it for the
     * whole process: every later spawn and executor submission was rejected).
     */
    @Test
    void theSharedRuntimeIgnoresShutdownAndClose() throws Exception {
        WeftRuntime shared = WeftRuntime.shared();
        CountDownLatch release = new CountDownLatch(1);
        Task<String> running = shared.spawn(() -> { release.await(); return "ran on"; });
        try (WeftRuntime rt = shared) {
            assertTrue(rt.shutdown(Duration.ZERO).isClean(), "nothing cancelled");
        }
        assertFalse(shared.isClosed());
        assertFalse(running.isDone(), "a task of the shared runtime was cancelled");
        release.countDown();
        assertEquals("ran on", running.join(Duration.ofSeconds(10)));
        assertEquals(42, shared.spawn(() -> 42).join(Duration.ofSeconds(10)));
        try (java.util.concurrent.ExecutorService ex = Weft.newExecutor()) {
            assertEquals(7, ex.submit(() -> 7).get(10, java.util.concurrent.TimeUnit.SECONDS));
        }
    }

    /** Live-task snapshots name the running tasks. */
    @Test
    void liveTaskInfos() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().carriers(1).build()) {
            CountDownLatch release = new CountDownLatch(1);
            Task<?> t = rt.spawn("visible", () -> { release.await(); return null; });
            TestSupport.await("task visible", () -> rt.liveTaskInfos().stream().anyMatch(i -> i.name().equals("visible")));
            assertEquals(1, rt.liveTasks());
            release.countDown();
            t.join();
        }
    }

    /** A runtime forced onto the JDK scheduler runs tasks and reports FALLBACK. */
    @Test
    void forcedFallbackWorks() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().carriers(1).forceFallbackScheduler(true).build()) {
            assertEquals(SchedulerMode.FALLBACK, rt.schedulerMode());
            assertEquals(3, rt.run(() -> Weft.spawn(() -> 1).join() + Weft.spawn(() -> 2).join()));
        }
    }

    /** The scheduler mode follows the JVM's flags: CARRIER with the add-opens, FALLBACK without. */
    @Test
    void schedulerModeFollowsFlags() {
        try (WeftRuntime rt = WeftRuntime.builder().carriers(1).build()) {
            SchedulerMode expected = Boolean.getBoolean("weft.expectFallback") ? SchedulerMode.FALLBACK : SchedulerMode.CARRIER;
            assertEquals(expected, rt.schedulerMode());
        }
    }

    /**
     * Timeouts too long to count in nanoseconds (Duration.toNanos() would throw ArithmeticException)
     * mean "as long as it takes"; very negative ones mean zero. The runtime stays usable and
     * closes normally.
     */
    @Test
    void hugeDurationsSaturate() throws Exception {
        Duration forever = Duration.ofSeconds(Long.MAX_VALUE);
        Duration never = Duration.ofSeconds(Long.MIN_VALUE);
        WeftRuntime rt = WeftRuntime.builder().carriers(1).closeTimeout(forever)
                .blockingKeepAlive(forever).slowSliceThreshold(forever).build();
        assertEquals(42, rt.spawn(() -> 42).join(forever));
        CountDownLatch release = new CountDownLatch(1);
        Task<String> later = rt.spawn(() -> { release.await(); return "later"; });
        assertThrows(TimeoutException.class, () -> later.join(never), "a negative timeout polls");
        Thread joiner = Thread.ofPlatform().start(() -> {
            try {
                assertEquals("later", later.join(forever));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        TestSupport.awaitParked(joiner);
        release.countDown();
        joiner.join(Duration.ofSeconds(10));
        assertFalse(joiner.isAlive(), "join(huge) did not return after the task ended");
        assertEquals("b", rt.spawnBlocking(() -> "b").join(forever));
        rt.close(); // closeTimeout(forever): no tasks, so it returns at once
        assertTrue(rt.isClosed());
        assertTrue(rt.shutdown(forever).isClean(), "later calls return the first report");

        WeftRuntime other = WeftRuntime.builder().carriers(1).build();
        assertTrue(other.shutdown(forever).isClean());
        WeftRuntime third = WeftRuntime.builder().carriers(1).build();
        CountDownLatch parked = new CountDownLatch(1);
        Task<Void> sleeper = third.spawn(() -> { parked.countDown(); new CountDownLatch(1).await(); return null; });
        parked.await();
        ShutdownReport r = third.shutdown(never);
        assertEquals(1, r.cancelled().size(), "a negative timeout cancels at once: " + r);
        assertThrows(CancellationException.class, () -> sleeper.join(Duration.ofSeconds(10)));
    }
}
