package dev.weft.timers;

import dev.weft.core.Task;
import dev.weft.core.Weft;
import dev.weft.core.WeftRuntime;
import dev.weft.timers.testing.WeftTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static dev.weft.timers.TimersTestSupport.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link TestClock}: paused virtual time, manual advance, auto-advance that never races blocking work. */
class TestClockTest {

    /** A 30 s sleep takes well under a second of real time and exactly 30 s of virtual time. */
    @WeftTest
    void thirtySecondSleepRunsInMilliseconds(TestClock clock) throws Exception {
        long real0 = System.nanoTime();
        long v0 = Time.nanoTime();
        Time.sleep(Duration.ofSeconds(30));
        assertEquals(Duration.ofSeconds(30), Duration.ofNanos(Time.nanoTime() - v0));
        long real = System.nanoTime() - real0;
        assertTrue(real < 1_000_000_000L, "took " + real / 1_000_000 + " ms of real time");
        assertTrue(clock.autoAdvanceJumps() >= 1);
    }

    /**
     * Sleeps longer than a timer's 32-bit reach in the wheel (2^30 ms, 12.4 days) wake exactly at
     * their deadline, in order.
     */
    @WeftTest(carriers = 2)
    void sleepsOfMonthsWakeExactly() throws Exception {
        long v0 = Time.nanoTime();
        List<String> woke = new CopyOnWriteArrayList<>();
        List<VirtualJoin<Void>> tasks = new ArrayList<>();
        for (int days : new int[] {400, 13, 50}) {
            tasks.add(VirtualJoin.spawn(() -> {
                Time.sleep(Duration.ofDays(days));
                woke.add(days + "@" + Duration.ofNanos(Time.nanoTime() - v0).toDays()
                    + (Duration.ofNanos(Time.nanoTime() - v0).equals(Duration.ofDays(days)) ? "" : " late"));
                return null;
            }));
        }
        for (VirtualJoin<Void> t : tasks) {
            t.join();
        }
        assertEquals(List.of("13@13", "50@50", "400@400"), woke);
    }

    /** A timer of 40 days armed from a platform thread (it reaches the carrier through its inbox) fires exactly then. */
    @WeftTest
    void farTimerArmedFromOutsideFiresExactly() throws Exception {
        WheelScheduledExecutor ses = Timers.newScheduledExecutor();
        long v0 = Time.nanoTime();
        var armed = new java.util.concurrent.atomic.AtomicReference<java.util.concurrent.ScheduledFuture<Long>>();
        Thread outside = Thread.ofPlatform().start(() -> armed.set(ses.schedule(Time::nanoTime, 40, java.util.concurrent.TimeUnit.DAYS)));
        outside.join();
        assertEquals(Duration.ofDays(40), Duration.ofNanos(armed.get().get() - v0));
        ses.shutdown();
    }

    /** A plain join of a sleeping task does not hold virtual time still: the join counts as waiting on the runtime. */
    @WeftTest
    void plainJoinOfASleepingTask() throws Exception {
        long v0 = Time.nanoTime();
        Task<String> sleeper = Weft.spawn(() -> {
            Time.sleep(Duration.ofMinutes(5));
            return "rested";
        });
        assertEquals("rested", sleeper.join());
        assertEquals(Duration.ofMinutes(5), Duration.ofNanos(Time.nanoTime() - v0));
    }

    /** Sleepers on several carriers wake in deadline order, at their exact virtual times, every run. */
    @WeftTest(carriers = 4)
    void sleepersWakeInOrder() throws Exception {
        long v0 = Time.nanoTime();
        List<String> woke = new CopyOnWriteArrayList<>();
        List<VirtualJoin<Void>> tasks = new ArrayList<>();
        for (int s : new int[] {50, 10, 40, 20, 30}) {
            tasks.add(VirtualJoin.spawn(() -> {
                Time.sleep(Duration.ofSeconds(s));
                woke.add(s + "@" + (Time.nanoTime() - v0) / 1_000_000_000L);
                return null;
            }));
        }
        for (VirtualJoin<Void> t : tasks) {
            t.join();
        }
        assertEquals(List.of("10@10", "20@20", "30@30", "40@40", "50@50"), woke);
    }

    /** Manual advance: a sleeper wakes only once time has moved past its deadline. */
    @Test
    void manualAdvance() throws Exception {
        TestClock clock = new TestClock();
        try (WeftRuntime rt = clock.newRuntime()) {
            long v0 = clock.nanoTime();
            Task<Long> t = rt.spawn(() -> {
                Time.sleep(Duration.ofSeconds(10));
                return Time.nanoTime() - v0;
            });
            await("the sleeper to wait for time", () -> dev.weft.core.spi.RuntimeAccess.isWaitingOnlyForTime(rt));
            clock.advance(Duration.ofSeconds(5));
            await("the runtime to settle after the advance", () -> dev.weft.core.spi.RuntimeAccess.isWaitingOnlyForTime(rt));
            assertFalse(t.isDone(), "woke 5 s early");
            clock.advance(Duration.ofSeconds(5));
            assertEquals(Duration.ofSeconds(10).toNanos(), t.join(Duration.ofSeconds(10)));
            assertThrows(IllegalArgumentException.class, () -> clock.advance(Duration.ofSeconds(-1)));
        }
    }

