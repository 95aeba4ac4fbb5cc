package dev.weft.core;

import org.junit.jupiter.api.RepeatedTest;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The lifecycle calls that wait, called from an interrupted thread or interrupted while they wait:
 * {@link WeftRuntime#shutdown(Duration)} and an executor's {@code close()}. Neither may hang,
 * throw, or swallow the interrupt.
 */
class ShutdownInterruptTest {

    /** A task that parks until interrupted (by cancellation), then ends at once. */
    private static Task<Void> parkUntilCancelled(WeftRuntime rt, CountDownLatch parked, AtomicBoolean sawInterrupt) {
        return rt.spawn("parked", () -> {
            parked.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                sawInterrupt.set(true);
                throw e;
            }
            return null;
        });
    }

    /**
     * shutdown from a thread interrupted before the call: it does not wait out the timeout; it
     * cancels the task, lets it end within the grace period (so the report lists it as cancelled,
     * not stuck), and returns with the caller's interrupt status still set.
     */
    @RepeatedTest(5)
    void shutdownFromAnInterruptedThread() throws Exception {
        WeftRuntime rt = WeftRuntime.builder().name("int-before").carriers(1).build();
        CountDownLatch parked = new CountDownLatch(1);
        AtomicBoolean sawInterrupt = new AtomicBoolean();
        Task<Void> t = parkUntilCancelled(rt, parked, sawInterrupt);
        assertTrue(parked.await(10, TimeUnit.SECONDS), "the task did not start");
        long start = System.nanoTime();
        Thread.currentThread().interrupt();
        ShutdownReport report;
        try {
            report = rt.shutdown(Duration.ofSeconds(60));
        } finally {
            assertTrue(Thread.interrupted(), "shutdown swallowed the caller's interrupt");
        }
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(tookMs < 30_000, "shutdown waited out its timeout although interrupted: " + tookMs + " ms");
        assertTrue(rt.isClosed());
        assertTrue(report.stuck().isEmpty(), "a task that ends on cancellation was reported stuck: " + report);
        assertTrue(report.cancelled().stream().anyMatch(i -> i.name().equals("parked")), report.toString());
        assertThrows(java.util.concurrent.CancellationException.class, () -> t.join(Duration.ofSeconds(10)));
        assertTrue(sawInterrupt.get());
        assertEquals(0, rt.liveTasks());
    }

    /** Interrupted while shutdown waits for a task: the same, from the moment of the interrupt. */
    @RepeatedTest(5)
    void shutdownInterruptedWhileWaiting() throws Exception {
        WeftRuntime rt = WeftRuntime.builder().name("int-during").carriers(1).build();
        CountDownLatch parked = new CountDownLatch(1);
        AtomicBoolean sawInterrupt = new AtomicBoolean();
        Task<Void> t = parkUntilCancelled(rt, parked, sawInterrupt);
        assertTrue(parked.await(10, TimeUnit.SECONDS), "the task did not start");
        AtomicReference<ShutdownReport> report = new AtomicReference<>();
        AtomicBoolean interruptedAfter = new AtomicBoolean();
        Thread closer = Thread.ofPlatform().start(() -> {
            report.set(rt.shutdown(Duration.ofSeconds(60)));
            interruptedAfter.set(Thread.currentThread().isInterrupted());
        });
        TestSupport.awaitParked(closer);
        assertFalse(t.isDone(), "shutdown cancelled the task before its timeout");
        closer.interrupt();
        assertTrue(closer.join(Duration.ofSeconds(30)), "shutdown did not return after the interrupt");
        assertTrue(interruptedAfter.get(), "shutdown swallowed the interrupt");
        assertNotNull(report.get());
        assertTrue(report.get().stuck().isEmpty(), "a task that ends on cancellation was reported stuck: " + report.get());
        assertTrue(report.get().cancelled().stream().anyMatch(i -> i.name().equals("parked")), report.get().toString());
        assertThrows(java.util.concurrent.CancellationException.class, () -> t.join(Duration.ofSeconds(10)));
        assertTrue(sawInterrupt.get());
    }

    /**
     * An executor's close() from an interrupted thread (ExecutorService.close's contract): it
     * shuts down, and on the interrupt stops the running commands as shutdownNow does, waits for
     * them to end, and returns with the interrupt status set. The runtime stays open.
     */
    @RepeatedTest(5)
    void executorCloseFromAnInterruptedThread() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("exec-int").carriers(1).build()) {
            ExecutorService ex = rt.newExecutor();
            AtomicBoolean commandInterrupted = startCommandThatWaitsForInterrupt(ex);
            Thread.currentThread().interrupt();
            try {
                ex.close();
            } finally {
                assertTrue(Thread.interrupted(), "close() swallowed the caller's interrupt");
            }
            assertTrue(ex.isTerminated());
            assertTrue(commandInterrupted.get(), "close() did not interrupt the running command");
            assertFalse(rt.isClosed());
        }
    }

    /** An executor's close() interrupted while it waits: the same, from the moment of the interrupt. */
    @RepeatedTest(5)
    void executorCloseInterruptedWhileWaiting() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("exec-int-during").carriers(1).build()) {
            ExecutorService ex = rt.newExecutor();
            AtomicBoolean commandInterrupted = startCommandThatWaitsForInterrupt(ex);
            AtomicBoolean interruptedAfter = new AtomicBoolean();
            Thread closer = Thread.ofPlatform().start(() -> {
                ex.close();
                interruptedAfter.set(Thread.currentThread().isInterrupted());
            });
            TestSupport.awaitParked(closer);
            assertFalse(commandInterrupted.get(), "close() interrupted the command before being interrupted");
            closer.interrupt();
            assertTrue(closer.join(Duration.ofSeconds(30)), "close() did not return after the interrupt");
            assertTrue(interruptedAfter.get(), "close() swallowed the interrupt");
            assertTrue(ex.isTerminated());
            assertTrue(commandInterrupted.get(), "close() did not interrupt the running command");
        }
    }
    /**
     * liveTaskInfos from an interrupted thread still lists the tasks (carrier mode reads each
     * carrier's list on its carrier, a bounded wait that used to give up, empty, when interrupted)
     * and keeps the caller's interrupt status.
     */
    @RepeatedTest(3)
    void liveTaskInfosFromAnInterruptedThread() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("infos").carriers(2).build()) {
            CountDownLatch parked = new CountDownLatch(1);
            Task<Void> t = parkUntilCancelled(rt, parked, new AtomicBoolean());
            assertTrue(parked.await(10, TimeUnit.SECONDS), "the task did not start");
            Thread.currentThread().interrupt();
            java.util.List<TaskInfo> infos;
            try {
                infos = rt.liveTaskInfos();
            } finally {
                assertTrue(Thread.interrupted(), "liveTaskInfos swallowed the caller's interrupt");
            }
            assertTrue(infos.stream().anyMatch(i -> i.id() == t.id()), "the parked task is missing: " + infos);
            t.cancel();
        }
    }

    /** Runs a command on {@code ex} that waits until interrupted; returns once it runs. */
    private static AtomicBoolean startCommandThatWaitsForInterrupt(ExecutorService ex) throws InterruptedException {
        CountDownLatch running = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        ex.execute(() -> {
            running.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
        });
        assertTrue(running.await(10, TimeUnit.SECONDS), "the command did not start");
        return interrupted;
    }
}
