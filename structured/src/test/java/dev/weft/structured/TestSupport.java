package dev.weft.structured;

import dev.weft.core.WeftRuntime;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/** Helpers for tests: a runtime, bounded waits with clear failure messages, never blind sleeps. */
final class TestSupport {
    private TestSupport() {}

    static WeftRuntime runtime() {
        return WeftRuntime.builder().carriers(2).build();
    }

    /** Waits (at most 10 s) until {@code t} is parked or blocked in a wait. */
    static void awaitParked(Thread t) {
        await("thread " + t + " to park", () -> {
            Thread.State s = t.getState();
            return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
        });
    }

    /** Waits (at most 10 s) until {@code condition} holds. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after 10 s waiting for: " + what);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    /** Runs {@code body} as a task of {@code rt} and returns the thread it runs in, once it has started. */
    static Thread startTask(WeftRuntime rt, Callable<?> body) {
        java.util.concurrent.atomic.AtomicReference<Thread> t = new java.util.concurrent.atomic.AtomicReference<>();
        rt.spawn("test-owner", () -> {
            t.set(Thread.currentThread());
            return body.call();
        });
        await("task to start", () -> t.get() != null);
        return t.get();
    }

    /** Parks the calling thread until interrupted (a body that only ends by cancellation). */
    static <T> T parkForever() throws InterruptedException {
        new java.util.concurrent.CountDownLatch(1).await();
        throw new AssertionError("unreachable");
    }
}