    /** No jump while a job runs on the blocking pool; the jump comes once it is done. */
    @WeftTest
    void noJumpWhileBlockingPoolBusy(WeftRuntime rt, TestClock clock) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        VirtualJoin<Void> sleeper = VirtualJoin.spawn(() -> {
            Time.sleep(Duration.ofSeconds(10));
            return null;
        });
        Task<String> blocking = rt.spawnBlocking(() -> {
            started.countDown();
            release.await();
            return "done";
        });
        started.await();
        long v = clock.nanoTime();
        // A platform thread watches the clock while the driver polls: it must not move.
        Thread watcher = Thread.ofPlatform().start(() -> {
            long polls0 = clock.autoAdvancePolls();
            await("auto-advance to poll 200 times", () -> clock.autoAdvancePolls() - polls0 >= 200);
            release.countDown();
        });
        assertEquals("done", blocking.join());
        assertEquals(v, clock.nanoTime(), "time jumped while the blocking pool was busy");
        sleeper.join();
        watcher.join();
    }

    /**
     * Tokio's classic pitfall: with paused time, {@code timeout(1 s, spawn_blocking(..))} fires at
     * once, because the runtime looks idle while the blocking thread works. Here the blocking job
     * holds time still, so the timeout does not fire however long (in real time) the job takes.
     */
    @WeftTest
    void timeoutOverBlockingWorkDoesNotFireEarly(WeftRuntime rt, TestClock clock) throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        long v = clock.nanoTime();
        Thread releaser = Thread.ofPlatform().start(() -> {
            try {
                started.await();
            } catch (InterruptedException e) {
                return;
            }
            long polls0 = clock.autoAdvancePolls();
            await("auto-advance to poll 200 times", () -> clock.autoAdvancePolls() - polls0 >= 200);
            release.countDown();
        });
        String r = Time.timeout(Duration.ofSeconds(1), () -> rt.spawnBlocking(() -> {
            started.countDown();
            release.await();
            return "done";
        }).join());
        assertEquals("done", r, "the timeout fired while the blocking job ran");
        assertEquals(v, clock.nanoTime(), "time jumped while the blocking pool was busy");
        releaser.join();
    }

    /** No jump while a task waits on a java.util.concurrent latch (released by a platform thread). */
    @WeftTest
    void noJumpWhileWaitingOnALatch(TestClock clock) throws Exception {
        CountDownLatch latch = new CountDownLatch(1);
        VirtualJoin<Void> sleeper = VirtualJoin.spawn(() -> {
            Time.sleep(Duration.ofSeconds(10));
            return null;
        });
        long v = clock.nanoTime();
        Thread releaser = Thread.ofPlatform().start(() -> {
            long polls0 = clock.autoAdvancePolls();
            await("auto-advance to poll 200 times", () -> clock.autoAdvancePolls() - polls0 >= 200);
            latch.countDown();
        });
        latch.await();
        assertEquals(v, clock.nanoTime(), "time jumped while a task waited on a latch");
        sleeper.join();
        assertEquals(Duration.ofSeconds(10), Duration.ofNanos(clock.nanoTime() - v));
        releaser.join();
    }

    /** Without auto-advance time never moves by itself. */
    @WeftTest(autoAdvance = false, inTask = false)
    void pausedWithoutAutoAdvance(WeftRuntime rt, TestClock clock) throws Exception {
        assertFalse(clock.isAutoAdvance());
        Task<Void> t = rt.spawn(() -> {
            Time.sleep(Duration.ofSeconds(1));
            return null;
        });
        long v = clock.nanoTime();
        await("the sleeper to wait for time", () -> dev.weft.core.spi.RuntimeAccess.isWaitingOnlyForTime(rt));
        assertEquals(v, clock.nanoTime());
        clock.advance(Duration.ofSeconds(1));
        t.join(Duration.ofSeconds(10));
    }

    /** A task joining a sleeping task (through a wait that goes through Parking) lets time jump. */
    @WeftTest
    void joinOfASleepingTask() throws Exception {
        VirtualJoin<Void> t = VirtualJoin.spawn(() -> {
            Time.sleep(Duration.ofHours(1));
            return null;
        });
        long v0 = Time.nanoTime();
        t.join();
        assertEquals(Duration.ofHours(1), Duration.ofNanos(Time.nanoTime() - v0));
    }
}
