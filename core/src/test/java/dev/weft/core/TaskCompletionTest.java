package dev.weft.core;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.lang.ref.WeakReference;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A task is its own completion: one outcome however a cancel races the body's end, no interrupt
 * carried over to the next task of a worker, ids drawn lazily yet unique, the body released once
 * it has run, and an age that starts when the carrier starts the task.
 */
class TaskCompletionTest {
    static WeftRuntime rt;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("completion").carriers(2).build();
    }

    @AfterAll
    static void stop() {
        assertTrue(rt.shutdown(Duration.ofSeconds(5)).isClean());
    }

    /**
     * Cancels every other task of a burst while the carriers run them: each task ends with exactly
     * the outcome its cancel() return value promises, and a task nobody cancelled never starts
     * with its thread interrupted (a cancel's interrupt stays with the task it was aimed at).
     */
    @RepeatedTest(20)
    void cancelRacingTheBodyHasOneOutcome() throws Exception {
        int n = 20_000;
        AtomicInteger interruptedAtStart = new AtomicInteger();
        List<Task<Integer>> tasks = new ArrayList<>(n);
        boolean[] cancelled = new boolean[n];
        boolean[] interruptedAtStartOf = new boolean[n];
        for (int i = 0; i < n; i++) {
            int idx = i;
            tasks.add(rt.spawn(() -> {
                if (Thread.currentThread().isInterrupted()) {
                    interruptedAtStartOf[idx] = true;
                    interruptedAtStart.incrementAndGet();
                }
                return idx;
            }));
            if (i % 2 == 1) {
                cancelled[i] = tasks.get(i).cancel();
            }
        }
        int cancels = 0;
        for (int i = 0; i < n; i++) {
            Task<Integer> t = tasks.get(i);
            if (cancelled[i]) {
                cancels++;
                assertThrows(CancellationException.class, t::join, "task " + i);
                assertEquals(Task.State.CANCELLED, t.state(), "task " + i);
                assertTrue(t.isCancelled(), "task " + i);
            } else {
                assertEquals(i, t.join(), "task " + i);
                assertEquals(Task.State.SUCCEEDED, t.state(), "task " + i);
                assertFalse(t.isCancelled(), "task " + i);
                assertFalse(interruptedAtStartOf[i], "task " + i + " was never cancelled yet started interrupted");
            }
            assertTrue(t.isDone(), "task " + i);
            assertFalse(t.cancel(), "cancel after the end is a no-op, task " + i);
        }
        assertTrue(cancels > 0, "no cancel won: the race was not exercised");
        assertTrue(interruptedAtStart.get() <= cancels);
    }

    /**
     * A task's end costs one fence: its state's CAS is also what orders the end before the check
     * for a waiting joiner's latch. A joiner that registers its latch while the task ends (a JDK
     * virtual thread, which does not spin first) must always be woken, for a success and for a
     * failure, with the right outcome.
     */
    @RepeatedTest(10)
    void aJoinerArrivingAsTheTaskEndsIsAlwaysWoken() throws Exception {
        int n = 20_000;
        LinkedBlockingQueue<Task<Integer>> handed = new LinkedBlockingQueue<>();
        AtomicInteger joined = new AtomicInteger();
        AtomicReference<Throwable> joinerFailed = new AtomicReference<>();
        Thread joiner = Thread.ofVirtual().name("end-race-joiner").start(() -> {
            try {
                for (int i = 0; i < n; i++) {
                    Task<Integer> t = handed.take();
                    try {
                        // Bounded: a lost wake-up fails here, with the task named, not as a hang.
                        assertEquals(i, t.join(Duration.ofSeconds(10)), "task " + i);
                        assertEquals(0, i % 7, "task " + i + " should have failed");
                    } catch (TaskFailedException e) {
                        assertNotEquals(0, i % 7, "task " + i + " should have succeeded");
                    }
                    assertTrue(t.isDone(), "task " + i);
                    joined.incrementAndGet();
                }
            } catch (Throwable t) {
                joinerFailed.set(t);
            }
        });
        for (int i = 0; i < n; i++) {
            int v = i;
            handed.add(rt.spawn(() -> {
                for (int spin = v % 64; spin > 0; spin--) {
                    Thread.onSpinWait(); // end a little later, now and then
                }
                if (v % 7 != 0) {
                    throw new IllegalStateException("task " + v + " fails on purpose");
                }
                return v;
            }));
        }
        assertTrue(joiner.join(Duration.ofSeconds(60)), "the joiner did not finish: " + joined.get() + " of " + n + " joined");
        assertNull(joinerFailed.get(), () -> "the joiner failed after " + joined.get() + " joins: " + joinerFailed.get());
        assertEquals(n, joined.get());
    }

    /** A task cancelled while it waits in its carrier's queue never runs its body. */
    @Test
    void aTaskCancelledBeforeItStartsNeverRuns() throws Exception {
        try (WeftRuntime one = WeftRuntime.builder().name("one").carriers(1).build()) {
            // Only a carrier holds a queue a hog can block; the JDK's scheduler runs tasks in parallel.
            assumeTrue(one.schedulerMode() == SchedulerMode.CARRIER, "needs the carrier scheduler");
            AtomicBoolean release = new AtomicBoolean();
            CountDownLatch busy = new CountDownLatch(1);
            // Occupies the only carrier without parking, so the next spawn stays queued.
            Task<Void> hog = one.spawn(() -> {
                busy.countDown();
                while (!release.get()) {
                    Thread.onSpinWait();
                }
                return null;
            });
            busy.await();
            AtomicBoolean ran = new AtomicBoolean();
            Task<String> queued = one.spawn(() -> {
                ran.set(true);
                return "ran";
            });
            assertTrue(queued.cancel());
            assertTrue(queued.isCancelled());
            assertFalse(queued.isDone(), "still queued: the carrier has not reached it");
            release.set(true);
            hog.join();
            assertThrows(CancellationException.class, queued::join);
            assertTrue(queued.isDone());
            assertEquals(Task.State.CANCELLED, queued.state());
            assertFalse(ran.get(), "the body of a task cancelled before it started ran");
        }
    }

    /** A cancelled task whose body ignores the interrupt: join(Duration) says so, then reports the cancel. */
    @Test
    void timedJoinOfACancelledTaskWaitsForTheBody() throws Exception {
        AtomicBoolean release = new AtomicBoolean();
        CountDownLatch started = new CountDownLatch(1);
        Task<String> t = rt.spawn(() -> {
            started.countDown();
            while (!release.get()) {
                Thread.yield(); // ignores interruption, but lets the carrier run others
            }
            return "ignored";
        });
        started.await();
        assertTrue(t.cancel());
        TimeoutException e = assertThrows(TimeoutException.class, () -> t.join(Duration.ofMillis(20)));
        assertTrue(e.getMessage().contains("was cancelled"), e.getMessage());
        assertFalse(t.isDone());
        assertEquals(Task.State.RUNNING, t.state(), "the body still runs");
        release.set(true);
        assertThrows(CancellationException.class, () -> t.join(Duration.ofSeconds(10)));
        assertEquals(Task.State.CANCELLED, t.state());
    }

    /** Threads asking a fresh task for its id at once all get the same one; tasks never share one. */
    @RepeatedTest(20)
    void anIdIsDrawnOnceEvenUnderARace() throws Exception {
        int askers = 4;
        int tasks = 200;
        Set<Long> all = new HashSet<>();
        for (int k = 0; k < tasks; k++) {
            Task<Integer> t = rt.spawn(() -> 1);
            long[] seen = new long[askers];
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int a = 0; a < askers; a++) {
                int slot = a;
                threads.add(Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    seen[slot] = t.id();
                }));
            }
            go.countDown();
            for (Thread th : threads) {
                th.join(10_000);
                assertFalse(th.isAlive(), "an id() call did not return within 10 s");
            }
            for (long id : seen) {
                assertEquals(seen[0], id, "two threads saw different ids for one task");
            }
            assertTrue(seen[0] > 0);
            assertTrue(all.add(seen[0]), "id " + seen[0] + " given to two tasks");
            assertEquals("task-" + seen[0], t.name());
            t.join();
        }
    }

    /** An ended task's handle does not keep alive what its body captured (a million kept handles would). */
    @Test
    void aKeptHandleReleasesTheBody() throws Exception {
        Object[] box = {new Object()}; // no local variable keeps the object reachable
        WeakReference<Object> ref = new WeakReference<>(box[0]);
        int expected = box[0].hashCode();
        Task<Integer> t = spawnHashing(box[0]);
        assertEquals(expected, t.join());
        box[0] = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ref.get() != null) {
            assertTrue(System.nanoTime() < deadline, "the body's capture was still reachable after 10 s of GCs");
            System.gc();
            Thread.yield();
        }
        assertEquals(Task.State.SUCCEEDED, t.state()); // the handle itself is still usable
    }

    private static Task<Integer> spawnHashing(Object captured) {
        return rt.spawn(captured::hashCode);
    }

    /**
     * Nor the task-local values it inherited at its spawn (a kept handle kept a request's whole
     * context alive), whether it ran on a carrier or on the blocking pool.
     */
    @RepeatedTest(20)
    void aKeptHandleReleasesItsTaskLocals() throws Exception {
        TaskLocal<Object> local = TaskLocal.newInstance();
        Object[] box = {new Object()}; // no local variable keeps the object reachable
        WeakReference<Object> ref = new WeakReference<>(box[0]);
        List<Task<Integer>> kept = spawnInheriting(local, box[0]);
        for (Task<Integer> t : kept) {
            assertEquals(1, t.join());
        }
        box[0] = null;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (ref.get() != null) {
            assertTrue(System.nanoTime() < deadline, "the inherited task-local value was still reachable after 10 s of GCs");
            System.gc();
            Thread.yield();
        }
        for (Task<Integer> t : kept) {
            assertEquals(Task.State.SUCCEEDED, t.state()); // the handle itself is still usable
        }
    }

    private static List<Task<Integer>> spawnInheriting(TaskLocal<Object> local, Object value) {
        return TaskLocal.where(local, value).call(() -> List.of(rt.spawn(() -> 1), rt.spawnBlocking(() -> 1)));
    }

    /** A live task's age counts from its start: it grows with time and never exceeds the time since the spawn. */
    @Test
    void ageCountsFromTheStart() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        long beforeSpawn = System.nanoTime();
        Task<Void> t = rt.spawn("aging", () -> {
            started.countDown();
            release.await();
            return null;
        });
        started.await();
        long afterStart = System.nanoTime();
        while (System.nanoTime() - afterStart < Duration.ofMillis(30).toNanos()) {
            Thread.onSpinWait(); // let measurable time pass (a bounded wait on the clock)
        }
        TaskInfo info = rt.liveTaskInfos().stream().filter(i -> i.name().equals("aging")).findFirst()
                .orElseThrow(() -> new AssertionError("the parked task is not listed as live"));
        long upper = System.nanoTime() - beforeSpawn;
        assertEquals(t.id(), info.id());
        assertTrue(info.age().toNanos() >= Duration.ofMillis(30).toNanos(), "age " + info.age());
        assertTrue(info.age().toNanos() <= upper, "age " + info.age() + " exceeds the time since the spawn");
        release.countDown();
        t.join();
    }
}
