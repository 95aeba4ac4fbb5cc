package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/** Test helpers: start virtual threads that report their outcome, wait until one is parked. */
final class Threads {
    static final Duration LONG = Duration.ofSeconds(30);

    private Threads() {}

    @FunctionalInterface
    interface Body<R> {
        R run() throws Exception;
    }

    /** A virtual thread running {@code body}; its result or exception is kept. */
    static final class Task<R> {
        final Thread thread;
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<R> result = new AtomicReference<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        volatile boolean interruptedAtEnd;

        Task(Body<R> body) {
            thread = Thread.ofVirtual().unstarted(() -> {
                try {
                    result.set(body.run());
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    interruptedAtEnd = Thread.currentThread().isInterrupted();
                    done.countDown();
                }
            });
            thread.start();
        }

        /** Waits (bounded) for the end; returns the exception thrown or null. */
        Throwable join() throws InterruptedException {
            if (!done.await(LONG.toSeconds(), TimeUnit.SECONDS)) {
                fail("task did not finish within " + LONG + "; state " + thread.getState());
            }
            return failure.get();
        }

        /** Waits for the end and returns the result, failing if it threw. */
        R get() throws InterruptedException {
            Throwable t = join();
            if (t != null) {
                throw new AssertionError("task failed", t);
            }
            return result.get();
        }

        boolean isDone() {
            return done.getCount() == 0;
        }
    }

    static <R> Task<R> start(Body<R> body) {
        return new Task<>(body);
    }

    /** Waits (bounded) until {@code t} is parked (WAITING or TIMED_WAITING). */
    static void awaitParked(Thread t) {
        long deadline = System.nanoTime() + LONG.toNanos();
        while (true) {
            Thread.State s = t.getState();
            if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) {
                return;
            }
            if (s == Thread.State.TERMINATED) {
                fail("thread terminated instead of parking");
            }
            if (System.nanoTime() > deadline) {
                fail("thread did not park within " + LONG + "; state " + s);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    static void awaitParked(Task<?> t) {
        awaitParked(t.thread);
    }
}
