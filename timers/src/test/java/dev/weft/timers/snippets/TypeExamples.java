package dev.weft.timers.snippets;

import dev.weft.core.WeftRuntime;
import dev.weft.timers.Interval;
import dev.weft.timers.MissedTickBehavior;
import dev.weft.timers.Time;
import dev.weft.timers.Timers;
import dev.weft.timers.WheelScheduledExecutor;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/** The examples in the class comments of dev.weft.timers (compiled and run by TimersExampleTest). */
public final class TypeExamples {
    private TypeExamples() {}

    /** {@code Time}'s example; returns its result. */
    public static String time() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().build()) {
            return rt.run(() -> {
                Time.sleep(Duration.ofMillis(10));                  // the task parks; its carrier runs others
                return Time.timeout(Duration.ofSeconds(1), () -> "in time");
            });
        }
    }

    /** {@code Timers}' example; returns once three beats ran. */
    public static void periodic() throws Exception {
        WheelScheduledExecutor ses = Timers.newScheduledExecutor();  // the caller's runtime, or the shared one
        CountDownLatch beats = new CountDownLatch(3);
        ScheduledFuture<?> beat = ses.scheduleAtFixedRate(beats::countDown, 0, 10, TimeUnit.MILLISECONDS);
        beats.await();                                               // three beats, 10 ms apart
        beat.cancel(false);
    }

    /** {@code WheelScheduledExecutor}'s example; returns its result. */
    public static String scheduled() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().build()) {
            WheelScheduledExecutor ses = Timers.newScheduledExecutor(rt);
            ScheduledFuture<String> later = ses.schedule(() -> "fired", 20, TimeUnit.MILLISECONDS);
            String result = later.get();                            // after 20 ms
            ses.shutdown();
            return result;
        }
    }

    /** {@code MissedTickBehavior}'s example; returns the ms the last tick waited. */
    public static long missedTicks() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().build()) {
            return rt.run(() -> {
                Interval every = Time.interval(Duration.ofMillis(50)).missedTickBehavior(MissedTickBehavior.DELAY);
                every.tick();                                       // the first tick is at once
                Time.sleep(Duration.ofMillis(120));                 // two ticks missed
                every.tick();                                       // at once, late
                long late = Time.nanoTime();
                every.tick();                                       // DELAY: a full period later (BURST: at once)
                return (Time.nanoTime() - late) / 1_000_000;
            });
        }
    }
}
