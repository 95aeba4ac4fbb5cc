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
import java.util.concurrent.CompletableFuture;
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

    /**
     * An exception from an executed command goes to its own thread's handler, not to one that an
     * earlier command installed on the worker thread it ran on (the default handler gets it here).
     */
    @RepeatedTest(5)
    void executeExceptionDoesNotReachAnEarlierCommandsHandler() throws Exception {
        try (WeftRuntime one = WeftRuntime.builder().name("exec-handlers").carriers(1).build()) {
            List<Throwable> misrouted = java.util.Collections.synchronizedList(new ArrayList<>());
            try (ExecutorService ex = one.newExecutor()) {
                ex.submit(() -> Thread.currentThread().setUncaughtExceptionHandler((t, e) -> misrouted.add(e)))
                        .get(10, TimeUnit.SECONDS);
                ex.execute(() -> {
                    throw new QuietFailure("thrown by the second command (expected on stderr)");
                });
            } // close(): the second command and its handler call have finished
            assertEquals(List.of(), misrouted, "the first command's handler got the second command's exception");
        }
    }

    /** A failure without a stack trace, so the default handler's report is one line. */
    private static final class QuietFailure extends RuntimeException {
        QuietFailure(String message) {
            super(message, null, false, false);
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

    /**
     * Weft.newExecutor called on a carrier's own thread (a Netty handler on the runtime's event
     * loop) makes an executor of that runtime, as Weft.spawn and WeftRuntime.current() take it
     * there; not one of the shared runtime.
     */
    @Test
    void newExecutorOnACarrierThreadRunsOnThatRuntime() throws Exception {
        CompletableFuture<String> unbounded = new CompletableFuture<>();
        CompletableFuture<String> bounded = new CompletableFuture<>();
        dev.weft.core.spi.RuntimeAccess.eventLoopGroup(rt).next().execute(() -> {
            try {
                ExecutorService ex = Weft.newExecutor();
                ex.execute(() -> unbounded.complete(WeftRuntime.current().name()));
                ex.shutdown();
                ExecutorService ex2 = Weft.newExecutor(2);
                ex2.execute(() -> bounded.complete(WeftRuntime.current().name()));
                ex2.shutdown();
            } catch (Throwable e) {
                unbounded.completeExceptionally(e);
                bounded.completeExceptionally(e);
            }
        });
        assertEquals("exec", unbounded.get(10, TimeUnit.SECONDS), "Weft.newExecutor() on a carrier thread");
        assertEquals("exec", bounded.get(10, TimeUnit.SECONDS), "Weft.newExecutor(2) on a carrier thread");
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
     * Submits to {@code ex} a command that blocks until the runtime's cancellation interrupts it
     * (filling a bound of 1), and returns its future once it has started.
     */
    static Future<String> submitUntilCancelled(ExecutorService ex) throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        Future<String> running = ex.submit(() -> {
            started.countDown();
            new CountDownLatch(1).await(); // until the runtime's cancellation interrupts it
            return "never";
        });
        assertTrue(started.await(10, TimeUnit.SECONDS), "the first command did not start");
        return running;
    }

    /**
     * In a bounded executor, commands still waiting for the bound when the runtime closes can
     * never be spawned: they are dropped, their futures cancelled, and the executor terminates.
     */
    @RepeatedTest(10)
    void runtimeShutdownDropsCommandsWaitingForTheBound() throws Exception {
        WeftRuntime own = WeftRuntime.builder().name("exec-bounded-closing").carriers(1).build();
        ExecutorService ex = own.newExecutor(1);
        Future<String> running = submitUntilCancelled(ex);
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

    // ---- JSR-166 TCK style ----------------------------------------------------------------------

    /** invokeAll and invokeAny refuse a collection holding null, before running anything. */
    @Test
    void nullElementsRejected() {
        try (ExecutorService ex = rt.newExecutor()) {
            // invokeAny submits lazily, so the first task must still be running when it reaches the null.
            CountDownLatch never = new CountDownLatch(1);
            List<Callable<String>> withNull = Arrays.asList(() -> { never.await(); return "a"; }, null);
            assertThrows(NullPointerException.class, () -> ex.invokeAll(withNull));
            assertThrows(NullPointerException.class, () -> ex.invokeAll(withNull, 10, TimeUnit.SECONDS));
            assertThrows(NullPointerException.class, () -> ex.invokeAny(withNull));
            assertThrows(NullPointerException.class, () -> ex.invokeAny(withNull, 10, TimeUnit.SECONDS));
            List<Callable<String>> onlyNull = Arrays.asList((Callable<String>) null);
            assertThrows(NullPointerException.class, () -> ex.invokeAny(onlyNull));
            assertThrows(NullPointerException.class, () -> ex.invokeAll(onlyNull));
            assertThrows(NullPointerException.class, () -> ex.submit((Runnable) null));
            assertThrows(NullPointerException.class, () -> ex.submit(null, "r"));
            ex.shutdownNow(); // interrupts the latch-waiting tasks invokeAny left behind, if any
        }
    }

    /** A null TimeUnit throws NullPointerException. */
    @Test
    void nullTimeUnitRejected() {
        try (ExecutorService ex = rt.newExecutor()) {
            List<Callable<String>> tasks = List.of(() -> "a");
            assertThrows(NullPointerException.class, () -> ex.invokeAll(tasks, 1, null));
            assertThrows(NullPointerException.class, () -> ex.invokeAny(tasks, 1, null));
            assertThrows(NullPointerException.class, () -> ex.awaitTermination(1, null));
            Future<String> f = ex.submit(() -> "a");
            assertThrows(NullPointerException.class, () -> f.get(1, null));
        }
    }

    /** invokeAll of nothing returns an empty list; invokeAny of nothing is an IllegalArgumentException. */
    @Test
    void emptyCollections() throws Exception {
        try (ExecutorService ex = rt.newExecutor()) {
            assertEquals(List.of(), ex.invokeAll(List.of()));
            assertEquals(List.of(), ex.invokeAll(List.of(), 10, TimeUnit.MILLISECONDS));
            assertThrows(IllegalArgumentException.class, () -> ex.invokeAny(List.of(), 10, TimeUnit.MILLISECONDS));
        }
    }

    /** After shutdown every way to submit is rejected; after shutdownNow too. */
    @Test
    void submissionsAfterShutdownRejected() throws Exception {
        ExecutorService ex = rt.newExecutor();
        ex.shutdown();
        assertThrows(RejectedExecutionException.class, () -> ex.submit(() -> "x"));
        assertThrows(RejectedExecutionException.class, () -> ex.submit(() -> { }));
        assertThrows(RejectedExecutionException.class, () -> ex.invokeAll(List.of(() -> "x")));
        assertThrows(RejectedExecutionException.class, () -> ex.invokeAny(List.of(() -> "x")));
        ExecutorService now = rt.newExecutor(2);
        assertEquals(List.of(), now.shutdownNow());
        assertTrue(now.isShutdown());
        assertThrows(RejectedExecutionException.class, () -> now.execute(() -> { }));
        assertTrue(now.awaitTermination(10, TimeUnit.SECONDS));
    }

    /** shutdownNow on the unbounded executor interrupts every running command; none is returned. */
    @RepeatedTest(10)
    void shutdownNowInterruptsAllRunning() throws Exception {
        ExecutorService ex = rt.newExecutor();
        int n = 8;
        CountDownLatch started = new CountDownLatch(n);
        CountDownLatch interrupted = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            ex.execute(() -> {
                started.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
            });
        }
        assertTrue(started.await(10, TimeUnit.SECONDS), "commands did not start");
        assertEquals(List.of(), ex.shutdownNow(), "all were running: nothing to return");
        assertTrue(interrupted.await(10, TimeUnit.SECONDS), interrupted.getCount() + " commands were not interrupted");
        assertTrue(ex.awaitTermination(10, TimeUnit.SECONDS));
    }

    /**
     * shutdownNow racing the start of a command: either the command is returned (and never
     * runs), or it runs and is interrupted. A command that runs uninterrupted waits its full
     * 10 s and then says so. (With a yield between the state change and the thread's record,
     * the old order fails this within a few hundred iterations.)
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
            // A varying head start, so shutdownNow lands before, during and after the start.
            long until = System.nanoTime() + java.util.concurrent.ThreadLocalRandom.current().nextLong(100_000);
            while (System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            List<Runnable> returned = ex.shutdownNow();
            assertTrue(ex.awaitTermination(15, TimeUnit.SECONDS), "iteration " + i + ": not terminated");
            assertFalse(missed.get(), "iteration " + i + ": a running command missed shutdownNow's interrupt");
            if (returned.contains(command)) {
                assertFalse(ran.get(), "iteration " + i + ": a command returned by shutdownNow ran");
            }
        }
    }

    /** Future.cancel(true) interrupts the running command; get then throws CancellationException. */
    @RepeatedTest(10)
    void cancelTrueInterrupts() throws Exception {
        try (ExecutorService ex = rt.newExecutor()) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch interrupted = new CountDownLatch(1);
            Future<?> f = ex.submit(() -> {
                started.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    interrupted.countDown();
                }
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            assertTrue(f.cancel(true));
            assertTrue(interrupted.await(10, TimeUnit.SECONDS), "cancel(true) did not interrupt the command");
            assertTrue(f.isCancelled());
            assertTrue(f.isDone());
            assertThrows(CancellationException.class, f::get);
            assertFalse(f.cancel(true), "a second cancel has no effect");
        }
    }

    /** invokeAny returns the first success and cancels (interrupts) the tasks still running. */
    @RepeatedTest(10)
    void invokeAnyCancelsTheLosers() throws Exception {
        try (ExecutorService ex = rt.newExecutor()) {
            CountDownLatch loserStarted = new CountDownLatch(1);
            CountDownLatch loserInterrupted = new CountDownLatch(1);
            Callable<String> loser = () -> {
                loserStarted.countDown();
                try {
                    new CountDownLatch(1).await();
                } catch (InterruptedException e) {
                    loserInterrupted.countDown();
                    throw e;
                }
                return "loser";
            };
            Callable<String> winner = () -> {
                assertTrue(loserStarted.await(10, TimeUnit.SECONDS)); // the loser is surely running
                return "winner";
            };
            assertEquals("winner", ex.invokeAny(List.of(loser, winner)));
            assertTrue(loserInterrupted.await(10, TimeUnit.SECONDS), "invokeAny left a loser running");
        }
    }

    /** Timed invokeAny returns a success within the time; timed invokeAll of quick tasks completes all. */
    @Test
    void timedInvokeSucceeds() throws Exception {
        try (ExecutorService ex = rt.newExecutor(2)) {
            assertEquals("ok", ex.invokeAny(List.of(() -> { throw new Exception("a"); }, () -> "ok"), 10, TimeUnit.SECONDS));
            ExecutionException all = assertThrows(ExecutionException.class,
                    () -> ex.invokeAny(List.of(() -> { throw new Exception("only"); }), 10, TimeUnit.SECONDS));
            assertEquals("only", all.getCause().getMessage());
            List<Callable<Integer>> tasks = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int v = i;
                tasks.add(() -> {
                    if (v == 7) {
                        throw new IllegalStateException("seven");
                    }
                    return v;
                });
            }
            List<Future<Integer>> fs = ex.invokeAll(tasks, 10, TimeUnit.SECONDS);
            assertEquals(20, fs.size());
            for (int i = 0; i < 20; i++) {
                Future<Integer> f = fs.get(i);
                assertTrue(f.isDone());
                assertFalse(f.isCancelled(), "finished within the time: not cancelled");
                if (i == 7) {
                    ExecutionException e = assertThrows(ExecutionException.class, f::get);
                    assertEquals("seven", e.getCause().getMessage());
                } else {
                    assertEquals(i, f.get());
                }
            }
        }
    }

    /**
     * Weft.newExecutor(n) never runs more than n commands at once, and does reach n. The first n
     * commands park until all n run at once (bounded: a bound below n shows as a lower maximum),
     * so a missing bound would let the others start then.
     */
    @RepeatedTest(5)
    void boundIsRespected() throws Exception {
        int bound = 3;
        AtomicInteger now = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        CountDownLatch firstWave = new CountDownLatch(bound);
        rt.run(() -> {
            try (ExecutorService ex = Weft.newExecutor(bound)) {
                for (int i = 0; i < 60; i++) {
                    ex.execute(() -> {
                        max.accumulateAndGet(now.incrementAndGet(), Math::max);
                        try {
                            firstWave.countDown();
                            firstWave.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            throw new AssertionError(e);
                        } finally {
                            now.decrementAndGet();
                        }
                        done.incrementAndGet();
                    });
                }
            }
            return null;
        });
        assertEquals(60, done.get());
        assertTrue(max.get() <= bound, "ran " + max.get() + " at once with a bound of " + bound);
        assertEquals(bound, max.get(), "the bound should be reached with 60 parked commands");
        assertThrows(IllegalArgumentException.class, () -> Weft.newExecutor(0));
        assertThrows(IllegalArgumentException.class, () -> Weft.newExecutor(-1));
    }

    /** awaitTermination: false on timeout, InterruptedException when interrupted, true once terminated. */
    @Test
    void awaitTerminationContract() throws Exception {
        ExecutorService ex = rt.newExecutor();
        CountDownLatch release = new CountDownLatch(1);
        ex.execute(() -> {
            try {
                release.await();
            } catch (InterruptedException ignored) {
                // released by shutdownNow at the end at the latest
            }
        });
        assertFalse(ex.awaitTermination(10, TimeUnit.MILLISECONDS), "not shut down: cannot terminate");
        ex.shutdown();
        assertFalse(ex.awaitTermination(0, TimeUnit.NANOSECONDS), "a command still runs");
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> ex.awaitTermination(10, TimeUnit.SECONDS));
        assertFalse(Thread.currentThread().isInterrupted());
        AtomicReference<Throwable> waiter = new AtomicReference<>();
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                ex.awaitTermination(1, TimeUnit.DAYS);
                waiter.set(new AssertionError("returned without interrupt"));
            } catch (Throwable e) {
                waiter.set(e);
            }
        });
        TestSupport.awaitParked(t);
        t.interrupt();
        t.join(Duration.ofSeconds(10));
        assertInstanceOf(InterruptedException.class, waiter.get(), "interrupted while waiting");
        release.countDown();
        assertTrue(ex.awaitTermination(Long.MAX_VALUE, TimeUnit.DAYS), "terminates; a huge timeout is fine");
        assertTrue(ex.isTerminated());
    }

    /** Future.get: timed get times out, interrupt throws InterruptedException, a result comes back. */
    @Test
    void futureGetContract() throws Exception {
        try (ExecutorService ex = rt.newExecutor()) {
            CountDownLatch release = new CountDownLatch(1);
            Future<String> f = ex.submit(() -> {
                release.await();
                return "v";
            });
            assertThrows(TimeoutException.class, () -> f.get(10, TimeUnit.MILLISECONDS));
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, f::get);
            assertFalse(f.isDone(), "interrupting the caller does not affect the command");
            release.countDown();
            assertEquals("v", f.get(10, TimeUnit.SECONDS));
            assertEquals("v", f.get(0, TimeUnit.NANOSECONDS), "a done future answers even a zero wait");
        }
    }

    /**
     * invokeAny returns (with the failure) when the runtime closes under it: the task it still
     * waits for is dropped and counts as failed. It waited forever before: the JDK's invokeAny
     * wraps each future, and a dropped wrapper queued the inner future as done without running it.
     */
    @Test
    void invokeAnyReturnsWhenItsRuntimeClosesUnderIt() throws Exception {
        WeftRuntime own = WeftRuntime.builder().name("invokeany-close").carriers(1).build();
        ExecutorService ex = own.newExecutor(1);
        CountDownLatch aStarted = new CountDownLatch(1);
        Callable<String> a = () -> {
            aStarted.countDown();
            new CountDownLatch(1).await(); // until cancelled
            return "a";
        };
        Callable<String> b = () -> "b"; // queued behind a: the executor runs one at a time
        AtomicReference<Object> outcome = new AtomicReference<>();
        CountDownLatch returned = new CountDownLatch(1);
        Thread caller = Thread.ofPlatform().daemon(true).start(() -> {
            try {
                outcome.set(ex.invokeAny(List.of(a, b)));
            } catch (Throwable e) {
                outcome.set(e);
            }
            returned.countDown();
        });
        assertTrue(aStarted.await(10, TimeUnit.SECONDS), "a did not start");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (caller.getState() != Thread.State.WAITING) { // both submitted, invokeAny waits for one
            assertTrue(System.nanoTime() - deadline < 0, "invokeAny did not start waiting; " + caller.getState());
            Thread.onSpinWait();
        }
        own.shutdown(Duration.ZERO);
        boolean ok = returned.await(10, TimeUnit.SECONDS);
        if (!ok) {
            caller.interrupt();
        }
        assertTrue(ok, "invokeAny still waited 10 s after its runtime closed: " + Arrays.toString(caller.getStackTrace()));
        assertInstanceOf(ExecutionException.class, outcome.get(), "no task completed: the failure is reported");
    }
}
