package dev.weft.timers;

import static dev.weft.timers.TimersTestSupport.await;
import static dev.weft.timers.TimersTestSupport.pendingTimers;
import static dev.weft.core.testsupport.InterruptRun.assertInterruptedException;
import static org.junit.jupiter.api.Assertions.*;

import dev.weft.core.WeftRuntime;
import dev.weft.core.testsupport.InterruptRun;
import java.lang.reflect.Field;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Interrupted-before and interrupted-during for every parking method of the timers module, one
 * table row per method, each run by a plain virtual thread, a platform thread and a Weft task
 * (the pattern of core's {@code dev.weft.core.sync.InterruptTableTest}); the rows whose waits
 * take another path in virtual time (sleeps, timeouts, {@code ScheduledFuture.get} of an
 * executor on a test clock) also by a task of a runtime on a paused {@link TestClock}.
 *
 * <p>A row's fixture is made either not ready (the wait would park: a 30 s sleep, a tick 30 s
 * away, a task an hour away) or ready (it could return at once: a zero sleep, a due tick, a done
 * future). The contract checked, as documented:
 * <ul>
 *   <li>interrupted before, not ready: throws {@link InterruptedException}, clears the status;</li>
 *   <li>interrupted before, ready: the sleeps and {@link Interval#tick()} throw ("interrupted on
 *       entry") and consume nothing (the due tick is still there);
 *       {@link ScheduledFuture#get()} returns the value and keeps the status (as
 *       {@code FutureTask.get}), and so does {@code awaitTermination} of a terminated executor
 *       (as {@code ThreadPoolExecutor}'s); {@link Time#timeout} runs a body that does not park and keeps
 *       an interrupt it did not send;</li>
 *   <li>interrupted while parked: wakes promptly with {@link InterruptedException} (within 10 s;
 *       every wait is 30 s or more, so a timeout cannot pass for a wake-up).</li>
 * </ul>
 * Afterwards nothing was consumed or left behind: the interval's next tick is unchanged, the
 * scheduled task is neither cancelled nor run, and a Weft task's wheel has no timer left armed.
 */
class TimersInterruptTableTest {
    static final Duration TIMED = Duration.ofSeconds(30);
    static WeftRuntime rt;
    /** A runtime on a paused test clock (no auto-advance): its waits are in virtual time that never moves. */
    static WeftRuntime vrt;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("timers-interrupts").carriers(2).build();
        vrt = new TestClock().newRuntime(WeftRuntime.builder().name("timers-interrupts-virtual").carriers(1));
    }

    @AfterAll
    static void stop() {
        assertTrue(rt.shutdown(Duration.ofSeconds(5)).isClean());
        assertTrue(vrt.shutdown(Duration.ofSeconds(5)).isClean());
    }

    interface Fixture {
        Object op() throws Exception;

        /** After the interrupted (or returned) call: nothing was consumed or lost. */
        default void assertNothingLost() throws Exception {}

        default void cleanUp() {}
    }

    /** The rows' fixture factories take {@code ready} and the runtime the caller's tasks (and the executors) use. */
    interface Factory {
        Fixture make(boolean ready, WeftRuntime runtime) throws Exception;
    }

    /**
     * @param returnsWhenReady whether an interrupted call returns when ready (reads, no consumption)
     * @param virtualTime      whether it also runs in a task of a test-clock runtime
     */
    record Row(String name, Factory fixture, boolean returnsWhenReady, boolean virtualTime) {
        @Override
        public String toString() {
            return name;
        }
    }

    enum Runner {
        VIRTUAL_THREAD, PLATFORM_THREAD, WEFT_TASK, TEST_CLOCK_TASK;

        WeftRuntime runtime() {
            return this == TEST_CLOCK_TASK ? vrt : rt;
        }
    }

    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row("Time.sleep", (ready, r) -> () -> {
            Time.sleep(ready ? Duration.ZERO : TIMED);
            return null;
        }, false, true));
        rows.add(new Row("Time.sleepUntil(Instant)", (ready, r) -> {
            Instant at = ready ? Instant.now().minusSeconds(1) : Instant.now().plus(TIMED);
            return () -> {
                Time.sleepUntil(at);
                return null;
            };
        }, false, true));
        rows.add(new Row("Time.sleepUntil(Deadline)", (ready, r) -> {
            Deadline at = Deadline.after(ready ? Duration.ofSeconds(-1) : TIMED);
            return () -> {
                Time.sleepUntil(at);
                return null;
            };
        }, false, false));
        rows.add(new Row("Interval.tick", (ready, r) -> interval(ready), false, false));
        rows.add(new Row("Time.timeout body", (ready, r) -> () -> Time.timeout(TIMED, () -> {
            if (!ready) {
                Time.sleep(TIMED);
            }
            return "body";
        }), true, true));
        rows.add(new Row("Deadline.within body", (ready, r) -> () -> Deadline.within(Deadline.after(TIMED), () -> {
            if (!ready) {
                Time.sleep(TIMED);
            }
            return "body";
        }), true, true));
        rows.add(new Row("ScheduledFuture.get()", (ready, r) -> scheduledGet(ready, r, false), true, true));
        rows.add(new Row("ScheduledFuture.get(timeout)", (ready, r) -> scheduledGet(ready, r, true), true, true));
        rows.add(new Row("WheelScheduledExecutor.awaitTermination", TimersInterruptTableTest::awaitTermination, true, true));
        return rows;
    }

    static Stream<Arguments> table() {
        List<Arguments> out = new ArrayList<>();
        for (Row r : rows()) {
            for (Runner k : Runner.values()) {
                if (k != Runner.TEST_CLOCK_TASK || r.virtualTime()) {
                    out.add(Arguments.of(r, k));
                }
            }
        }
        return out.stream();
    }

    // ---- the rows ------------------------------------------------------------------------------

    static final Field NEXT;

    static {
        try {
            NEXT = Interval.class.getDeclaredField("next");
            NEXT.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Ready: the first tick is due now; not ready: it is 30 s away. Either way it must stay. */
    static Fixture interval(boolean ready) throws Exception {
        Interval every = Time.intervalAt(Deadline.after(ready ? Duration.ofMillis(-1) : TIMED), Duration.ofHours(1));
        long due = NEXT.getLong(every);
        return new Fixture() {
            public Object op() throws Exception {
                return every.tick();
            }

            public void assertNothingLost() throws Exception {
                assertEquals(due, NEXT.getLong(every), "the interrupted tick moved the interval on");
                if (ready) {
                    assertEquals(due, every.tick(), "the next call did not get the tick the interrupted one left");
                }
            }
        };
    }

    static Fixture scheduledGet(boolean ready, WeftRuntime runtime, boolean timed) throws Exception {
        WheelScheduledExecutor ses = Timers.newScheduledExecutor(runtime);
        ScheduledFuture<String> f = ses.schedule(() -> "ran", ready ? 0 : 3600, TimeUnit.SECONDS);
        if (ready) {
            assertEquals("ran", f.get(10, TimeUnit.SECONDS));
        }
        return new Fixture() {
            public Object op() throws Exception {
                return timed ? f.get(TIMED.toSeconds(), TimeUnit.SECONDS) : f.get();
            }

            public void assertNothingLost() {
                assertFalse(f.isCancelled(), "interrupting a getter cancelled the task");
                if (!ready) {
                    assertFalse(f.isDone(), "the task ran early");
                    assertEquals(1, ses.queuedTaskCount(), "the task left the queue");
                }
            }

            public void cleanUp() {
                ses.shutdownNow();
            }
        };
    }

    /** Ready: the executor has terminated; not ready: a task an hour away keeps it from terminating. */
    static Fixture awaitTermination(boolean ready, WeftRuntime runtime) throws Exception {
        WheelScheduledExecutor ses = Timers.newScheduledExecutor(runtime);
        ScheduledFuture<?> f = ses.schedule(() -> {}, ready ? 0 : 3600, TimeUnit.SECONDS);
        ses.shutdown();
        if (ready) {
            f.get(10, TimeUnit.SECONDS);
            await("the executor to terminate", ses::isTerminated);
        }
        return new Fixture() {
            public Object op() throws Exception {
                return ses.awaitTermination(TIMED.toSeconds(), TimeUnit.SECONDS);
            }

            public void assertNothingLost() {
                if (!ready) {
                    assertFalse(ses.isTerminated());
                    assertFalse(f.isDone(), "interrupting a waiter ran or cancelled the delayed task");
                }
            }

            public void cleanUp() {
                ses.shutdownNow();
            }
        };
    }

    // ---- running a call on each kind of thread --------------------------------------------------

    static InterruptRun start(Runner kind, Fixture f, boolean interruptFirst) {
        return InterruptRun.start(f::op, interruptFirst, switch (kind) {
            case VIRTUAL_THREAD -> InterruptRun.VIRTUAL_THREAD;
            case PLATFORM_THREAD -> InterruptRun.PLATFORM_THREAD;
            case WEFT_TASK, TEST_CLOCK_TASK -> InterruptRun.onTask(kind.runtime());
        });
    }

    /** No wheel timer of the task's runtime is left armed by the call (the waits cancel theirs). */
    static void assertNoTimerLeft(Runner kind, Row row) {
        if ((kind == Runner.WEFT_TASK || kind == Runner.TEST_CLOCK_TASK) && !row.name().startsWith("ScheduledFuture")
                && !row.name().startsWith("WheelScheduledExecutor")) {
            await(row + ": the interrupted wait's timer to be cancelled", () -> pendingTimers(kind.runtime()) == 0);
        }
    }

    // ---- the tests ---------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} on a {1}")
    @MethodSource("table")
    void interruptedBeforeNotReady(Row row, Runner kind) throws Exception {
        Fixture f = row.fixture().make(false, kind.runtime());
        try {
            InterruptRun run = start(kind, f, true);
            run.assertEndsWithInterruptedException(row + " interrupted before");
            f.assertNothingLost();
            assertNoTimerLeft(kind, row);
        } finally {
            f.cleanUp();
        }
    }

    @ParameterizedTest(name = "{0} on a {1}")
    @MethodSource("table")
    void interruptedBeforeReady(Row row, Runner kind) throws Exception {
        Fixture f = row.fixture().make(true, kind.runtime());
        try {
            InterruptRun run = start(kind, f, true);
            Throwable t = run.awaitEnd(row + " interrupted before, ready");
            if (row.returnsWhenReady()) {
                assertNull(t, row + " must return what is there even if interrupted");
                assertTrue(run.interruptedAtEnd, "the interrupt status was swallowed");
            } else {
                assertInterruptedException(t, row + " interrupted before, ready");
                assertFalse(run.interruptedAtEnd, "InterruptedException thrown with the status still set");
            }
            f.assertNothingLost();
            assertNoTimerLeft(kind, row);
        } finally {
            f.cleanUp();
        }
    }

    @ParameterizedTest(name = "{0} on a {1}")
    @MethodSource("table")
    void interruptedWhileParked(Row row, Runner kind) throws Exception {
        Fixture f = row.fixture().make(false, kind.runtime());
        try {
            InterruptRun run = start(kind, f, false);
            Thread t = run.thread.get(10, TimeUnit.SECONDS);
            TimersTestSupport.awaitParked(t);
            assertFalse(run.outcome.isDone(), row + " returned without waiting: " + run.outcome);
            t.interrupt();
            run.assertEndsWithInterruptedException(row + " interrupted while parked");
            f.assertNothingLost();
            assertNoTimerLeft(kind, row);
        } finally {
            f.cleanUp();
        }
    }
}
