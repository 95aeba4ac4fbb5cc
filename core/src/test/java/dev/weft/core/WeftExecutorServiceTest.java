package dev.weft.core;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The ExecutorService contract of {@link WeftRuntime#newExecutor()}, case by case as the JSR-166
 * TCK checks ThreadPoolExecutor.
 */
class WeftExecutorServiceTest {
    static WeftRuntime rt;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("exec").carriers(2).build();
    }

    @AfterAll
    static void stop() {
        rt.close();
    }

    /** execute runs the command on a virtual thread. */
    @Test
    void executeRuns() throws Exception {
        try (ExecutorService ex = rt.newExecutor()) {
            CountDownLatch ran = new CountDownLatch(1);
            ex.execute(() -> {
                assertTrue(Thread.currentThread().isVirtual());
                ran.countDown();
            });
            assertTrue(ran.await(10, TimeUnit.SECONDS));
        }
    }

    /** submit(Callable), submit(Runnable, result) and submit(Runnable) complete their futures. */
    @Test
    void submitVariants() throws Exception {
        try (ExecutorService ex = rt.newExecutor()) {
            assertEquals("v", ex.submit(() -> "v").get());
            assertEquals(7, ex.submit(() -> { }, 7).get());
            assertNull(ex.submit(() -> { }).get());
            Future<Object> failing = ex.submit(() -> { throw new IllegalStateException("x"); });
            ExecutionException e = assertThrows(ExecutionException.class, failing::get);
            assertInstanceOf(IllegalStateException.class, e.getCause());
        }
    }

    /** Null tasks throw NullPointerException. */
    @Test
    void nullsRejected() {
        try (ExecutorService ex = rt.newExecutor()) {
            assertThrows(NullPointerException.class, () -> ex.execute(null));
            assertThrows(NullPointerException.class, () -> ex.submit((Callable<?>) null));
            assertThrows(NullPointerException.class, () -> ex.invokeAll(null));
            assertThrows(NullPointerException.class, () -> ex.invokeAny(null));
        }
    }

    /** After shutdown new tasks are rejected, running ones complete, then it terminates. */
    @Test
    void shutdownRejectsAndDrains() throws Exception {
        ExecutorService ex = rt.newExecutor();
        CountDownLatch release = new CountDownLatch(1);
        Future<String> running = ex.submit(() -> { release.await(); return "done"; });
        assertFalse(ex.isShutdown());
        ex.shutdown();
        assertTrue(ex.isShutdown());
        assertFalse(ex.isTerminated());
        assertThrows(RejectedExecutionException.class, () -> ex.execute(() -> { }));
        assertFalse(ex.awaitTermination(20, TimeUnit.MILLISECONDS), "still running");
        release.countDown();
        assertTrue(ex.awaitTermination(10, TimeUnit.SECONDS));
        assertTrue(ex.isTerminated());
        assertEquals("done", running.get());
    }

    /** shutdown of an idle executor terminates at once; awaitTermination(0) then returns true. */
    @Test
    void idleShutdownTerminates() throws Exception {
        ExecutorService ex = rt.newExecutor();
        ex.shutdown();
        assertTrue(ex.isTerminated());
        assertTrue(ex.awaitTermination(0, TimeUnit.SECONDS));
        ex.shutdown(); // idempotent
    }

    /** shutdownNow interrupts running tasks and returns the never-started ones. */
    @Test
    void shutdownNowInterruptsAndReturnsQueued() throws Exception {
        ExecutorService ex = rt.newExecutor(1);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        ex.execute(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
        started.await();
        Runnable queuedA = () -> fail("must never run");
        Runnable queuedB = () -> fail("must never run");
        ex.execute(queuedA);
        ex.execute(queuedB);
        List<Runnable> never = ex.shutdownNow();
        assertEquals(List.of(queuedA, queuedB), never);
        assertTrue(interrupted.await(10, TimeUnit.SECONDS));
        assertTrue(ex.awaitTermination(10, TimeUnit.SECONDS));
    }

    /** The bounded variant never runs more than its limit at once, and runs everything. */
    @Test
    void boundedConcurrency() throws Exception {
        AtomicInteger now = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        try (ExecutorService ex = rt.newExecutor(3)) {
            for (int i = 0; i < 200; i++) {
                ex.execute(() -> {
                    int n = now.incrementAndGet();
                    max.accumulateAndGet(n, Math::max);
                    Thread.yield();
                    now.decrementAndGet();
                    done.incrementAndGet();
                });
            }
        }
        assertEquals(200, done.get());
        assertTrue(max.get() <= 3, "max concurrency " + max.get());
        assertThrows(IllegalArgumentException.class, () -> rt.newExecutor(0));
    }

    /** invokeAll returns completed futures in order. */
    @Test
    void invokeAll() throws Exception {
        try (ExecutorService ex = rt.newExecutor()) {
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                int v = i;
                tasks.add(() -> v);
            }
            List<Future<Integer>> fs = ex.invokeAll(tasks);
            for (int i = 0; i < 50; i++) {
                assertTrue(fs.get(i).isDone());
                assertEquals(i, fs.get(i).get());
            }
            List<Future<Integer>> timed = ex.invokeAll(List.of(() -> 1, () -> {
                new CountDownLatch(1).await();
                return 2;
            }), 50, TimeUnit.MILLISECONDS);
            assertEquals(1, timed.get(0).get());
            assertTrue(timed.get(1).isCancelled(), "timed invokeAll cancels unfinished tasks");
        }
    }

    /** invokeAny returns a successful result; if all fail, ExecutionException; timed form times out. */
    @Test
    void invokeAny() throws Exception {
        try (ExecutorService ex = rt.newExecutor()) {
            assertEquals("ok", ex.invokeAny(List.of(() -> { throw new Exception("a"); }, () -> "ok")));
            assertThrows(ExecutionException.class,
                    () -> ex.invokeAny(List.of(() -> { throw new Exception("a"); }, () -> { throw new Exception("b"); })));
            assertThrows(TimeoutException.class, () -> ex.invokeAny(List.<Callable<String>>of(() -> {
                new CountDownLatch(1).await();
                return "never";
            }), 30, TimeUnit.MILLISECONDS));
            assertThrows(IllegalArgumentException.class, () -> ex.invokeAny(List.of()));
        }
    }

    /** An exception from an executed command reaches the uncaught exception handler. */
    @Test
    void executeExceptionReachesHandler() throws Exception {
        try (ExecutorService ex = rt.newExecutor()) {
            CountDownLatch handled = new CountDownLatch(1);
            ex.execute(() -> {
                Thread.currentThread().setUncaughtExceptionHandler((t, e) -> {
                    if (e.getMessage().equals("boom")) {
                        handled.countDown();
                    }
                });
                throw new IllegalStateException("boom");
            });
            assertTrue(handled.await(10, TimeUnit.SECONDS));
        }
    }

    /** close() waits for submitted work; the runtime stays open. */
    @Test
    void closeWaits() throws Exception {
        AtomicInteger done = new AtomicInteger();
        ExecutorService ex = rt.newExecutor();
        for (int i = 0; i < 100; i++) {
            ex.execute(() -> {
                try {
                    Thread.sleep(Duration.ofMillis(5));
                } catch (InterruptedException e) {
                    return;
                }
                done.incrementAndGet();
            });
        }
        ex.close();
        assertEquals(100, done.get());
        assertTrue(ex.isTerminated());
        assertFalse(rt.isClosed());
    }

    /** Weft.newExecutor works outside any runtime, on the shared runtime. */
    @Test
    void sharedExecutor() throws Exception {
        try (ExecutorService ex = Weft.newExecutor()) {
            assertEquals("weft-shared", ex.submit(() -> WeftRuntime.current().name()).get());
        }
    }

    /** An executor whose runtime closed rejects new work. */
    @Test
    void runtimeClosedRejects() {
        WeftRuntime other = WeftRuntime.builder().carriers(1).build();
        ExecutorService ex = other.newExecutor();
        other.close();
        assertThrows(RejectedExecutionException.class, () -> ex.execute(() -> { }));
        ex.shutdown();
        assertTrue(ex.isTerminated());
    }

    // ---- the runtime shuts down under the executor ----------------------------------------------

    /**
     * In a bounded executor, commands still waiting for the bound when the runtime closes can
     * never be spawned: they are dropped, their futures cancelled, and the executor terminates.
     */
    @RepeatedTest(10)
    void runtimeShutdownDropsCommandsWaitingForTheBound() throws Exception {
        WeftRuntime own = WeftRuntime.builder().name("exec-bounded-closing").carriers(1).build();
        ExecutorService ex = own.newExecutor(1);
        CountDownLatch started = new CountDownLatch(1);
        Future<String> running = ex.submit(() -> {
            started.countDown();
            new CountDownLatch(1).await(); // until the runtime's cancellation interrupts it
            return "never";
        });
        assertTrue(started.await(10, TimeUnit.SECONDS), "the first command did not start");
        AtomicInteger ran = new AtomicInteger();
        List<Future<?>> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiting.add(ex.submit(ran::incrementAndGet));
        }
        ShutdownReport report = own.shutdown(Duration.ZERO);
        assertEquals(1, report.cancelled().size(), report.toString());
        ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(10, TimeUnit.SECONDS));
        assertInstanceOf(InterruptedException.class, e.getCause());
        for (Future<?> f : waiting) {
            try {
                f.get(10, TimeUnit.SECONDS);
                fail("a command queued behind the bound ran after its runtime closed");
            } catch (CancellationException expected) {
                // dropped
            } catch (TimeoutException hung) {
                fail("a command queued when the runtime closed was neither run nor cancelled: its get() hangs");
            }
        }
        assertEquals(0, ran.get());
        assertThrows(RejectedExecutionException.class, () -> ex.execute(() -> { }), "the runtime is closed");
        ex.shutdown();
        assertTrue(ex.awaitTermination(10, TimeUnit.SECONDS), "the executor did not terminate");
        ex.close();
    }

    /**
     * A command that waited for the bound runs with its submitter's task-locals, not those of the
     * command whose end let it start (which started it, from its own task).
     */
    @RepeatedTest(10)
    void queuedCommandsSeeTheirSubmittersTaskLocals() throws Exception {
        TaskLocal<String> who = TaskLocal.newInstance();
        try (ExecutorService ex = rt.newExecutor(1)) {
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch started = new CountDownLatch(1);
            Future<String> first = TaskLocal.where(who, "first").call(() -> ex.submit(() -> {
                started.countDown();
                release.await();
                return who.get();
            }));
            assertTrue(started.await(10, TimeUnit.SECONDS), "the first command did not start");
            Future<String> second = TaskLocal.where(who, "second").call(() -> ex.submit(() -> who.orElse("unbound")));
            Future<String> third = ex.submit(() -> who.orElse("unbound"));
            release.countDown();
            assertEquals("first", first.get(10, TimeUnit.SECONDS));
            assertEquals("second", second.get(10, TimeUnit.SECONDS), "a queued command must see its submitter's binding");
            assertEquals("unbound", third.get(10, TimeUnit.SECONDS), "a command submitted with no binding must see none");
        }
    }

    /**
     * shutdownNow racing the start of a command: either the command is returned (and never
     * runs), or it runs and is interrupted. A command that runs uninterrupted would wait its
     * full 10 s, which the bounded awaitTermination reports.
     */
    @Test
    void shutdownNowRacingAStartNeverMissesTheInterrupt() throws Exception {
        for (int i = 0; i < 2000; i++) {
            ExecutorService ex = rt.newExecutor();
            AtomicBoolean ran = new AtomicBoolean();
            AtomicBoolean missed = new AtomicBoolean();
            Runnable command = () -> {
                ran.set(true);
                try {
                    if (!new CountDownLatch(1).await(10, TimeUnit.SECONDS)) {
                        missed.set(true);
                    }
                } catch (InterruptedException expected) {
                    // shutdownNow reached it
                }
            };
            ex.execute(command);
            List<Runnable> returned = ex.shutdownNow();
            assertTrue(ex.awaitTermination(15, TimeUnit.SECONDS), "iteration " + i + ": not terminated");
            assertFalse(missed.get(), "iteration " + i + ": a running command missed shutdownNow's interrupt");
            if (returned.contains(command)) {
                assertFalse(ran.get(), "iteration " + i + ": a command returned by shutdownNow ran");
            }
        }
    }
}
