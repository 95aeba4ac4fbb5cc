package dev.weft.timers;

import dev.weft.core.WeftRuntime;
import dev.weft.timers.internal.Clocks;
import dev.weft.timers.internal.WheelScheduledExecutorImpl;

import java.util.Objects;

/**
 * Factories for the timer-backed executors.
 *
 * <p>Example (compiled and run in the tests as {@code dev.weft.timers.snippets.TypeExamples}):
 * {@snippet :
 * WheelScheduledExecutor ses = Timers.newScheduledExecutor();  // the caller's runtime, or the shared one
 * CountDownLatch beats = new CountDownLatch(3);
 * ScheduledFuture<?> beat = ses.scheduleAtFixedRate(beats::countDown, 0, 10, TimeUnit.MILLISECONDS);
 * beats.await();                                               // three beats, 10 ms apart
 * beat.cancel(false);
 * }
 */
public final class Timers {
    private Timers() {}

    /**
     * A {@link WheelScheduledExecutor} on {@code rt}: delays are wheel timers of {@code rt}'s
     * carriers, on {@code rt}'s clock (virtual with a {@link TestClock}), and each run is a task
     * of {@code rt}. Shutting the executor down does not close the runtime; closing the runtime
     * makes new schedules fail with {@link java.util.concurrent.RejectedExecutionException}.
     *
     * @throws NullPointerException if {@code rt} is null
     */
    public static WheelScheduledExecutor newScheduledExecutor(WeftRuntime rt) {
        return new WheelScheduledExecutorImpl(Objects.requireNonNull(rt, "rt"));
    }

    /** {@link #newScheduledExecutor(WeftRuntime)} on the caller's runtime, or the shared one outside any. */
    public static WheelScheduledExecutor newScheduledExecutor() {
        return newScheduledExecutor(Clocks.timerRuntime());
    }
}
