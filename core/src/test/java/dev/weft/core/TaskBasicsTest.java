package dev.weft.core;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** The Task handle contract: results, failures, cancellation, names, states. */
class TaskBasicsTest {
    static WeftRuntime rt;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("basics").carriers(2).build();
    }

    @AfterAll
    static void stop() {
        assertTrue(rt.shutdown(Duration.ofSeconds(5)).isClean());
    }

    /** join returns the body's value. */
    @Test
    void joinReturnsValue() throws Exception {
        assertEquals(42, rt.spawn(() -> 42).join());
    }

    /** A body's exception comes back from join as the cause of TaskFailedException. */
    @Test
    void failureIsTheCause() throws Exception {
        IOException boom = new IOException("boom");
        Task<Object> t = rt.spawn("failing", () -> { throw boom; });
        TaskFailedException e = assertThrows(TaskFailedException.class, t::join);
        assertSame(boom, e.getCause());
        assertEquals("failing", e.taskName());
        assertEquals(Task.State.FAILED, t.state());
    }

    /** cancel interrupts a parked task; join throws CancellationException after the body ended. */
    @Test
    void cancelInterruptsAndJoinThrows() throws Exception {
        CountDownLatch parked = new CountDownLatch(1);
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Task<Void> t = rt.spawn(() -> {
            parked.countDown();
            try {
                new CountDownLatch(1).await();
            } catch (InterruptedException e) {
                seen.set(e);
                throw e;
            }
            return null;
        });
        parked.await();
        assertTrue(t.cancel());
        assertThrows(CancellationException.class, t::join);
        assertTrue(t.isDone(), "join of a cancelled task returns only after the body ended");
        assertInstanceOf(InterruptedException.class, seen.get());
        assertEquals(Task.State.CANCELLED, t.state());
        assertTrue(t.isCancelled());
        assertFalse(t.cancel(), "second cancel is a no-op");
    }

    /** join(Duration) times out on a running task and leaves it running. */
    @Test
    void timedJoinTimesOut() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Task<String> t = rt.spawn(() -> { release.await(); return "done"; });
        assertThrows(TimeoutException.class, () -> t.join(Duration.ofMillis(20)));
        assertEquals(Task.State.RUNNING, t.state());
        release.countDown();
        assertEquals("done", t.join(Duration.ofSeconds(5)));
        assertEquals(Task.State.SUCCEEDED, t.state());
    }

    /** A named task's thread carries the name; unnamed tasks are task-ID; ids are unique. */
    @Test
    void namesAndIds() throws Exception {
        Task<String> named = rt.spawn("worker-7", () -> Thread.currentThread().getName());
        assertEquals("worker-7", named.join());
        assertEquals("worker-7", named.name());
        Task<Integer> a = rt.spawn(() -> 1);
        Task<Integer> b = rt.spawn(() -> 2);
        assertNotEquals(a.id(), b.id());
        assertEquals("task-" + a.id(), a.name());
        a.join();
        b.join();
    }

    /** WeftRuntime.current() finds the runtime inside a task and fails clearly outside. */
    @Test
    void currentRuntime() throws Exception {
        assertSame(rt, rt.spawn(WeftRuntime::current).join());
        IllegalStateException e = assertThrows(IllegalStateException.class, WeftRuntime::current);
        assertTrue(e.getMessage().contains("not inside a Weft runtime"), e.getMessage());
        assertEquals("inner", rt.run(() -> Weft.spawn(() -> Weft.currentTask().orElseThrow().name()).join())
                .replaceAll("task-\\d+", "inner"));
    }

    /** In carrier mode a task spawned from a task runs on its parent's carrier. */
    @Test
    void childStaysOnParentCarrier() throws Exception {
        if (rt.schedulerMode() != SchedulerMode.CARRIER) {
            return;
        }
        List<String> carriers = rt.run(() -> {
            List<String> out = new ArrayList<>();
            out.add(carrierName());
            out.add(Weft.spawn(TaskBasicsTest::carrierName).join());
            return out;
        });
        assertTrue(carriers.get(0).startsWith("basics-carrier-"), carriers.toString());
        assertEquals(carriers.get(0), carriers.get(1));
    }

    /** The carrier a virtual thread is mounted on, from its toString ("VirtualThread[#id]/runnable@carrier"). */
    static String carrierName() {
        String s = Thread.currentThread().toString();
        return s.substring(s.indexOf('@') + 1);
    }

    /** run rethrows the body's own exception unchanged. */
    @Test
    void runRethrowsBodyException() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> rt.run(() -> { throw new IllegalArgumentException("bad"); }));
        assertEquals("bad", e.getMessage());
    }

    /** spawnBlocking runs on a platform thread of the pool and is joinable like a task. */
    @Test
    void spawnBlockingRunsOnPool() throws Exception {
        Task<Boolean> t = rt.spawnBlocking(() -> Thread.currentThread().isVirtual());
        assertFalse(t.join());
        Task<String> named = rt.spawnBlocking("blk", () -> Thread.currentThread().getName());
        assertEquals("blk", named.join());
    }

    /** yieldNow lets another task on the same carrier run before continuing. */
    @Test
    void yieldNowInterleaves() throws Exception {
        WeftRuntime one = WeftRuntime.builder().name("one").carriers(1).build();
        try {
            List<String> order = one.run(() -> {
                List<String> log = java.util.Collections.synchronizedList(new ArrayList<>());
                Task<?> other = Weft.spawn(() -> log.add("other"));
                log.add("before");
                Weft.yieldNow();
                log.add("after");
                other.join();
                return log;
            });
            if (one.schedulerMode() == SchedulerMode.CARRIER) {
                assertEquals(List.of("before", "other", "after"), order);
            } else {
                assertTrue(order.containsAll(List.of("before", "other", "after")));
            }
        } finally {
            one.close();
        }
    }

    /** TaskLocal bindings are inherited by spawned tasks, including blocking ones. */
    @Test
    void taskLocalsInherited() throws Exception {
        TaskLocal<String> rid = TaskLocal.newInstance();
        String seen = TaskLocal.where(rid, "r-17").call(() ->
                rt.spawn(() -> rid.get() + "/" + Weft.spawn(() -> rid.get()).join()).join());
        assertEquals("r-17/r-17", seen);
        String blocking = TaskLocal.where(rid, "b").call(() -> rt.spawnBlocking(() -> rid.get()).join());
        assertEquals("b", blocking);
        assertFalse(rt.spawn(rid::isBound).join(), "no binding leaks into unrelated spawns");
    }

    /**
     * In a chain of where calls a later binding of the same local wins, as documented, in the
     * caller, in a nested binding and in a spawned task (the first one won: the chain was bound
     * in reverse).
     */
    @Test
    void aLaterWhereOfTheSameLocalWins() throws Exception {
        TaskLocal<String> rid = TaskLocal.newInstance();
        TaskLocal<String> user = TaskLocal.newInstance();
        List<String> seen = TaskLocal.where(rid, "first").where(user, "u").where(rid, "second").call(() -> List.of(
                rid.get(), user.get(), rt.spawn(rid::get).join(),
                TaskLocal.where(user, "v").call(() -> rid.get() + "/" + user.get())));
        assertEquals(List.of("second", "u", "second", "second/v"), seen);
    }

    /** Interrupting a joiner throws InterruptedException and leaves the task running. */
    @Test
    void joinIsInterruptible() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Task<Integer> t = rt.spawn(() -> { release.await(); return 1; });
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, t::join, "interrupted before join");
        Thread joiner = Thread.ofVirtual().start(() -> {
            try {
                t.join();
                fail("join returned");
            } catch (InterruptedException expected) {
                // ok
            }
        });
        TestSupport.awaitParked(joiner);
        joiner.interrupt();
        joiner.join();
        assertFalse(t.isDone());
        release.countDown();
        assertEquals(1, t.join());
    }

    /** join(Duration) of an unfinished task by an interrupted caller throws at once; the task is unaffected. */
    @Test
    void timedJoinInterruptedBeforeItWaits() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Task<Integer> t = rt.spawn(() -> { release.await(); return 1; });
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> t.join(Duration.ofSeconds(10)), "interrupted before join(Duration)");
        assertFalse(Thread.currentThread().isInterrupted(), "InterruptedException clears the interrupt status");
        Thread.currentThread().interrupt();
        assertThrows(InterruptedException.class, () -> t.join(Duration.ZERO), "even a poll reports the interrupt");
        assertFalse(t.isDone());
        release.countDown();
        assertEquals(1, t.join(Duration.ofSeconds(10)));
        Thread.currentThread().interrupt();
        try {
            assertEquals(1, t.join(Duration.ofSeconds(10)), "an ended task's result comes even if interrupted");
        } finally {
            assertTrue(Thread.interrupted(), "the interrupt status is left set when nothing waited");
        }
    }

    /** Interrupting a caller parked in join(Duration) wakes it with InterruptedException; the task runs on. */
    @RepeatedTest(20)
    void timedJoinInterruptedWhileWaiting() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Task<Integer> t = rt.spawn(() -> { release.await(); return 1; });
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread joiner = Thread.ofPlatform().start(() -> {
            try {
                t.join(Duration.ofDays(1));
                outcome.complete(null);
            } catch (Throwable e) {
                outcome.complete(e);
            }
        });
        TestSupport.awaitParked(joiner);
        joiner.interrupt();
        assertInstanceOf(InterruptedException.class, outcome.get(10, TimeUnit.SECONDS), "join(Duration) outcome");
        assertFalse(t.isDone(), "interrupting the joiner does not touch the task");
        release.countDown();
        assertEquals(1, t.join());
    }

    /**
     * A carrier's own platform thread (where Netty handlers run) must not wait for a task: the
     * carrier could not run it. run() and join() refuse with IllegalStateException instead of
     * deadlocking; a join that needs no wait still works there.
     */
    @RepeatedTest(5)
    void carrierThreadMustNotBlock() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        Task<Integer> pending = rt.spawn(() -> { release.await(); return 1; });
        Task<Integer> ended = rt.spawn(() -> 2);
        assertEquals(2, ended.join());
        CompletableFuture<List<String>> seen = new CompletableFuture<>();
        dev.weft.core.spi.RuntimeAccess.eventLoopGroup(rt).next().execute(() -> {
            List<String> r = new ArrayList<>();
            r.add(outcome(() -> rt.run(() -> 3)));
            r.add(outcome(pending::join));
            r.add(outcome(() -> pending.join(Duration.ofSeconds(1))));
            r.add(outcome(() -> pending.join(Duration.ZERO)));
            r.add(outcome(ended::join));
            r.add(outcome(() -> ended.join(Duration.ofSeconds(1))));
            seen.complete(r);
        });
        List<String> r = seen.get(10, TimeUnit.SECONDS); // a deadlocked carrier would never answer
        assertTrue(r.get(0).startsWith("IllegalStateException") && r.get(0).contains("WeftRuntime.run"), r.get(0));
        assertTrue(r.get(1).startsWith("IllegalStateException") && r.get(1).contains("carrier thread"), r.get(1));
        assertTrue(r.get(2).startsWith("IllegalStateException"), r.get(2));
        assertTrue(r.get(3).startsWith("TimeoutException"), "a zero-timeout poll does not block: " + r.get(3));
        assertEquals(List.of("2", "2"), r.subList(4, 6), "an ended task's result needs no wait");
        assertFalse(pending.isDone());
        release.countDown();
        assertEquals(1, pending.join());
        assertEquals(3, rt.run(() -> 3), "the runtime is unharmed");
    }

    /**
     * A task that joins its own handle is refused with IllegalStateException at once (it waited
     * forever for its own end); a poll of its own handle still reports it running.
     */
    @RepeatedTest(20)
    void aTaskJoiningItselfIsRefused() throws Exception {
        Task<List<String>> t = rt.spawn("narcissus", () -> {
            Task<?> self = Weft.currentTask().orElseThrow();
            return List.of(outcome(self::join), outcome(() -> self.join(Duration.ofSeconds(30))),
                    outcome(() -> self.join(Duration.ZERO)));
        });
        try {
            List<String> r = t.join(Duration.ofSeconds(10));
            assertTrue(r.get(0).startsWith("IllegalStateException") && r.get(0).contains("narcissus")
                    && r.get(0).contains("Task.join()"), r.get(0));
            assertTrue(r.get(1).startsWith("IllegalStateException") && r.get(1).contains("Task.join(Duration)"), r.get(1));
            assertTrue(r.get(2).startsWith("TimeoutException"), "a zero-timeout poll does not wait: " + r.get(2));
        } finally {
            t.cancel(); // a task stuck joining itself would keep the runtime from a clean shutdown
        }
    }

    private static String outcome(Callable<?> c) {
        try {
            return String.valueOf(c.call());
        } catch (Exception e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage();
        }
    }
}
