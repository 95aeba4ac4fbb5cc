package dev.weft.core.spi;

import dev.weft.core.SchedulerMode;
import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.RepeatedTest;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link RuntimeAccess#beginInternalWait}: only a task of the runtime is counted, and a counted
 * wait (unlike a plain park) lets the runtime count as waiting only for time.
 */
class InternalWaitTest {

    private static void await(String what, BooleanSupplier condition) {
        long giveUp = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < giveUp, "timed out after 10 s waiting for: " + what);
            Thread.yield();
        }
    }

    private static boolean parked(Thread t) {
        Thread.State s = t.getState();
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
    }

    @RepeatedTest(5)
    void onlyTasksOfTheRuntimeAreCounted() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().carriers(1).build();
             WeftRuntime other = WeftRuntime.builder().carriers(1).build()) {
            assertFalse(RuntimeAccess.beginInternalWait(rt), "a plain thread's wait is not the runtime's");
            assertFalse(other.run(() -> RuntimeAccess.beginInternalWait(rt)), "a task of another runtime is not counted");
            // Timed waits are counted on carriers' wheels only, so only then can time be all that is awaited.
            assumeTrue(rt.schedulerMode() == SchedulerMode.CARRIER, "needs the carrier scheduler");

            CountDownLatch stopSleeping = new CountDownLatch(1);
            Thread[] sleeperThread = new Thread[1];
            Task<Void> sleeper = sleeper(rt, stopSleeping, sleeperThread);
            CountDownLatch release = new CountDownLatch(1);
            Task<Boolean> waiter = rt.spawn(() -> {
                boolean internal = RuntimeAccess.beginInternalWait(rt);
                try {
                    release.await();
                } finally {
                    if (internal) {
                        RuntimeAccess.endInternalWait(rt);
                    }
                }
                return internal;
            });
            await("a sleeper and a counted waiter to make the runtime wait only for time",
                    () -> RuntimeAccess.isWaitingOnlyForTime(rt));
            release.countDown();
            assertTrue(waiter.join(Duration.ofSeconds(10)), "a task of the runtime is counted");

            CountDownLatch releaseUncounted = new CountDownLatch(1);
            Thread[] plain = new Thread[1];
            Task<Void> uncounted = rt.spawn(() -> {
                plain[0] = Thread.currentThread();
                releaseUncounted.await();
                return null;
            });
            await("the uncounted task to park", () -> plain[0] != null && parked(plain[0]));
            assertFalse(RuntimeAccess.isWaitingOnlyForTime(rt),
                    "a task parked without beginInternalWait may be woken by anything: not only time");
            releaseUncounted.countDown();
            uncounted.join(Duration.ofSeconds(10));
            stopSleeping.countDown();
            Parking.unpark(sleeperThread[0]);
            sleeper.join(Duration.ofSeconds(10));
        }
    }

    /**
     * A task in a timed join of another task of its runtime is counted as waiting internally,
     * as one in join() is: its limit is real time, off the wheels, so it must not hold a test
     * clock still (it did: the runtime never counted as waiting only for time, and a join of a
     * task sleeping on the test clock ran out its whole real-time limit).
     */
    @RepeatedTest(20)
    void aTimedJoinOfATaskOfTheRuntimeIsCounted() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().carriers(1).build()) {
            assumeTrue(rt.schedulerMode() == SchedulerMode.CARRIER, "needs the carrier scheduler");
            CountDownLatch stopSleeping = new CountDownLatch(1);
            Thread[] sleeperThread = new Thread[1];
            Task<Void> sleeper = sleeper(rt, stopSleeping, sleeperThread);
            Task<Void> joiner = rt.spawn(() -> sleeper.join(Duration.ofMinutes(5)));
            await("a sleeper and a task in a timed join of it to make the runtime wait only for time",
                    () -> RuntimeAccess.isWaitingOnlyForTime(rt));
            stopSleeping.countDown();
            Parking.unpark(sleeperThread[0]);
            joiner.join(Duration.ofSeconds(10));
        }
    }

    /**
     * A task of {@code rt} in a timed wait (on its carrier's wheel) until {@code stop} opens and it
     * is unparked; its thread goes into {@code thread[0]}.
     */
    private static Task<Void> sleeper(WeftRuntime rt, CountDownLatch stop, Thread[] thread) {
        return rt.spawn(() -> {
            thread[0] = Thread.currentThread();
            while (stop.getCount() > 0 && !Thread.currentThread().isInterrupted()) {
                Parking.parkNanos(thread, Duration.ofMinutes(1).toNanos());
            }
            return null;
        });
    }
}
