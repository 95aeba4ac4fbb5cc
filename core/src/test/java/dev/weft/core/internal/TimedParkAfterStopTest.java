package dev.weft.core.internal;

import dev.weft.core.ShutdownReport;
import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.Parking;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.core.spi.TimerHandle;
import org.junit.jupiter.api.RepeatedTest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A timed park that a stopping carrier's wheel holds (or that reaches its inbox as it stops) still
 * ends: the stop wakes it, and the waiter, re-arming, is refused and falls back to the JDK's timed
 * park for the time left. An action timer is not run early by the stop.
 */
class TimedParkAfterStopTest {
    private static final long SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

    /** Weft's timed wait: loops on {@link Parking#parkNanos} until the time has passed, ignoring interrupts. */
    private static void sleepThroughInterrupts(long nanos) {
        long deadline = System.nanoTime() + nanos;
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            Parking.parkNanos(null, left);
            Thread.interrupted(); // this task ignores cancellation
        }
    }

    @RepeatedTest(20)
    void aTaskThatOutlivesItsRuntimeStillEndsItsTimedWait() throws Exception {
        WeftRuntime rt = WeftRuntime.builder().name("outlives").carriers(1).build();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch slept = new CountDownLatch(1);
        AtomicLong sleepStart = new AtomicLong(), sleepEnd = new AtomicLong();
        AtomicBoolean actionRan = new AtomicBoolean();
        Task<Void> task = rt.spawn("ignores-cancellation", () -> {
            started.countDown();
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException cancelled) {
                // ignored: sleep on, past the runtime's grace period
            }
            long t0 = System.nanoTime();
            sleepStart.set(t0);
            sleepThroughInterrupts(SLEEP_NANOS);
            sleepEnd.set(System.nanoTime());
            slept.countDown();
            return null;
        });
        assertTrue(started.await(10, TimeUnit.SECONDS));
        // An action timer pending at stop must not run early (the runtime it belongs to is gone).
        TimerHandle action = RuntimeAccess.schedule(rt, RuntimeAccess.nanoTime(rt) + TimeUnit.SECONDS.toNanos(30),
                () -> actionRan.set(true));
        ShutdownReport report = rt.shutdown(Duration.ofMillis(50));
        long shutdownReturned = System.nanoTime();
        assertTrue(slept.await(5, TimeUnit.SECONDS),
                "the task's 200 ms timed wait did not end within 5 s after shutdown returned (" + report + ")");
        long elapsed = sleepEnd.get() - sleepStart.get();
        assertTrue(elapsed >= SLEEP_NANOS, "the wait ended early: " + elapsed + " ns");
        assertTrue(sleepEnd.get() - shutdownReturned < TimeUnit.SECONDS.toNanos(2),
                "the wait ended " + (sleepEnd.get() - shutdownReturned) / 1_000_000 + " ms after shutdown returned");
        assertFalse(actionRan.get(), "an action timer ran early at stop");
        action.cancel();
        task.cancel();
    }

    /**
     * Platform threads keep arming short timed parks on one carrier's wheel from outside it
     * (through its inbox) while the runtime shuts down: each must end, however its arm met the stop.
     */
    @RepeatedTest(20)
    void armsRacingTheStopAreNeverStranded() throws Exception {
        WeftRuntime rt = WeftRuntime.builder().name("arm-race").carriers(1).build();
        CarrierTimers timers = CoreBridge.core(rt).place().timers();
        int threads = 4;
        CountDownLatch running = new CountDownLatch(threads);
        CountDownLatch refused = new CountDownLatch(threads);
        List<Thread> parkers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = Thread.ofPlatform().daemon().name("parker-" + i).start(() -> {
                running.countDown();
                while (true) {
                    TimerHandle h;
                    try {
                        h = timers.scheduleUnpark(RuntimeAccess.nanoTime(rt) + 1_000_000L * (1 + (Thread.currentThread().threadId() & 1)),
                                Thread.currentThread());
                    } catch (RejectedExecutionException stopped) {
                        refused.countDown();
                        return;
                    }
                    LockSupport.park();
                    h.cancel();
                }
            });
            parkers.add(t);
        }
        assertTrue(running.await(10, TimeUnit.SECONDS));
        Thread.sleep(20);
        rt.shutdown(Duration.ofMillis(50));
        boolean allEnded = refused.await(5, TimeUnit.SECONDS);
        if (!allEnded) {
            parkers.forEach(LockSupport::unpark); // a stranded one is woken here, only to park again (daemon threads)
        }
        assertTrue(allEnded, refused.getCount() + " of " + threads + " timed parks armed around the stop never ended");
    }
}
