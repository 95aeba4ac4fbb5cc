package dev.weft.structured;

import static dev.weft.structured.TestSupport.await;
import static dev.weft.core.testsupport.InterruptRun.assertInterruptedException;
import static org.junit.jupiter.api.Assertions.*;

import dev.weft.core.WeftRuntime;
import dev.weft.core.testsupport.InterruptRun;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.core.spi.RuntimeStats;
import dev.weft.core.sync.Channel;
import dev.weft.core.sync.ReceiveResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Interrupted-before and interrupted-during for every parking method of the structured module,
 * one table row per method, each run by a plain virtual thread, a platform thread and a Weft task
 * (the pattern of core's {@code dev.weft.core.sync.InterruptTableTest}). Scopes are owned by the
 * thread that opens them, so each kind of thread is an owner here; outside a runtime the forks
 * run on the shared one.
 *
 * <p>A row's fixture is made not ready (its forks wait until released) or ready (its forks have
 * returned, its channel holds a value). The contract checked, as documented:
 * <ul>
 *   <li>an owner waiting for its forks ({@link Scope#join()}, {@link Structured#join},
 *       {@link Structured#tryJoin}, {@link Structured#race}, {@link Structured#timeout}),
 *       interrupted before or while waiting: the scope is cancelled (every fork sees the
 *       interrupt) and {@link InterruptedException} comes only once every fork has ended (for
 *       {@code Scope.join}: {@code close} waits for them). The forks here linger after their
 *       interrupt until the test lets them go, and the call must still be waiting then;</li>
 *   <li>{@link Fork#join()}: interrupted before or while waiting, throws and leaves the fork
 *       running; a fork that has ended gives its value and the status is kept (as
 *       {@code FutureTask.get} and core's {@code Task.join});</li>
 *   <li>{@link JoinSet#joinNext()}, {@link JoinSet#joinAll()} and the selects: throw and take
 *       nothing (the result, the channel's value stays for the next caller), ready or not;</li>
 *   <li>{@link InterruptedException} always comes with the status cleared, within 10 s (every
 *       wait is 30 s or more, so a timeout cannot pass for a wake-up).</li>
 * </ul>
 */
class StructuredInterruptTableTest {
    static final Duration TIMED = Duration.ofSeconds(30);
    static WeftRuntime rt;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("structured-interrupts").carriers(2).build();
    }

    @AfterAll
    static void stop() {
        assertTrue(rt.shutdown(Duration.ofSeconds(5)).isClean());
    }

    interface Fixture {
        Object op() throws Exception;

        /** Before the interrupt of a parked call: what it waits for is under way (its forks started). */
        default void awaitWaiting() {}

        /** After the interrupt, before the call is awaited: lets lingering forks end, checking the call waits for them. */
        default void whileEnding(Thread caller, InterruptRun run) throws Exception {}

        /** After the call ended: nothing was consumed or lost, what had to end has ended. */
        default void assertAfter(InterruptRun run) throws Exception {}

        default void cleanUp() {}
    }

    interface Factory {
        Fixture make(boolean ready) throws Exception;
    }

    /** @param returnsWhenReady whether an interrupted call returns when ready (reads a value, consumes nothing) */
    record Row(String name, Factory fixture, boolean returnsWhenReady) {
        @Override
        public String toString() {
            return name;
        }
    }

    enum Runner { VIRTUAL_THREAD, PLATFORM_THREAD, WEFT_TASK }

    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("Scope.join", StructuredInterruptTableTest::scopeJoin, false));
        rows.add(new Row("Structured.join(a, b)", ready -> owner(ready, 2, b -> Structured.join(b.body("a"), b.body("b"))), false));
        rows.add(new Row("Structured.join(List)", ready -> owner(ready, 2, b -> Structured.join(List.of(b.body("a"), b.body("b")))), false));
        rows.add(new Row("Structured.tryJoin(a, b)", ready -> owner(ready, 2, b -> Structured.tryJoin(b.body("a"), b.body("b"))), false));
        rows.add(new Row("Structured.tryJoin(List)", ready -> owner(ready, 2, b -> Structured.tryJoin(List.of(b.body("a"), b.body("b")))), false));
        rows.add(new Row("Structured.race", ready -> owner(ready, 2, b -> Structured.race(b.body("a"), b.body("b"))), false));
        rows.add(new Row("Structured.timeout", ready -> owner(ready, 1, b -> Structured.timeout(TIMED, b.body("a"))), false));
        rows.add(new Row("Fork.join", StructuredInterruptTableTest::forkJoin, true));
        rows.add(new Row("JoinSet.joinNext", ready -> joinSet(ready, false), false));
        rows.add(new Row("JoinSet.joinAll", ready -> joinSet(ready, true), false));
        rows.add(new Row("Structured.select(channel, Clauses.after)", ready -> select(ready, false), false));
        rows.add(new Row("Structured.select(Duration, channel)", ready -> select(ready, true), false));
        return rows;
    }

    static Stream<Arguments> table() {
        List<Arguments> out = new ArrayList<>();
        for (Row r : rows()) {
            for (Runner k : Runner.values()) {
                out.add(Arguments.of(r, k));
            }
        }
        return out.stream();
    }

    // ---- forks that linger after their cancellation ----------------------------------------------

    /** Fork bodies: not ready, they wait for {@link #release}; interrupted, they linger until {@link #linger}. */
    static final class Bodies {
        final int n;
        final boolean ready;
        final CountDownLatch release = new CountDownLatch(1);
        final CountDownLatch linger = new CountDownLatch(1);
        final AtomicInteger started = new AtomicInteger();
        final AtomicInteger interrupted = new AtomicInteger();
        final AtomicInteger ended = new AtomicInteger();
        volatile int endedWhenCallEnded = -1;
        volatile int startedWhenCallEnded = -1;

        Bodies(int n, boolean ready) {
            this.n = n;
            this.ready = ready;
        }

        Callable<String> body(String value) {
            return () -> {
                started.incrementAndGet();
                try {
                    if (!ready) {
                        try {
                            assertTrue(release.await(30, TimeUnit.SECONDS), "fork not released within 30 s");
                        } catch (InterruptedException e) {
                            interrupted.incrementAndGet();
                            awaitUninterruptibly(linger);
                            throw e;
                        }
                    }
                    return value;
                } finally {
                    ended.incrementAndGet();
                }
            };
        }

        /**
         * Not ready: every fork that started saw the cancellation and lingers (a fork cancelled
         * before its body started never runs it); the call must still be waiting for them.
         */
        void whileEnding(Thread caller, InterruptRun run) {
            if (ready) {
                return;
            }
            await("every started fork to see the cancellation (" + interrupted.get() + " of " + started.get() + ")",
                    () -> run.outcome.isDone() || (started.get() > 0 && interrupted.get() == started.get()));
            if (interrupted.get() > 0) {
                TestSupport.awaitParked(caller);
                assertFalse(run.outcome.isDone(), "the call ended while its forks were still running: " + run.outcome);
                assertEquals(0, ended.get());
            }
            linger.countDown();
        }

        /** Marks the end of the call (in its thread, as it returns or throws). */
        void callEnded() {
            startedWhenCallEnded = started.get();
            endedWhenCallEnded = ended.get();
        }

        void assertAllEndedWithTheCall() {
            assertEquals(startedWhenCallEnded, endedWhenCallEnded, "the call ended before all its forks had");
        }

        void awaitStarted() {
            await("the forks to start", () -> started.get() == n);
        }

        void cleanUp() {
            release.countDown();
            linger.countDown();
        }
    }

    static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try {
            while (latch.getCount() > 0 && System.nanoTime() - deadline < 0) {
                try {
                    latch.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Spins (bounded, ignoring and keeping the caller's interrupt status) until {@code done};
     * yields with {@code Weft.yieldNow()}, so a task does not hold its carrier from its forks.
     */
    static void spinUntil(String what, java.util.function.BooleanSupplier done) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after 10 s waiting for: " + what);
            }
            dev.weft.core.Weft.yieldNow();
        }
    }

    interface OwnerCall {
        Object call(Bodies b) throws Exception;
    }

    /** A call that opens a scope, forks the bodies and waits for them as their owner. */
    static Fixture owner(boolean ready, int n, OwnerCall call) {
        Bodies b = new Bodies(n, ready);
        return new Fixture() {
            public Object op() throws Exception {
                try {
                    return call.call(b);
                } finally {
                    b.callEnded();
                }
            }

            public void awaitWaiting() {
                b.awaitStarted();
            }

            public void whileEnding(Thread caller, InterruptRun run) {
                b.whileEnding(caller, run);
            }

            public void assertAfter(InterruptRun run) {
                b.assertAllEndedWithTheCall();
            }

            public void cleanUp() {
                b.cleanUp();
            }
        };
    }

    static Fixture scopeJoin(boolean ready) {
        Bodies b = new Bodies(2, ready);
        AtomicReference<Scope> scope = new AtomicReference<>();
        List<Fork<String>> forks = new ArrayList<>();
        AtomicReference<Boolean> doneWhenJoinThrew = new AtomicReference<>();
        return new Fixture() {
            public Object op() throws Exception {
                try (Scope s = Scope.open("interrupt-table")) {
                    scope.set(s);
                    forks.add(s.fork("a", b.body("a")));
                    forks.add(s.fork("b", b.body("b")));
                    // Interrupted before join (the status may already be set): forks under way.
                    spinUntil("the forks to start", () -> b.started.get() == 2);
                    if (ready) {
                        spinUntil("the forks to return", () -> forks.stream().allMatch(Fork::isDone));
                    }
                    try {
                        s.join();
                    } catch (InterruptedException e) {
                        doneWhenJoinThrew.set(forks.stream().allMatch(Fork::isDone));
                        throw e;
                    }
                    return forks.get(0).resultNow();
                } finally {
                    b.callEnded();
                }
            }

            public void awaitWaiting() {
                b.awaitStarted();
            }

            public void whileEnding(Thread caller, InterruptRun run) {
                b.whileEnding(caller, run);
            }

            public void assertAfter(InterruptRun run) {
                assertNotNull(doneWhenJoinThrew.get(), "join did not throw InterruptedException");
                if (!ready) {
                    assertFalse(doneWhenJoinThrew.get(), "join waited for the forks (close is what should)");
                    assertTrue(scope.get().isCancelled(), "the owner's interrupt did not cancel the scope");
                    for (Fork<String> f : forks) {
                        assertEquals(Fork.State.CANCELLED, f.state(), f.name());
                    }
                }
                b.assertAllEndedWithTheCall(); // close waited for them
            }

            public void cleanUp() {
                b.cleanUp();
            }
        };
    }

    /** A scope owned by a task of {@link #rt}, whose fork the caller joins; not ready, it runs until released. */
    static Fixture forkJoin(boolean ready) throws Exception {
        CountDownLatch release = new CountDownLatch(ready ? 0 : 1);
        CompletableFuture<Fork<String>> fork = new CompletableFuture<>();
        dev.weft.core.Task<String> owner = rt.spawn("fork-join-owner", () -> {
            try (Scope s = Scope.open("fork-join")) {
                Fork<String> f = s.fork("f", () -> {
                    assertTrue(release.await(30, TimeUnit.SECONDS), "fork not released within 30 s");
                    return "v";
                });
                fork.complete(f);
                s.join();
                return f.resultNow();
            }
        });
        Fork<String> f = fork.get(10, TimeUnit.SECONDS);
        if (ready) {
            await("the fork to end", f::isDone);
        }
        return new Fixture() {
            public Object op() throws Exception {
                return f.join();
            }

            public void assertAfter(InterruptRun run) throws Exception {
                if (!ready) {
                    assertEquals(Fork.State.RUNNING, f.state(), "interrupting a joiner affected the fork");
                    release.countDown();
                }
                assertEquals("v", owner.join(Duration.ofSeconds(10)));
                assertEquals(Fork.State.SUCCEEDED, f.state());
                assertEquals("v", f.join());
            }

            public void cleanUp() {
                release.countDown();
            }
        };
    }

    /** A set (owned by the test thread) with one task; not ready, it runs until released. */
    static Fixture joinSet(boolean ready, boolean all) {
        CountDownLatch release = new CountDownLatch(ready ? 0 : 1);
        JoinSet<String> set = new JoinSet<>("interrupt-table");
        Fork<String> task = set.spawn(() -> {
            assertTrue(release.await(30, TimeUnit.SECONDS), "task not released within 30 s");
            return "v";
        });
        if (ready) {
            await("the task to end", task::isDone);
        }
        return new Fixture() {
            public Object op() throws Exception {
                return all ? set.joinAll() : set.joinNext();
            }

            public void assertAfter(InterruptRun run) throws Exception {
                assertEquals(1, set.size(), "the interrupted call took the result");
                if (!ready) {
                    assertEquals(Fork.State.RUNNING, task.state(), "interrupting a joiner affected the task");
                    release.countDown();
                }
                if (all) {
                    assertEquals(List.of("v"), set.joinAll(), "the result was lost");
                } else {
                    Optional<JoinResult<String>> r = set.joinNext();
                    assertTrue(r.isPresent() && r.get() instanceof JoinResult.Success<String> s && s.value().equals("v"),
                            "the result was lost: " + r);
                }
                assertTrue(set.isEmpty());
            }

            public void cleanUp() {
                release.countDown();
                set.close();
            }
        };
    }

    /** A select over a channel's receive and a timer (a timer clause or the timed select). */
    static Fixture select(boolean ready, boolean timed) {
        Channel<Integer> ch = Channel.bounded(1);
        if (ready) {
            assertTrue(ch.trySend(3), "could not send");
        }
        return new Fixture() {
            public Object op() throws Exception {
                return timed ? Structured.select(TIMED, ch.onReceive())
                        : Structured.select(ch.onReceive(), Clauses.after(TIMED).map(d -> -1));
            }

            public void assertAfter(InterruptRun run) throws Exception {
                if (!ready) {
                    ch.send(3);
                }
                assertEquals(new ReceiveResult.Value<>(3), ch.tryReceive(), "the value was consumed");
            }
        };
    }

    // ---- running a call on each kind of thread --------------------------------------------------

    static InterruptRun start(Runner kind, Fixture f, boolean interruptFirst) {
        return InterruptRun.start(f::op, interruptFirst, switch (kind) {
            case VIRTUAL_THREAD -> InterruptRun.VIRTUAL_THREAD;
            case PLATFORM_THREAD -> InterruptRun.PLATFORM_THREAD;
            case WEFT_TASK -> InterruptRun.onTask(rt);
        });
    }

    /** A Weft task's call left no timer armed on {@link #rt}'s wheels (timeouts, timer clauses). */
    static void assertNoTimerLeft(Runner kind, Row row) {
        if (kind == Runner.WEFT_TASK) {
            await(row + ": the call's timers to be cancelled", () -> {
                int n = 0;
                for (RuntimeStats.Carrier c : RuntimeAccess.stats(rt).carriers()) {
                    n += c.timersPending();
                }
                return n == 0;
            });
        }
    }

    // ---- the tests ---------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} on a {1}")
    @MethodSource("table")
    void interruptedBeforeNotReady(Row row, Runner kind) throws Exception {
        Fixture f = row.fixture().make(false);
        try {
            InterruptRun run = start(kind, f, true);
            f.whileEnding(run.thread.get(10, TimeUnit.SECONDS), run);
            run.assertEndsWithInterruptedException(row + " interrupted before");
            f.assertAfter(run);
            assertNoTimerLeft(kind, row);
        } finally {
            f.cleanUp();
        }
    }

    @ParameterizedTest(name = "{0} on a {1}")
    @MethodSource("table")
    void interruptedBeforeReady(Row row, Runner kind) throws Exception {
        Fixture f = row.fixture().make(true);
        try {
            InterruptRun run = start(kind, f, true);
            f.whileEnding(run.thread.get(10, TimeUnit.SECONDS), run);
            Throwable t = run.awaitEnd(row + " interrupted before, ready");
            if (row.returnsWhenReady()) {
                assertNull(t, row + " must return what is there even if interrupted");
                assertTrue(run.interruptedAtEnd, "the interrupt status was swallowed");
            } else {
                assertInterruptedException(t, row + " interrupted before, ready");
                assertFalse(run.interruptedAtEnd, "InterruptedException thrown with the status still set");
            }
            f.assertAfter(run);
            assertNoTimerLeft(kind, row);
        } finally {
            f.cleanUp();
        }
    }

    @ParameterizedTest(name = "{0} on a {1}")
    @MethodSource("table")
    void interruptedWhileParked(Row row, Runner kind) throws Exception {
        Fixture f = row.fixture().make(false);
        try {
            InterruptRun run = start(kind, f, false);
            Thread t = run.thread.get(10, TimeUnit.SECONDS);
            f.awaitWaiting();
            TestSupport.awaitParked(t);
            assertFalse(run.outcome.isDone(), row + " returned without waiting: " + run.outcome);
            t.interrupt();
            f.whileEnding(t, run);
            run.assertEndsWithInterruptedException(row + " interrupted while parked");
            f.assertAfter(run);
            assertNoTimerLeft(kind, row);
        } finally {
            f.cleanUp();
        }
    }
}
