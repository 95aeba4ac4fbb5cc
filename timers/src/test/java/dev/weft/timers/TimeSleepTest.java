package dev.weft.timers;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static dev.weft.timers.TimersTestSupport.await;
import static dev.weft.timers.TimersTestSupport.awaitParked;
import static dev.weft.timers.TimersTestSupport.pendingTimers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Time#sleep} and {@link Time#sleepUntil} on the system clock. */
class TimeSleepTest {
    static WeftRuntime rt;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("sleep-test").carriers(2).build();
    }

    @AfterAll
    static void stop() {
        rt.close();
    }

    /** A task's sleep lasts at least the duration. */
    @Test
    void sleepsAtLeastTheDurationInATask() throws Exception {
        long elapsed = rt.run(() -> {
            long t0 = System.nanoTime();
            Time.sleep(Duration.ofMillis(30));
            return System.nanoTime() - t0;
        });
        assertTrue(elapsed >= TimeUnit.MILLISECONDS.toNanos(30), "slept only " + elapsed + " ns");
    }

    /**
     * A task that ignores its runtime's shutdown and sleeps after the runtime has stopped (its
     * carrier's wheel is gone) still sleeps for the whole duration, with no exception: the sleep
     * falls back to the JDK's timed park (see {@link Time}'s class comment).
     */
    @Test
    void aTaskThatOutlivesItsRuntimeStillSleepsTheDuration() throws Exception {
        WeftRuntime doomed = WeftRuntime.builder().name("doomed").carriers(1).build();
        java.util.concurrent.CountDownLatch cancelled = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);
        CompletableFuture<Long> slept = new CompletableFuture<>();
        doomed.spawn("stubborn", () -> {
            try {
                try {
                    Time.sleep(Duration.ofDays(1));
                } catch (InterruptedException e) {
                    cancelled.countDown();   // ignored: the task goes on
                }
                while (!stopped.await(10, TimeUnit.SECONDS)) {
                    // the runtime has not stopped yet
                }
                long t0 = System.nanoTime();
                Time.sleep(Duration.ofMillis(200));
                slept.complete(System.nanoTime() - t0);
            } catch (Throwable e) {
                slept.completeExceptionally(e);
            }
            return null;
        });
        var report = doomed.shutdown(Duration.ofMillis(50));
        assertTrue(cancelled.await(10, TimeUnit.SECONDS), "the shutdown interrupted the sleeping task");
        assertFalse(report.isClean(), "the task that ignored the cancellation is reported: " + report);
        stopped.countDown();
        long nanos = slept.get(10, TimeUnit.SECONDS);
        assertTrue(nanos >= TimeUnit.MILLISECONDS.toNanos(200), "slept only " + nanos + " ns after its runtime stopped");
    }

    /** Outside any runtime the sleep still lasts at least the duration. */
    @Test
    void sleepsAtLeastTheDurationOnAPlatformThread() throws Exception {
        long t0 = System.nanoTime();
        Time.sleep(Duration.ofMillis(20));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(20));
    }

    /** Many concurrent sleepers each sleep at least their own duration. */
    @Test
    void concurrentSleepersEachSleepTheirDuration() throws Exception {
        rt.run(() -> {
            var tasks = new java.util.ArrayList<Task<Long>>();
            for (int i = 0; i < 200; i++) {
                int ms = 1 + i % 40;
                tasks.add(rt.spawn(() -> {
                    long t0 = System.nanoTime();
                    Time.sleep(Duration.ofMillis(ms));
                    long el = System.nanoTime() - t0;
                    assertTrue(el >= TimeUnit.MILLISECONDS.toNanos(ms), "slept " + el + " ns for " + ms + " ms");
                    return el;
                }));
            }
            for (Task<Long> t : tasks) {
                t.join();
            }
            return null;
        });
        await("all sleep timers gone", () -> pendingTimers(rt) == 0);
    }

    /** A negative or zero duration does not sleep, as Thread.sleep(Duration). */
    @Test
    void negativeAndZeroDoNotSleep() throws Exception {
        rt.run(() -> {
            Time.sleep(Duration.ofSeconds(-5));
            Time.sleep(Duration.ZERO);
            Time.sleepUntil(Instant.now().minusSeconds(10));
            Time.sleepUntil(Deadline.after(Duration.ofSeconds(-1)));
            return null;
        });
        Time.sleep(Duration.ofDays(-1));
    }

    /** Interrupted on entry: InterruptedException at once, interrupt status cleared. */
    @Test
    void interruptedBefore() throws Exception {
        rt.run(() -> {
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, () -> Time.sleep(Duration.ofHours(1)));
            assertFalse(Thread.currentThread().isInterrupted());
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, () -> Time.sleep(Duration.ofSeconds(-1)));
            return null;
        });
    }

    /** Interrupted while sleeping: wakes with InterruptedException and the timer is removed. */
    @Test
    void interruptedDuring() throws Exception {
        CompletableFuture<Thread> sleeper = new CompletableFuture<>();
        Task<String> t = rt.spawn(() -> {
            sleeper.complete(Thread.currentThread());
            try {
                Time.sleep(Duration.ofMinutes(10));
                return "woke normally";
            } catch (InterruptedException e) {
                return Thread.currentThread().isInterrupted() ? "still interrupted" : "interrupted";
            }
        });
        Thread th = sleeper.get(10, TimeUnit.SECONDS);
        awaitParked(th);
        await("the sleep's timer to be armed", () -> pendingTimers(rt) >= 1);
        th.interrupt();
        assertEquals("interrupted", t.join(Duration.ofSeconds(10)));
        await("the sleep's timer to be removed", () -> pendingTimers(rt) == 0);
    }

    /** Task.cancel() ends a sleep (cancellation is interruption). */
    @Test
    void cancelledDuring() throws Exception {
        CompletableFuture<Thread> sleeper = new CompletableFuture<>();
        Task<Void> t = rt.spawn(() -> {
            sleeper.complete(Thread.currentThread());
            Time.sleep(Duration.ofMinutes(10));
            return null;
        });
        awaitParked(sleeper.get(10, TimeUnit.SECONDS));
        assertTrue(t.cancel());
        assertThrows(java.util.concurrent.CancellationException.class, () -> t.join(Duration.ofSeconds(10)));
    }

    /** Spurious wake-ups (unpark) do not end the sleep early. */
    @Test
    void spuriousWakeupsAreAbsorbed() throws Exception {
        CompletableFuture<Thread> sleeper = new CompletableFuture<>();
        Task<Long> t = rt.spawn(() -> {
            sleeper.complete(Thread.currentThread());
            long t0 = System.nanoTime();
            Time.sleep(Duration.ofMillis(100));
            return System.nanoTime() - t0;
        });
        Thread th = sleeper.get(10, TimeUnit.SECONDS);
        while (!t.isDone()) {
            java.util.concurrent.locks.LockSupport.unpark(th);
            Thread.yield();
        }
        long el = t.join();
        assertTrue(el >= TimeUnit.MILLISECONDS.toNanos(100), "slept only " + el + " ns");
    }

    /** sleepUntil(Deadline) returns once the deadline has passed. */
    @Test
    void sleepUntilDeadline() throws Exception {
        rt.run(() -> {
            Deadline d = Deadline.after(Duration.ofMillis(25));
            Time.sleepUntil(d);
            assertTrue(d.isExpired());
            return null;
        });
    }

    /** A null duration is rejected. */
    @Test
    void nullRejected() {
        assertThrows(NullPointerException.class, () -> Time.sleep(null));
        assertThrows(NullPointerException.class, () -> Time.sleepUntil((Instant) null));
        assertThrows(NullPointerException.class, () -> Time.sleepUntil((Deadline) null));
    }
}
