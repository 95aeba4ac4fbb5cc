package dev.weft.core.testsupport;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.weft.core.WeftRuntime;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A call running on some thread, for the table-driven interrupt tests (core's InterruptTableTest,
 * timers' TimersInterruptTableTest, structured's StructuredInterruptTableTest): its thread, and
 * its outcome with the interrupt status at the end. Each test keeps its own {@code Runner} enum and
 * maps it to a launcher: {@link #VIRTUAL_THREAD}, {@link #PLATFORM_THREAD} or {@link #onTask}.
 */
public final class InterruptRun {
    /** Starts the body on a new virtual thread. */
    public static final Consumer<Runnable> VIRTUAL_THREAD = body -> Thread.ofVirtual().start(body);
    /** Starts the body on a new daemon platform thread. */
    public static final Consumer<Runnable> PLATFORM_THREAD = body -> Thread.ofPlatform().daemon(true).start(body);

    /** Starts the body as a task of {@code rt}. */
    public static Consumer<Runnable> onTask(WeftRuntime rt) {
        return body -> rt.spawn(() -> {
            body.run();
            return null;
        });
    }

    public final CompletableFuture<Thread> thread = new CompletableFuture<>();
    public final CompletableFuture<Object> outcome = new CompletableFuture<>();
    public volatile boolean interruptedAtEnd;

    private InterruptRun() {
    }

    /** The exception the call threw, or null if it returned; fails if it does not end within 10 s. */
    public Throwable awaitEnd(String what) throws Exception {
        try {
            outcome.get(10, TimeUnit.SECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            Thread t = thread.getNow(null);
            throw new AssertionError(what + ": the call did not end within 10 s; its thread " + t
                    + (t == null ? "" : " is " + t.getState()));
        }
    }

    /** The call threw InterruptedException, and cleared the interrupt status; fails if it does not end within 10 s. */
    public void assertEndsWithInterruptedException(String what) throws Exception {
        assertInterruptedException(awaitEnd(what), what);
        assertFalse(interruptedAtEnd, "InterruptedException thrown with the status still set");
    }

    /**
     * Runs {@code op} on what {@code launcher} starts, with the thread's interrupt status set first if
     * {@code interruptFirst}; the status at the end is read into {@link #interruptedAtEnd}, and cleared
     * for the thread's next use.
     */
    public static InterruptRun start(Callable<?> op, boolean interruptFirst, Consumer<Runnable> launcher) {
        InterruptRun run = new InterruptRun();
        Runnable body = () -> {
            run.thread.complete(Thread.currentThread());
            if (interruptFirst) {
                Thread.currentThread().interrupt();
            }
            Object v = null;
            Throwable failure = null;
            try {
                v = op.call();
            } catch (Throwable e) {
                failure = e;
            }
            run.interruptedAtEnd = Thread.interrupted(); // read, and cleared for the thread's next use
            if (failure != null) {
                run.outcome.completeExceptionally(failure);
            } else {
                run.outcome.complete(v);
            }
        };
        launcher.accept(body);
        return run;
    }

    public static void assertInterruptedException(Throwable t, String what) {
        if (!(t instanceof InterruptedException)) {
            throw new AssertionError(what + ": expected InterruptedException, got " + t, t);
        }
    }
}
