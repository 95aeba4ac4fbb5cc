package dev.weft.core;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.*;

/** Nothing is swallowed: a failure nobody joined is logged once, with the task's name. */
class TaskFailureLoggingTest {

    /** A failed task whose handle is dropped unjoined is logged once, naming the task. */
    @Test
    void unjoinedFailureIsLogged() throws Exception {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Logger jul = Logger.getLogger("dev.weft.core");
        Handler h = new Handler() {
            @Override public void publish(LogRecord r) { records.add(r); }
            @Override public void flush() { }
            @Override public void close() { }
        };
        jul.addHandler(h);
        try (WeftRuntime rt = WeftRuntime.builder().carriers(1).build()) {
            CountDownLatch ended = new CountDownLatch(1);
            spawnAndForget(rt, ended);
            ended.await();
            TestSupport.await("the unjoined failure to be logged", () -> {
                System.gc();
                return records.stream().anyMatch(r -> r.getMessage().contains("forgotten-task"));
            });
            assertEquals(1, records.stream().filter(r -> r.getMessage().contains("forgotten-task")).count());
            assertEquals("boom", records.stream().filter(r -> r.getMessage().contains("forgotten-task"))
                    .findFirst().orElseThrow().getThrown().getMessage());
        } finally {
            jul.removeHandler(h);
        }
    }

    /** A failure that was joined is not logged again. */
    @Test
    void joinedFailureIsNotLogged() throws Exception {
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Logger jul = Logger.getLogger("dev.weft.core");
        Handler h = new Handler() {
            @Override public void publish(LogRecord r) { records.add(r); }
            @Override public void flush() { }
            @Override public void close() { }
        };
        jul.addHandler(h);
        try (WeftRuntime rt = WeftRuntime.builder().carriers(1).build()) {
            Task<Object> t = rt.spawn("observed-task", () -> { throw new IllegalStateException("seen"); });
            assertThrows(TaskFailedException.class, t::join);
            t = null;
            // A control that must be logged: once the cleaner has reported it, it has also
            // processed the joined task's handle, which became unreachable before it.
            CountDownLatch ended = new CountDownLatch(1);
            spawnAndForget(rt, ended);
            ended.await();
            TestSupport.await("the control failure to be logged", () -> {
                System.gc();
                return records.stream().anyMatch(r -> r.getMessage().contains("forgotten-task"));
            });
            assertTrue(records.stream().noneMatch(r -> r.getMessage().contains("observed-task")), records.toString());
        } finally {
            jul.removeHandler(h);
        }
    }

    private static void spawnAndForget(WeftRuntime rt, CountDownLatch ended) {
        rt.spawn("forgotten-task", () -> {
            try {
                throw new IllegalStateException("boom");
            } finally {
                ended.countDown();
            }
        });
    }

    /** run() interrupted before and during: InterruptedException, and the task is cancelled. */
    @Test
    void runIsInterruptible() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().carriers(1).build()) {
            Thread.currentThread().interrupt();
            assertThrows(InterruptedException.class, () -> rt.run(() -> 1));
            CountDownLatch started = new CountDownLatch(1);
            Thread caller = Thread.currentThread();
            Thread interrupter = Thread.ofVirtual().start(() -> {
                try {
                    started.await();
                } catch (InterruptedException e) {
                    return;
                }
                TestSupport.awaitParked(caller);
                caller.interrupt();
            });
            assertThrows(InterruptedException.class, () -> rt.run(() -> {
                started.countDown();
                new CountDownLatch(1).await();
                return 1;
            }));
            interrupter.join();
            TestSupport.await("the cancelled body to end", () -> rt.liveTasks() == 0);
        }
    }
}
