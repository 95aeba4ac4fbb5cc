package dev.weft.core.spi;

import dev.weft.core.SchedulerMode;
import dev.weft.core.ShutdownReport;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.RepeatedTest;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Threads made by {@link RuntimeAccess#newTaskThread} (what a {@code StructuredTaskScope}'s
 * forks are): their body runs as a task of the runtime across parks, the task is found from its
 * thread, a long slice is reported under the thread's name, and a thread still parked when the
 * runtime has stopped can finish.
 */
class FactoryThreadTaskTest {
    private static final CancellationSource NEVER = () -> false;

    /** Joins {@code t} for at most 10 s. */
    private static void joinWithin10s(Thread t) throws InterruptedException {
        assertTrue(t.join(Duration.ofSeconds(10)), "thread " + t + " did not end within 10 s");
    }

    @RepeatedTest(5)
    void bodyRunsAsATaskOfItsRuntimeAcrossParks() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().carriers(2).build()) {
            AtomicReference<List<Object>> seen = new AtomicReference<>();
            CancellationSource source = () -> false;
            Thread t = RuntimeAccess.newTaskThread(rt, "factory-1", () -> {
                Object before = WeftRuntime.current();
                for (int i = 0; i < 20; i++) {
                    Parking.parkNanos(this, 100_000); // each wake-up schedules the thread again
                }
                seen.set(List.of(before, WeftRuntime.current(), Thread.currentThread().getName(),
                        RuntimeAccess.currentCancellationSource()));
            }, source);
            t.start();
            joinWithin10s(t);
            List<Object> s = seen.get();
            assertSame(rt, s.get(0), "WeftRuntime.current() before parking");
            assertSame(rt, s.get(1), "WeftRuntime.current() after parking");
            assertEquals("factory-1", s.get(2));
            assertSame(source, s.get(3), "the task's cancellation source");
        }
    }

    /**
     * A worker that ends a spawned task takes the next queued task start; a factory thread's
     * run queued behind it is no task start, and runs on its own thread.
     */
    @RepeatedTest(5)
    void aWorkerDoesNotTakeAFactoryThreadsRunForATask() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().carriers(1).build()) {
            AtomicReference<Thread> ranOn = new AtomicReference<>();
            Thread factory = rt.run(() -> {
                dev.weft.core.Task<Void> spawned = rt.spawn(() -> null); // queued first
                Thread f = RuntimeAccess.newTaskThread(rt, "factory-queued",
                        () -> ranOn.set(Thread.currentThread()), NEVER);
                f.start(); // queued behind the spawned task's start
                spawned.join();
                return f;
            });
            joinWithin10s(factory);
            assertSame(factory, ranOn.get(), "the factory thread's body ran on " + ranOn.get());
        }
    }

    @RepeatedTest(3)
    void aLongSliceIsReportedUnderTheThreadsName() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().carriers(1).slowSliceThreshold(Duration.ofMillis(5)).build()) {
            assumeTrue(rt.schedulerMode() == SchedulerMode.CARRIER, "slices are measured by carriers");
            List<String> names = new CopyOnWriteArrayList<>();
            CountDownLatch reported = new CountDownLatch(2);
            RuntimeAccess.onSlowSlice(rt, (carrier, nanos, name) -> {
                names.add(name);
                reported.countDown();
            });
            Thread t = RuntimeAccess.newTaskThread(rt, "factory-slow", () -> {
                spin(Duration.ofMillis(20)); // the first slice
                Parking.parkNanos(this, 1_000_000);
                spin(Duration.ofMillis(20)); // a later one, after the thread was scheduled again
            }, NEVER);
            t.start();
            joinWithin10s(t);
            assertTrue(reported.await(10, TimeUnit.SECONDS), "slow slices reported: " + names);
            assertEquals(List.of("factory-slow", "factory-slow"), names);
        }
    }

    private static void spin(Duration d) {
        long end = System.nanoTime() + d.toNanos();
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    @RepeatedTest(3)
    void aThreadParkedWhenTheRuntimeStopsCanStillFinish() throws Exception {
        WeftRuntime rt = WeftRuntime.builder().carriers(1).build();
        CountDownLatch parked = new CountDownLatch(1);
        var release = new java.util.concurrent.atomic.AtomicBoolean();
        AtomicReference<String> finishedOn = new AtomicReference<>();
        Thread t = RuntimeAccess.newTaskThread(rt, "factory-stuck", () -> {
            parked.countDown();
            while (!release.get()) {
                LockSupport.park();
                Thread.interrupted(); // swallows the shutdown's cancellation: an uninterruptible wait
            }
            finishedOn.set(Thread.currentThread().getName());
        }, NEVER);
        t.start();
        assertTrue(parked.await(10, TimeUnit.SECONDS), "the thread did not start");
        ShutdownReport report = rt.shutdown(Duration.ofMillis(50));
        assertEquals("factory-stuck", report.stuck().get(0).name(), report.toString());
        release.set(true);
        LockSupport.unpark(t); // its carrier has stopped: the thread is run elsewhere
        joinWithin10s(t);
        assertEquals("factory-stuck", finishedOn.get());
    }
}
