package dev.weft.timers;

import dev.weft.core.WeftRuntime;
import dev.weft.timers.testing.WeftTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.weft.timers.TimersTestSupport.await;
import static dev.weft.timers.TimersTestSupport.pendingTimers;
import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link WheelScheduledExecutor} against the contract the JSR-166 TCK checks for
 * {@code ScheduledThreadPoolExecutor} (ScheduledExecutorTest, ScheduledExecutorSubclassTest):
 * one test per documented behaviour.
 */
class ScheduledExecutorTckTest {
    static final long LONG_DELAY_MS = 10_000;
    static WeftRuntime rt;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("ses-tck").carriers(2).build();
    }

    @AfterAll
    static void stop() {
        rt.close();
    }

    private static WheelScheduledExecutor newExecutor() {
        return Timers.newScheduledExecutor(rt);
    }

    private static void terminate(WheelScheduledExecutor p) throws InterruptedException {
        p.shutdownNow();
        assertTrue(p.awaitTermination(LONG_DELAY_MS, MILLISECONDS), "did not terminate: " + p);
    }

    /** execute runs the command. */
    @Test
    void testExecute() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        CountDownLatch done = new CountDownLatch(1);
        p.execute(done::countDown);
        assertTrue(done.await(LONG_DELAY_MS, MILLISECONDS));
        terminate(p);
    }

    /** A delayed callable runs after its delay and its future returns the value. */
    @Test
    void testSchedule1() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        long t0 = System.nanoTime();
        ScheduledFuture<Boolean> f = p.schedule(() -> Boolean.TRUE, 50, MILLISECONDS);
        assertSame(Boolean.TRUE, f.get(LONG_DELAY_MS, MILLISECONDS));
        assertTrue(System.nanoTime() - t0 >= MILLISECONDS.toNanos(50));
        assertTrue(f.isDone());
        assertFalse(f.isCancelled());
        terminate(p);
    }

    /** A delayed runnable runs after its delay; its future's value is null. */
    @Test
    void testSchedule3() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        long t0 = System.nanoTime();
        CountDownLatch done = new CountDownLatch(1);
        ScheduledFuture<?> f = p.schedule(done::countDown, 50, MILLISECONDS);
        assertNull(f.get(LONG_DELAY_MS, MILLISECONDS));
        assertEquals(0, done.getCount());
        assertTrue(System.nanoTime() - t0 >= MILLISECONDS.toNanos(50));
        terminate(p);
    }

    /** A negative delay means zero. */
    @Test
    void testScheduleNegativeDelay() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        assertEquals(1, p.schedule(() -> 1, -10, SECONDS).get(LONG_DELAY_MS, MILLISECONDS));
        terminate(p);
    }

    /** scheduleAtFixedRate runs repeatedly until cancelled. */
    @Test
    void testScheduleAtFixedRate() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        CountDownLatch three = new CountDownLatch(3);
        ScheduledFuture<?> f = p.scheduleAtFixedRate(three::countDown, 1, 5, MILLISECONDS);
        assertTrue(three.await(LONG_DELAY_MS, MILLISECONDS));
        assertTrue(f.cancel(true));
        assertTrue(f.isCancelled());
        assertThrows(CancellationException.class, f::get);
        terminate(p);
    }

    /** scheduleWithFixedDelay runs repeatedly until cancelled. */
    @Test
    void testScheduleWithFixedDelay() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        CountDownLatch three = new CountDownLatch(3);
        ScheduledFuture<?> f = p.scheduleWithFixedDelay(three::countDown, 1, 5, MILLISECONDS);
        assertTrue(three.await(LONG_DELAY_MS, MILLISECONDS));
        assertTrue(f.cancel(true));
        terminate(p);
    }

    /** Fixed rate keeps the original schedule (virtual time: exact). */
    @WeftTest
    void testFixedRateSequence(WeftRuntime vrt) throws Exception {
        WheelScheduledExecutor p = Timers.newScheduledExecutor(vrt);
        long t0 = Time.nanoTime();
        List<Long> at = new java.util.concurrent.CopyOnWriteArrayList<>();
        CountDownLatch four = new CountDownLatch(4);
        ScheduledFuture<?> f = p.scheduleAtFixedRate(() -> {
            at.add((Time.nanoTime() - t0) / 1_000_000);
            try {
                Time.sleep(Duration.ofMillis(30)); // shorter than the period: no delay accrues
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            four.countDown();
        }, 100, 100, MILLISECONDS);
        ScheduledFuture<?> stop = p.schedule(() -> f.cancel(false), 450, MILLISECONDS);
        stop.get();
        assertEquals(List.of(100L, 200L, 300L, 400L), at);
        p.shutdown();
    }

    /** Fixed delay counts from the end of each run (virtual time: exact). */
    @WeftTest
    void testFixedDelaySequence(WeftRuntime vrt) throws Exception {
        WheelScheduledExecutor p = Timers.newScheduledExecutor(vrt);
        long t0 = Time.nanoTime();
        List<Long> at = new java.util.concurrent.CopyOnWriteArrayList<>();
        ScheduledFuture<?> f = p.scheduleWithFixedDelay(() -> {
            at.add((Time.nanoTime() - t0) / 1_000_000);
            try {
                Time.sleep(Duration.ofMillis(30));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, 100, 100, MILLISECONDS);
        p.schedule(() -> f.cancel(false), 500, MILLISECONDS).get();
        assertEquals(List.of(100L, 230L, 360L, 490L), at);
        p.shutdown();
    }

    /** A fixed-rate run longer than the period delays the next; runs never overlap. */
    @WeftTest
    void testFixedRateNoOverlap(WeftRuntime vrt) throws Exception {
        WheelScheduledExecutor p = Timers.newScheduledExecutor(vrt);
        long t0 = Time.nanoTime();
        AtomicInteger concurrent = new AtomicInteger();
        List<Long> at = new java.util.concurrent.CopyOnWriteArrayList<>();
        ScheduledFuture<?> f = p.scheduleAtFixedRate(() -> {
            assertEquals(1, concurrent.incrementAndGet());
            at.add((Time.nanoTime() - t0) / 1_000_000);
            try {
                Time.sleep(Duration.ofMillis(150));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            concurrent.decrementAndGet();
        }, 0, 100, MILLISECONDS);
        p.schedule(() -> f.cancel(false), 500, MILLISECONDS).get();
        assertEquals(List.of(0L, 150L, 300L, 450L), at);
        p.shutdown();
    }

    /** Null arguments throw NullPointerException. */
    @Test
    void testNulls() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        assertThrows(NullPointerException.class, () -> p.schedule((Runnable) null, 1, SECONDS));
        assertThrows(NullPointerException.class, () -> p.schedule((Callable<?>) null, 1, SECONDS));
        assertThrows(NullPointerException.class, () -> p.schedule(() -> 1, 1, null));
        assertThrows(NullPointerException.class, () -> p.scheduleAtFixedRate(null, 1, 1, SECONDS));
        assertThrows(NullPointerException.class, () -> p.scheduleWithFixedDelay(null, 1, 1, SECONDS));
        assertThrows(NullPointerException.class, () -> p.execute(null));
        terminate(p);
    }

    /** A zero or negative period is rejected with its value. */
    @Test
    void testBadPeriods() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        Runnable r = () -> {};
        assertTrue(assertThrows(IllegalArgumentException.class, () -> p.scheduleAtFixedRate(r, 1, 0, SECONDS))
                .getMessage().contains("0"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> p.scheduleAtFixedRate(r, 1, -2, SECONDS))
                .getMessage().contains("-2"));
        assertThrows(IllegalArgumentException.class, () -> p.scheduleWithFixedDelay(r, 1, 0, SECONDS));
        assertThrows(IllegalArgumentException.class, () -> p.scheduleWithFixedDelay(r, 1, -1, SECONDS));
        terminate(p);
    }

    /** Every submission after shutdown is rejected. */
    @Test
    void testRejectAfterShutdown() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        p.shutdown();
        Runnable r = () -> {};
        assertThrows(RejectedExecutionException.class, () -> p.execute(r));
        assertThrows(RejectedExecutionException.class, () -> p.submit(r));
        assertThrows(RejectedExecutionException.class, () -> p.schedule(r, 1, SECONDS));
        assertThrows(RejectedExecutionException.class, () -> p.schedule(() -> 1, 1, SECONDS));
        assertThrows(RejectedExecutionException.class, () -> p.scheduleAtFixedRate(r, 1, 1, SECONDS));
        assertThrows(RejectedExecutionException.class, () -> p.scheduleWithFixedDelay(r, 1, 1, SECONDS));
        assertTrue(p.awaitTermination(LONG_DELAY_MS, MILLISECONDS));
    }

    /** Scheduling on a closed runtime throws RejectedExecutionException. */
    @Test
    void testClosedRuntimeRejects() {
        WeftRuntime closed = WeftRuntime.builder().name("closed").carriers(1).build();
        WheelScheduledExecutor p = Timers.newScheduledExecutor(closed);
        closed.close();
        assertThrows(RejectedExecutionException.class, () -> p.schedule(() -> 1, 1, SECONDS));
        assertEquals(0, p.queuedTaskCount());
    }

    /** getDelay is about the remaining delay and decreases; compareTo orders by time. */
    @Test
    void testGetDelayAndCompareTo() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        ScheduledFuture<?> late = p.schedule(() -> {}, 1, TimeUnit.HOURS);
        ScheduledFuture<?> early = p.schedule(() -> {}, 1, TimeUnit.MINUTES);
        long d1 = late.getDelay(MILLISECONDS);
        assertTrue(d1 > 59 * 60_000 && d1 <= 3_600_000, "delay " + d1);
        await("the delay to decrease", () -> late.getDelay(TimeUnit.NANOSECONDS) < TimeUnit.HOURS.toNanos(1) - 1000);
        assertTrue(early.compareTo(late) < 0);
        assertTrue(late.compareTo(early) > 0);
        assertEquals(0, late.compareTo(late));
        terminate(p);
    }

    /** cancel removes the task and its timer; it never runs. */
    @Test
    void testCancelRemovesTimer() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        AtomicInteger ran = new AtomicInteger();
        int before = pendingTimers(rt);
        ScheduledFuture<?> f = p.schedule(ran::incrementAndGet, 1, TimeUnit.HOURS);
        assertEquals(1, p.queuedTaskCount());
        assertTrue(f.cancel(false));
        assertFalse(f.cancel(false));
        assertTrue(f.isCancelled());
        assertTrue(f.isDone());
        assertEquals(0, p.queuedTaskCount());
        await("the timer to be removed", () -> pendingTimers(rt) <= before);
        assertThrows(CancellationException.class, f::get);
        assertEquals(0, ran.get());
        terminate(p);
    }

    /** A cancelled task never runs, even when its time has passed (virtual time). */
    @WeftTest
    void testCancelledNeverRuns(WeftRuntime vrt) throws Exception {
        WheelScheduledExecutor p = Timers.newScheduledExecutor(vrt);
        AtomicInteger ran = new AtomicInteger();
        ScheduledFuture<?> f = p.schedule(ran::incrementAndGet, 10, SECONDS);
        f.cancel(false);
        Time.sleep(Duration.ofSeconds(20));
        assertEquals(0, ran.get());
        p.shutdown();
        assertTrue(p.isTerminated());
    }

    /** A periodic task that throws stops repeating; its future completes with the exception. */
    @Test
    void testPeriodicTaskThrowingStops() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        AtomicInteger runs = new AtomicInteger();
        RuntimeException boom = new RuntimeException("boom");
        ScheduledFuture<?> f1 = p.scheduleAtFixedRate(() -> {
            runs.incrementAndGet();
            throw boom;
        }, 0, 1, MILLISECONDS);
        ScheduledFuture<?> f2 = p.scheduleWithFixedDelay(() -> {
            runs.incrementAndGet();
            throw boom;
        }, 0, 1, MILLISECONDS);
        assertSame(boom, assertThrows(ExecutionException.class, () -> f1.get(LONG_DELAY_MS, MILLISECONDS)).getCause());
        assertSame(boom, assertThrows(ExecutionException.class, () -> f2.get(LONG_DELAY_MS, MILLISECONDS)).getCause());
        assertEquals(0, p.queuedTaskCount());
        assertEquals(2, runs.get());
        terminate(p);
    }

    /** Default policies: after shutdown delayed tasks still run, periodic ones are cancelled. */
    @Test
    void testShutdownDefaultPolicies() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        assertTrue(p.getExecuteExistingDelayedTasksAfterShutdownPolicy());
        assertFalse(p.getContinueExistingPeriodicTasksAfterShutdownPolicy());
        CountDownLatch ran = new CountDownLatch(1);
        ScheduledFuture<?> delayed = p.schedule(ran::countDown, 30, MILLISECONDS);
        ScheduledFuture<?> periodic = p.scheduleAtFixedRate(() -> {}, 1, 1, TimeUnit.HOURS);
        p.shutdown();
        assertTrue(p.isShutdown());
        assertTrue(periodic.isCancelled());
        assertFalse(delayed.isDone());
        assertTrue(ran.await(LONG_DELAY_MS, MILLISECONDS));
        assertTrue(p.awaitTermination(LONG_DELAY_MS, MILLISECONDS));
        assertTrue(p.isTerminated());
        assertTrue(delayed.isDone());
    }

    /** executeExistingDelayedTasksAfterShutdown=false cancels delayed tasks at shutdown. */
    @Test
    void testShutdownCancelsDelayedByPolicy() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        p.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        ScheduledFuture<?> delayed = p.schedule(() -> {}, 1, TimeUnit.HOURS);
        p.shutdown();
        assertTrue(delayed.isCancelled());
        assertTrue(p.awaitTermination(LONG_DELAY_MS, MILLISECONDS));
    }

    /** Setting the delayed policy to false after shutdown cancels the delayed tasks then. */
    @Test
    void testPolicyChangeAfterShutdown() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        ScheduledFuture<?> delayed = p.schedule(() -> {}, 1, TimeUnit.HOURS);
        p.shutdown();
        assertFalse(p.isTerminated());
        p.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        assertTrue(delayed.isCancelled());
        assertTrue(p.awaitTermination(LONG_DELAY_MS, MILLISECONDS));
    }

    /** continueExistingPeriodicTasksAfterShutdown=true keeps periodic tasks running until cancelled. */
    @Test
    void testShutdownContinuesPeriodicByPolicy() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        p.setContinueExistingPeriodicTasksAfterShutdownPolicy(true);
        AtomicInteger runs = new AtomicInteger();
        ScheduledFuture<?> periodic = p.scheduleAtFixedRate(runs::incrementAndGet, 1, 1, MILLISECONDS);
        p.shutdown();
        int at = runs.get();
        await("periodic runs after shutdown", () -> runs.get() >= at + 3);
        assertFalse(p.isTerminated());
        periodic.cancel(false);
        assertTrue(p.awaitTermination(LONG_DELAY_MS, MILLISECONDS));
    }

    /** shutdownNow returns the tasks that never ran, neither done nor cancelled, and terminates. */
    @Test
    void testShutdownNowDelayedTasks() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        List<ScheduledFuture<?>> tasks = new ArrayList<>();
        Runnable r = () -> {};
        for (int i = 0; i < 3; i++) {
            tasks.add(p.schedule(r, 9, SECONDS));
            tasks.add(p.scheduleAtFixedRate(r, 9, 9, SECONDS));
            tasks.add(p.scheduleWithFixedDelay(r, 9, 9, SECONDS));
        }
        List<Runnable> queued = p.shutdownNow();
        assertTrue(p.isShutdown());
        assertEquals(0, p.queuedTaskCount());
        assertEquals(new HashSet<Object>(tasks), new HashSet<Object>(queued));
        for (ScheduledFuture<?> t : tasks) {
            assertFalse(t.isDone());
            assertFalse(t.isCancelled());
        }
        assertTrue(p.awaitTermination(LONG_DELAY_MS, MILLISECONDS));
        assertTrue(p.isTerminated());
    }

    /** shutdownNow interrupts a running task. */
    @Test
    void testShutdownNowInterruptsRunning() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        p.execute(() -> {
            started.countDown();
            try {
                Time.sleep(Duration.ofMinutes(10));
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        });
        assertTrue(started.await(LONG_DELAY_MS, MILLISECONDS));
        await("the task to be running", () -> p.toString().contains("running=1"));
        assertTrue(p.shutdownNow().isEmpty());
        assertTrue(interrupted.await(LONG_DELAY_MS, MILLISECONDS));
        assertTrue(p.awaitTermination(LONG_DELAY_MS, MILLISECONDS));
    }

    /** cancel(true) interrupts a running task. */
    @Test
    void testCancelInterruptsRunning() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        ScheduledFuture<?> f = p.schedule(() -> {
            started.countDown();
            try {
                Time.sleep(Duration.ofMinutes(10));
            } catch (InterruptedException e) {
                interrupted.countDown();
            }
        }, 0, SECONDS);
        assertTrue(started.await(LONG_DELAY_MS, MILLISECONDS));
        assertTrue(f.cancel(true));
        assertTrue(interrupted.await(LONG_DELAY_MS, MILLISECONDS));
        terminate(p);
    }

    /** awaitTermination times out while tasks are pending; isTerminated only after shutdown. */
    @Test
    void testAwaitTermination() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        assertFalse(p.isTerminated());
        assertFalse(p.awaitTermination(10, MILLISECONDS));
        p.schedule(() -> {}, 1, TimeUnit.HOURS);
        p.shutdown();
        assertFalse(p.awaitTermination(10, MILLISECONDS));
        assertFalse(p.isTerminated());
        p.shutdownNow();
        assertTrue(p.awaitTermination(LONG_DELAY_MS, MILLISECONDS));
    }

    /** An idle executor terminates at shutdown; close() waits and is idempotent. */
    @Test
    void testShutdownIdleAndClose() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        p.shutdown();
        assertTrue(p.isTerminated());
        WheelScheduledExecutor q = newExecutor();
        AtomicInteger ran = new AtomicInteger();
        q.schedule(ran::incrementAndGet, 20, MILLISECONDS);
        q.close();
        assertEquals(1, ran.get());
        assertTrue(q.isTerminated());
        q.close();
    }

    /** submit, invokeAll and invokeAny work as for any ExecutorService. */
    @Test
    void testSubmitInvokeAllInvokeAny() throws Exception {
        WheelScheduledExecutor p = newExecutor();
        assertEquals("x", p.submit(() -> "x").get(LONG_DELAY_MS, MILLISECONDS));
        assertEquals("y", p.submit(() -> {}, "y").get(LONG_DELAY_MS, MILLISECONDS));
        List<Callable<Integer>> jobs = List.of(() -> 1, () -> 2, () -> 3);
        var all = p.invokeAll(jobs);
        int sum = 0;
        for (var f : all) {
            sum += f.get();
        }
        assertEquals(6, sum);
        List<Callable<Integer>> one = List.of(() -> 7);
        assertEquals(7, (int) p.invokeAny(one));
        terminate(p);
    }

    /** A task waiting on a future under the test clock lets virtual time jump to the task. */
    @WeftTest
    void testGetInVirtualTime(WeftRuntime vrt) throws Exception {
        WheelScheduledExecutor p = Timers.newScheduledExecutor(vrt);
        long t0 = Time.nanoTime();
        assertEquals("later", p.schedule(() -> "later", 1, TimeUnit.HOURS).get());
        assertEquals(Duration.ofHours(1), Duration.ofNanos(Time.nanoTime() - t0));
        ScheduledFuture<String> f = p.schedule(() -> "much later", 2, TimeUnit.HOURS);
        assertThrows(java.util.concurrent.TimeoutException.class, () -> f.get(1, TimeUnit.HOURS));
        assertEquals(Duration.ofHours(2), Duration.ofNanos(Time.nanoTime() - t0));
        p.shutdownNow();
    }
}
