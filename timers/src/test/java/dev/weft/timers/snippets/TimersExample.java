package dev.weft.timers.snippets;

import dev.weft.core.WeftRuntime;
import dev.weft.timers.Deadline;
import dev.weft.timers.Interval;
import dev.weft.timers.MissedTickBehavior;
import dev.weft.timers.Time;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

/** The package example of dev.weft.timers (compiled and run by TimersExampleTest). */
public final class TimersExample {
    private TimersExample() {}

    /** Runs the example; returns what it printed. */
    public static String run() throws Exception {
        StringBuilder out = new StringBuilder();
        // @start region="example"
        try (WeftRuntime rt = WeftRuntime.builder().carriers(2).build()) {
            rt.run(() -> {
                Time.sleep(Duration.ofMillis(20));                      // parks on the carrier's wheel
                try {
                    Time.timeout(Duration.ofMillis(50), () -> {
                        Time.sleep(Duration.ofSeconds(10));             // interrupted at 50 ms
                        return null;
                    });
                } catch (TimeoutException e) {
                    out.append("timed out\n");
                }
                String r = Deadline.within(Deadline.after(Duration.ofSeconds(1)), () ->
                        Time.timeout(Duration.ofSeconds(5), () -> "inner never outlives outer"));
                out.append(r).append('\n');
                Interval every = Time.interval(Duration.ofMillis(10)).missedTickBehavior(MissedTickBehavior.SKIP);
                for (int i = 0; i < 3; i++) {
                    every.tick();                                        // first tick at once
                }
                out.append("ticked 3 times\n");
                return null;
            });
        }
        // @end
        return out.toString();
    }
}
