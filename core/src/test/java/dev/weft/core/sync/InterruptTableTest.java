package dev.weft.core.sync;

import static dev.weft.core.testsupport.InterruptRun.assertInterruptedException;
import static org.junit.jupiter.api.Assertions.*;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.core.testsupport.InterruptRun;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Interrupted-before and interrupted-during for every parking method of core's public API except
 * {@link Channel}'s own (those are in {@link ChannelInterruptTest}), one table row per method, each
 * run by a plain virtual thread, a platform thread and a Weft task (on a carrier in carrier mode).
 *
 * <p>Every row says how to make its method ready (what lets it return) and how to check that an
 * interrupted call lost nothing (the value, permit, notification or arrival is still there for
 * the next caller). The contract checked:
 * <ul>
 *   <li>interrupted before, not ready: throws {@link InterruptedException}, clears the status;</li>
 *   <li>interrupted before, ready: throws and consumes nothing; except the methods that only read
 *       a value that is already there ({@link OnceCell}, {@link Task#join()}), which return it and
 *       leave the interrupt status set, as {@code FutureTask.get} does;</li>
 *   <li>interrupted while parked: wakes promptly (within 10 s; timed variants wait 30 s, so a
 *       timeout cannot pass for a wake-up) with {@link InterruptedException}, and what is made
 *       ready afterwards goes to the next caller, not to the gone waiter.</li>
 * </ul>
 */
class InterruptTableTest {
    static final Duration TIMED = Duration.ofSeconds(30);
    static WeftRuntime rt;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("interrupts").carriers(2).build();
    }

    @AfterAll
    static void stop() {
        assertTrue(rt.shutdown(Duration.ofSeconds(5)).isClean());
    }

    /** One primitive in one state; a fresh one per test. */
    interface Fixture {
        /** The parking call under test. */
        Object op() throws Exception;

        /** Makes {@link #op()} able to return (sends the value, releases the permits, ...). */
        void makeReady() throws Exception;

        /** After an interrupted {@link #op()} and {@link #makeReady()}: nothing was consumed or lost. */
        void assertNothingLost() throws Exception;

        /** Undoes what the fixture started (helper threads), whatever happened. */
        default void cleanUp() {}
    }

    /**
     * @param name               the method
     * @param fixture            a fresh fixture
     * @param returnsWhenReady   whether an interrupted call returns when ready (reads, no consumption)
     */
    record Row(String name, Supplier<Fixture> fixture, boolean returnsWhenReady) {
        @Override
        public String toString() {
            return name;
        }
    }

    enum Runner { VIRTUAL_THREAD, PLATFORM_THREAD, WEFT_TASK }

    static List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        for (boolean timed : new boolean[] {false, true}) {
            String t = timed ? "(Duration)" : "()";
            rows.add(new Row("Barrier.await" + t, () -> barrier(timed), false));
            rows.add(new Row("BroadcastReceiver.receive" + t, () -> broadcast(timed), false));
            rows.add(new Row("CancellationToken.awaitCancelled" + t, () -> token(timed), false));
            rows.add(new Row("Notify.notified" + t, () -> notify(timed), false));
            rows.add(new Row("OnceCell.await" + t, () -> onceCellAwait(timed), true));
            rows.add(new Row("OnceCell.getOrInit" + t, () -> onceCellGetOrInit(timed), true));
            rows.add(new Row("Oneshot.receive" + t, () -> oneshot(timed), false));
            rows.add(new Row("WatchReceiver.changed" + t, () -> watch(timed), false));
            rows.add(new Row("Task.join" + t, () -> join(timed), true));
        }
        rows.add(new Row("Semaphore.acquire()", () -> semaphore(0), false));
        rows.add(new Row("Semaphore.acquire(n)", () -> semaphore(1), false));
        rows.add(new Row("Semaphore.acquire(n, Duration)", () -> semaphore(2), false));
        rows.add(new Row("Select.selectBiased", () -> select(0), false));
        rows.add(new Row("Select.select(List)", () -> select(1), false));
        rows.add(new Row("Select.select(Duration, ...) over Oneshot and Notify", () -> select(2), false));
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

    // ---- the rows ------------------------------------------------------------------------------

    static Fixture barrier(boolean timed) {
        Barrier b = new Barrier(2);
        List<Threads.Task<Optional<Boolean>>> others = new ArrayList<>();
        return new Fixture() {
            public Object op() throws Exception {
                return timed ? b.await(TIMED) : b.await();
            }

            public void makeReady() {
                Threads.Task<Optional<Boolean>> other = Threads.start(() -> b.await(TIMED));
                Threads.awaitParked(other);
                others.add(other);
            }

            public void assertNothingLost() throws Exception {
                Threads.Task<Optional<Boolean>> other = others.get(0);
                assertFalse(other.isDone(), "the interrupted party's arrival was counted: the round tripped");
                b.await(); // the second party of the round: trips it
                assertTrue(other.get().isPresent(), "the waiting party did not trip with the next arrival");
            }

            public void cleanUp() {
                for (Threads.Task<?> o : others) {
                    o.thread.interrupt();
                }
            }
        };
    }

    static Fixture broadcast(boolean timed) {
        Broadcast<Integer> b = Broadcast.create(4);
        BroadcastReceiver<Integer> r = b.subscribe();
        return new Fixture() {
            public Object op() throws Exception {
                return timed ? r.receive(TIMED) : r.receive();
            }

            public void makeReady() {
                assertEquals(1, b.send(7));
            }

            public void assertNothingLost() {
                assertEquals(new BroadcastResult.Value<>(7), r.tryReceive(), "the value was consumed");
            }
        };
    }

    static Fixture token(boolean timed) {
        CancellationToken token = new CancellationToken();
        return new Fixture() {
            public Object op() throws Exception {
                if (timed) {
                    return token.awaitCancelled(TIMED);
                }
                token.awaitCancelled();
                return null;
            }

            public void makeReady() {
                token.cancel();
            }

            public void assertNothingLost() throws Exception {
                assertTrue(token.awaitCancelled(Duration.ZERO));
                assertTrue(token.isCancelled());
            }
        };
    }

    static Fixture notify(boolean timed) {
        Notify n = new Notify();
        return new Fixture() {
            public Object op() throws Exception {
                if (timed) {
                    return n.notified(TIMED);
                }
                n.notified();
                return null;
            }

            public void makeReady() {
                n.notifyOne();
            }

            public void assertNothingLost() throws Exception {
                assertTrue(n.notified(Duration.ZERO), "the notification was consumed by, or given to, the interrupted waiter");
            }
        };
    }

    static Fixture onceCellAwait(boolean timed) {
        OnceCell<String> cell = new OnceCell<>();
        return new Fixture() {
            public Object op() throws Exception {
                return timed ? cell.await(TIMED).orElseThrow() : cell.await();
            }

            public void makeReady() {
                assertTrue(cell.set("v"));
            }

            public void assertNothingLost() throws Exception {
                assertEquals("v", cell.await());
            }
        };
    }

    /** Another caller is initialising (parked in its initialiser) until made ready. */
    static Fixture onceCellGetOrInit(boolean timed) {
        OnceCell<String> cell = new OnceCell<>();
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean ownInitRan = new AtomicBoolean();
        Threads.Task<String> initialiser = Threads.start(() -> cell.getOrInit(() -> {
            assertTrue(release.await(30, TimeUnit.SECONDS));
            return "v";
        }));
        Threads.awaitParked(initialiser);
        return new Fixture() {
            public Object op() throws Exception {
                java.util.concurrent.Callable<String> init = () -> {
                    ownInitRan.set(true);
                    return "mine";
                };
                if (timed) {
                    return cell.getOrInit(init, TIMED).orElseThrow();
                }
                return cell.getOrInit(init);
            }

            public void makeReady() throws Exception {
                release.countDown();
                assertEquals("v", initialiser.get());
            }

            public void assertNothingLost() throws Exception {
                assertEquals("v", cell.getOrInit(() -> "late"));
                assertFalse(ownInitRan.get(), "the interrupted caller ran its initialiser");
            }

            public void cleanUp() {
                release.countDown();
            }
        };
    }

    static Fixture oneshot(boolean timed) {
        Oneshot<Integer> o = new Oneshot<>();
        return new Fixture() {
            public Object op() throws Exception {
                return timed ? o.receive(TIMED) : o.receive();
            }

            public void makeReady() {
                o.send(5);
            }

            public void assertNothingLost() {
                assertEquals(new ReceiveResult.Value<>(5), o.tryReceive(), "the value was consumed");
            }
        };
    }

    static Fixture watch(boolean timed) {
        Watch<Integer> w = new Watch<>(0);
        WatchReceiver<Integer> r = w.subscribe();
        return new Fixture() {
            public Object op() throws Exception {
                if (timed) {
                    return r.changed(TIMED);
                }
                r.changed();
                return null;
            }

            public void makeReady() {
                w.send(1);
            }

            public void assertNothingLost() {
                assertTrue(r.hasChanged(), "the change was marked seen");
                assertEquals(1, r.borrow());
            }
        };
    }

    static Fixture join(boolean timed) {
        CountDownLatch release = new CountDownLatch(1);
        Task<String> task = rt.spawn(() -> {
            assertTrue(release.await(30, TimeUnit.SECONDS));
            return "done";
        });
        return new Fixture() {
            public Object op() throws Exception {
                return timed ? task.join(TIMED) : task.join();
            }

            public void makeReady() throws Exception {
                release.countDown();
                task.join(Duration.ofSeconds(10));
            }

            public void assertNothingLost() throws Exception {
                assertFalse(task.isCancelled(), "interrupting a joiner cancelled the task");
                assertEquals("done", task.join());
            }

            public void cleanUp() {
                release.countDown();
            }
        };
    }

    /** 0: acquire(), 1: acquire(2), 2: acquire(2, Duration); all permits are held until made ready. */
    static Fixture semaphore(int variant) {
        Semaphore s = new Semaphore(2);
        SemaphorePermit[] held = {s.tryAcquire(2).orElseThrow()};
        return new Fixture() {
            public Object op() throws Exception {
                SemaphorePermit p = switch (variant) {
                    case 0 -> s.acquire();
                    case 1 -> s.acquire(2);
                    default -> s.acquire(2, TIMED).orElseThrow();
                };
                p.close();
                return null;
            }

            public void makeReady() {
                held[0].close();
            }

            public void assertNothingLost() {
                assertEquals(0, s.waiterCount(), "the interrupted waiter is still queued");
                assertEquals(2, s.availablePermits(), "permits leaked to the interrupted caller");
            }
        };
    }

    /** 0: selectBiased, 1: select(List), both over a channel's receive; 2: timed select over Oneshot and Notify. */
    static Fixture select(int variant) {
        Channel<Integer> ch = Channel.bounded(1);
        Oneshot<Integer> o = new Oneshot<>();
        Notify n = new Notify();
        return new Fixture() {
            public Object op() throws Exception {
                return switch (variant) {
                    case 0 -> Select.selectBiased(ch.onReceive());
                    case 1 -> Select.select(List.of(ch.onReceive()));
                    default -> Select.select(TIMED, o.onReceive(), n.onNotified().map(x -> -1)).orElseThrow();
                };
            }

            public void makeReady() throws Exception {
                if (variant < 2) {
                    ch.send(3);
                } else {
                    o.send(3);
                    n.notifyOne();
                }
            }

            public void assertNothingLost() throws Exception {
                if (variant < 2) {
                    assertEquals(new ReceiveResult.Value<>(3), ch.tryReceive(), "the value was consumed");
                } else {
                    assertEquals(new ReceiveResult.Value<>(3), o.tryReceive(), "the oneshot's value was consumed");
                    assertTrue(n.notified(Duration.ZERO), "the notification was consumed");
                }
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

    // ---- the tests ---------------------------------------------------------------------------------

    /** Interrupted before the call, when it would park: throws at once, clears the status, lost nothing. */
    @ParameterizedTest(name = "{0} on a {1}")
    @MethodSource("table")
    void interruptedBeforeNotReady(Row row, Runner kind) throws Exception {
        Fixture f = row.fixture().get();
        try {
            InterruptRun run = start(kind, f, true);
            run.assertEndsWithInterruptedException(row + " interrupted before");
            f.makeReady();
            f.assertNothingLost();
        } finally {
            f.cleanUp();
        }
    }

    /**
     * Interrupted before the call, when it could return at once: a consuming call throws and takes
     * nothing; a reading call returns the value and keeps the interrupt status.
     */
    @ParameterizedTest(name = "{0} on a {1}")
    @MethodSource("table")
    void interruptedBeforeReady(Row row, Runner kind) throws Exception {
        Fixture f = row.fixture().get();
        try {
            f.makeReady();
            InterruptRun run = start(kind, f, true);
            Throwable t = run.awaitEnd(row + " interrupted before, ready");
            if (row.returnsWhenReady()) {
                assertNull(t, row + " must return the value that is there even if interrupted");
                assertTrue(run.interruptedAtEnd, "the interrupt status was swallowed");
            } else {
                assertInterruptedException(t, row + " interrupted before, ready");
                assertFalse(run.interruptedAtEnd, "InterruptedException thrown with the status still set");
            }
            f.assertNothingLost();
        } finally {
            f.cleanUp();
        }
    }

    /** Interrupted while parked: wakes with InterruptedException; what comes later goes to the next caller. */
    @ParameterizedTest(name = "{0} on a {1}")
    @MethodSource("table")
    void interruptedWhileParked(Row row, Runner kind) throws Exception {
        Fixture f = row.fixture().get();
        try {
            InterruptRun run = start(kind, f, false);
            Thread t = run.thread.get(10, TimeUnit.SECONDS);
            Threads.awaitParked(t);
            assertFalse(run.outcome.isDone(), row + " returned without waiting: " + run.outcome);
            t.interrupt();
            run.assertEndsWithInterruptedException(row + " interrupted while parked");
            f.makeReady();
            f.assertNothingLost();
        } finally {
            f.cleanUp();
        }
    }
}
