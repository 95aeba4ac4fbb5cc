package dev.weft.core.internal;

import dev.weft.core.SchedulerMode;
import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What a task may rely on when its worker thread ran another task before it (ADR 0003): no
 * thread-local values, a clear interrupt status, its own name, the worker's class loader, the
 * default uncaught exception handler; and a
 * burst of short tasks really shares workers.
 */
class TaskWorkerTest {
    private static final ThreadLocal<String> LOCAL = new ThreadLocal<>();
    private static final InheritableThreadLocal<String> INHERITABLE = new InheritableThreadLocal<>();

    private static WeftRuntime oneCarrier() {
        WeftRuntime rt = WeftRuntime.builder().carriers(1).build();
        assumeTrue(rt.schedulerMode() == SchedulerMode.CARRIER, "workers exist in carrier mode only");
        return rt;
    }

    private static CarrierStats stats(WeftRuntime rt) {
        return CoreBridge.core(rt).carriers().get(0).stats();
    }

    /** Short tasks spawned in a burst run one after another on the same worker thread. */
    @Test
    void aBurstOfShortTasksSharesWorkers() throws Exception {
        try (WeftRuntime rt = oneCarrier()) {
            List<Thread> threads = rt.run(() -> {
                List<Task<Thread>> ts = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    ts.add(rt.spawn(Thread::currentThread));
                }
                List<Thread> out = new ArrayList<>();
                for (Task<Thread> t : ts) {
                    out.add(t.join());
                }
                return out;
            });
            long distinct = threads.stream().distinct().count();
            assertTrue(distinct < 100, "1000 short tasks used " + distinct + " threads");
            assertTrue(stats(rt).tasksChained > 0, "no task was chained");
        }
    }

    /** Thread-locals a task set are gone for the next task on the same worker. */
    @RepeatedTest(5)
    void threadLocalsDoNotLeakToTheNextTask() throws Exception {
        try (WeftRuntime rt = oneCarrier()) {
            String[] seen = rt.run(() -> {
                Task<Thread> first = rt.spawn(() -> {
                    LOCAL.set("secret");
                    INHERITABLE.set("inherited secret");
                    return Thread.currentThread();
                });
                Task<String[]> second = rt.spawn(() -> new String[] {
                        LOCAL.get(), INHERITABLE.get(),
                        String.valueOf(Thread.currentThread() == first.join())});
                return second.join();
            });
            assertNull(seen[0], "ThreadLocal leaked");
            assertNull(seen[1], "InheritableThreadLocal leaked");
            // Not asserted: that the same thread was reused (that is an optimisation), only that
            // reuse, when it happens, is invisible.
        }
    }

    /** An interrupt left on the worker by an earlier task does not reach the next one. */
    @RepeatedTest(5)
    void interruptStatusDoesNotLeakToTheNextTask() throws Exception {
        try (WeftRuntime rt = oneCarrier()) {
            boolean[] interrupted = rt.run(() -> {
                Task<Thread> first = rt.spawn(() -> {
                    Thread.currentThread().interrupt(); // and end with the status set
                    return Thread.currentThread();
                });
                Task<boolean[]> second = rt.spawn(() -> new boolean[] {
                        Thread.currentThread().isInterrupted(), Thread.currentThread() == first.join()});
                return second.join();
            });
            assertFalse(interrupted[0], "the next task started interrupted");
        }
    }

    /** Each task sees its own name on the thread; an unnamed task sees an empty one. */
    @Test
    void theThreadCarriesTheTasksName() throws Exception {
        try (WeftRuntime rt = oneCarrier()) {
            String[] names = rt.run(() -> {
                Task<String> named = rt.spawn("alpha", () -> Thread.currentThread().getName());
                Task<String> unnamed = rt.spawn(() -> Thread.currentThread().getName());
                Task<String> other = rt.spawn("beta", () -> Thread.currentThread().getName());
                return new String[] {named.join(), unnamed.join(), other.join()};
            });
            assertEquals("alpha", names[0]);
            assertEquals("", names[1]);
            assertEquals("beta", names[2]);
        }
    }

    /**
     * A name an unnamed task gives its thread is not the next task's: an unnamed task sees an
     * empty name (as the task that ran before it on the worker was also unnamed, the worker had
     * nothing of its own to put back, and kept the name).
     */
    @RepeatedTest(5)
    void aNameAnUnnamedTaskSetsIsNotTheNextTasks() throws Exception {
        try (WeftRuntime rt = oneCarrier()) {
            String seen = rt.run(() -> {
                rt.spawn(() -> {
                    Thread.currentThread().setName("renamed by the first task");
                    return null;
                }).join();
                return rt.spawn(() -> Thread.currentThread().getName()).join();
            });
            assertEquals("", seen, "the second (unnamed) task saw the first task's thread name");
        }
    }

    /**
     * An uncaught exception handler a task installs on its thread is not the next task's: what
     * the next task (an executor's command, say) throws must not go to the first task's handler.
     */
    @RepeatedTest(5)
    void anUncaughtExceptionHandlerIsNotTheNextTasks() throws Exception {
        try (WeftRuntime rt = oneCarrier()) {
            Thread.UncaughtExceptionHandler installed = (t, e) -> { };
            boolean[] seen = rt.run(() -> {
                Thread first = rt.spawn(() -> {
                    Thread.currentThread().setUncaughtExceptionHandler(installed);
                    return Thread.currentThread();
                }).join();
                return rt.spawn(() -> new boolean[] {
                        Thread.currentThread().getUncaughtExceptionHandler() == installed,
                        Thread.currentThread() == first}).join();
            });
            assertFalse(seen[0], "the second task's thread kept the first task's uncaught exception handler"
                    + " (same worker: " + seen[1] + ")");
        }
    }

    /** A context class loader a task installs is not the next task's. */
    @Test
    void contextClassLoaderIsReset() throws Exception {
        try (WeftRuntime rt = oneCarrier()) {
            ClassLoader custom = new ClassLoader(null) { };
            ClassLoader[] seen = rt.run(() -> {
                Task<ClassLoader> first = rt.spawn(() -> {
                    ClassLoader before = Thread.currentThread().getContextClassLoader();
                    Thread.currentThread().setContextClassLoader(custom);
                    return before;
                });
                ClassLoader before = first.join();
                Task<ClassLoader> second = rt.spawn(() -> Thread.currentThread().getContextClassLoader());
                return new ClassLoader[] {before, second.join()};
            });
            assertSame(seen[0], seen[1], "the second task saw the first task's class loader");
        }
    }

    /**
     * A task that parks keeps its worker: the tasks spawned after it still run, on other workers,
     * and it resumes on its own thread.
     */
    @Test
    void aParkedTaskKeepsItsWorker() throws Exception {
        try (WeftRuntime rt = oneCarrier()) {
            CountDownLatch release = new CountDownLatch(1);
            AtomicReference<Thread> parkedOn = new AtomicReference<>();
            Task<Boolean> parked = rt.spawn(() -> {
                Thread me = Thread.currentThread();
                parkedOn.set(me);
                assertTrue(release.await(30, TimeUnit.SECONDS), "never released");
                return Thread.currentThread() == me;
            });
            List<Task<Thread>> others = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                others.add(rt.spawn(Thread::currentThread));
            }
            for (Task<Thread> t : others) {
                Thread th = t.join(java.time.Duration.ofSeconds(30));
                assertTrue(th != parkedOn.get(), "a task ran on the worker of a parked task");
            }
            release.countDown();
            assertTrue(parked.join(java.time.Duration.ofSeconds(30)), "the parked task resumed on another thread");
        }
    }

    /** Closing the runtime ends the idle workers: none is left parked. */
    @Test
    void closeEndsIdleWorkers() throws Exception {
        List<Thread> threads;
        try (WeftRuntime rt = oneCarrier()) {
            threads = rt.run(() -> {
                List<Task<Thread>> ts = new ArrayList<>();
                for (int i = 0; i < 50; i++) {
                    ts.add(rt.spawn(() -> {
                        dev.weft.core.Weft.yieldNow(); // so each task holds a worker while others start
                        return Thread.currentThread();
                    }));
                }
                List<Thread> out = new ArrayList<>();
                for (Task<Thread> t : ts) {
                    out.add(t.join());
                }
                return out;
            });
        }
        for (Thread t : threads) {
            assertTrue(t.join(java.time.Duration.ofSeconds(10)), "worker " + t + " still alive after close: " + t.getState());
        }
    }
}
