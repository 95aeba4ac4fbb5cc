package dev.weft.core;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The waiting methods of {@link WeftRuntime#newExecutor()} that the other executor tests do not
 * interrupt: {@code invokeAll} and {@code invokeAny} (timed and untimed), interrupted before the
 * call and while they wait. Each throws {@link InterruptedException} and leaves no command
 * running: the started ones are interrupted (cancelled), so the executor then terminates at once.
 * Also {@link Weft#yieldNow()}, which is not an interruption point.
 */
class ExecutorInterruptTest {
    static WeftRuntime rt;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("exec-interrupts").carriers(2).build();
    }

    @AfterAll
    static void stop() {
        assertTrue(rt.shutdown(Duration.ofSeconds(5)).isClean());
    }

    interface Invoke {
        Object call(ExecutorService ex, List<Callable<String>> jobs) throws Exception;
    }

    static final List<Invoke> INVOKES = List.of(
            ExecutorService::invokeAll,
            (ex, jobs) -> ex.invokeAll(jobs, 30, TimeUnit.SECONDS),
            ExecutorService::invokeAny,
            (ex, jobs) -> ex.invokeAny(jobs, 30, TimeUnit.SECONDS));
    static final List<String> NAMES = List.of("invokeAll", "invokeAll(timeout)", "invokeAny", "invokeAny(timeout)");

    /** Jobs that park until interrupted, counting starts and interrupts. */
    static List<Callable<String>> parkingJobs(int n, AtomicInteger started, AtomicInteger interrupted, CountDownLatch allStarted) {
        List<Callable<String>> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            jobs.add(() -> {
                started.incrementAndGet();
                allStarted.countDown();
                try {
                    new CountDownLatch(1).await();
                    return "not interrupted";
                } catch (InterruptedException e) {
                    interrupted.incrementAndGet();
                    throw e;
                }
            });
        }
        return jobs;
    }

    /** Checks nothing is left running: every started job was interrupted and the executor terminates. */
    static void assertNothingLeftRunning(String what, ExecutorService ex, AtomicInteger started, AtomicInteger interrupted)
            throws InterruptedException {
        ex.shutdown();
        assertTrue(ex.awaitTermination(10, TimeUnit.SECONDS), what + ": a command was left running");
        assertEquals(started.get(), interrupted.get(), what + ": started jobs that were not interrupted");
    }

    @RepeatedTest(3)
    void interruptedBefore() throws Exception {
        for (int k = 0; k < INVOKES.size(); k++) {
            ExecutorService ex = rt.newExecutor();
            AtomicInteger started = new AtomicInteger();
            AtomicInteger interrupted = new AtomicInteger();
            List<Callable<String>> jobs = parkingJobs(3, started, interrupted, new CountDownLatch(3));
            Thread.currentThread().interrupt();
            Invoke invoke = INVOKES.get(k);
            assertThrows(InterruptedException.class, () -> invoke.call(ex, jobs), NAMES.get(k) + " interrupted before");
            assertFalse(Thread.currentThread().isInterrupted(), NAMES.get(k) + ": status left set with the exception");
            assertNothingLeftRunning(NAMES.get(k) + " interrupted before", ex, started, interrupted);
        }
    }

    @RepeatedTest(3)
    void interruptedWhileWaiting() throws Exception {
        for (int k = 0; k < INVOKES.size(); k++) {
            ExecutorService ex = rt.newExecutor();
            AtomicInteger started = new AtomicInteger();
            AtomicInteger interrupted = new AtomicInteger();
            CountDownLatch allStarted = new CountDownLatch(3);
            List<Callable<String>> jobs = parkingJobs(3, started, interrupted, allStarted);
            Invoke invoke = INVOKES.get(k);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    invoke.call(ex, jobs);
                    thrown.set(new AssertionError("returned"));
                } catch (Throwable e) {
                    thrown.set(e);
                }
            });
            assertTrue(allStarted.await(10, TimeUnit.SECONDS), NAMES.get(k) + ": the jobs did not all start");
            TestSupport.awaitParked(caller);
            caller.interrupt();
            assertTrue(caller.join(Duration.ofSeconds(10)), NAMES.get(k) + " did not return after the interrupt");
            assertInstanceOf(InterruptedException.class, thrown.get(), NAMES.get(k) + " interrupted while waiting");
            assertNothingLeftRunning(NAMES.get(k) + " interrupted while waiting", ex, started, interrupted);
            assertEquals(3, interrupted.get(), NAMES.get(k) + ": the running jobs were not cancelled");
        }
    }

    /**
     * yieldNow is not an interruption point: an interrupted task yields (another task of its
     * carrier runs in between, in carrier mode), does not throw, and keeps its interrupt status.
     */
    @RepeatedTest(3)
    void yieldNowKeepsTheInterruptStatus() throws Exception {
        try (WeftRuntime one = WeftRuntime.builder().name("yield").carriers(1).build()) {
            List<String> order = one.run(() -> {
                List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
                Task<?> other = Weft.spawn(() -> log.add("other"));
                Thread.currentThread().interrupt();
                log.add("before");
                Weft.yieldNow();
                log.add("after, interrupted=" + Thread.interrupted());
                other.join();
                return log;
            });
            if (one.schedulerMode() == SchedulerMode.CARRIER) {
                assertEquals(List.of("before", "other", "after, interrupted=true"), order);
            } else {
                assertTrue(order.contains("after, interrupted=true"), order.toString());
            }
        }
    }
    /**
     * Future.get, untimed and timed, interrupted before (the command not done) and while waiting:
     * InterruptedException, status cleared, the command unaffected (it still completes and its
     * value is then returned even to an interrupted caller, as FutureTask.get does).
     */
    @RepeatedTest(3)
    void futureGetInterruptedBeforeAndWhileWaiting() throws Exception {
        for (boolean timed : new boolean[] {false, true}) {
            String what = timed ? "get(timeout)" : "get()";
            try (ExecutorService ex = rt.newExecutor()) {
                CountDownLatch release = new CountDownLatch(1);
                java.util.concurrent.Future<String> f = ex.submit(() -> {
                    assertTrue(release.await(30, TimeUnit.SECONDS));
                    return "v";
                });
                Callable<String> get = () -> timed ? f.get(30, TimeUnit.SECONDS) : f.get();
                Thread.currentThread().interrupt();
                assertThrows(InterruptedException.class, get::call, what + " interrupted before");
                assertFalse(Thread.currentThread().isInterrupted(), what + ": status left set with the exception");
                AtomicReference<Throwable> thrown = new AtomicReference<>();
                Thread caller = Thread.ofVirtual().start(() -> {
                    try {
                        get.call();
                        thrown.set(new AssertionError("returned"));
                    } catch (Throwable e) {
                        thrown.set(e);
                    }
                });
                TestSupport.awaitParked(caller);
                caller.interrupt();
                assertTrue(caller.join(Duration.ofSeconds(10)), what + " did not return after the interrupt");
                assertInstanceOf(InterruptedException.class, thrown.get(), what + " interrupted while waiting");
                assertFalse(f.isDone(), what + ": interrupting a caller affected the command");
                release.countDown();
                assertEquals("v", f.get(10, TimeUnit.SECONDS));
                Thread.currentThread().interrupt();
                try {
                    assertEquals("v", get.call(), what + ": a done future answers an interrupted caller");
                } finally {
                    assertTrue(Thread.interrupted(), what + " swallowed the interrupt status");
                }
            }
        }
    }
}
