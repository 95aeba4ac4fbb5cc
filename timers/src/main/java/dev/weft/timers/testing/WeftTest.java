package dev.weft.timers.testing;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A JUnit 5 test that runs on a Weft runtime with a paused, auto-advancing
 * {@link dev.weft.timers.TestClock}: the method body runs as a task of that runtime, and may
 * declare parameters of type {@link dev.weft.core.WeftRuntime} and {@link dev.weft.timers.TestClock}.
 * The runtime is closed after the test. See {@link WeftTestExtension}.
 *
 * {@snippet :
 * class BackoffTest {
 *     @WeftTest
 *     void waitsThirtySecondsInVirtualTime(TestClock clock) throws Exception {
 *         long start = clock.nanoTime();
 *         Time.sleep(Duration.ofSeconds(30));   // every task waits only for time: the clock jumps
 *         assertEquals(30, Duration.ofNanos(clock.nanoTime() - start).toSeconds());
 *     }
 * }
 * }
 * The test above takes milliseconds of real time and gives the same result every run. Time does
 * not jump while a task runs, waits on real I/O or on the blocking pool, so blocking work cannot
 * race the clock ({@link dev.weft.timers.TestClock} has the rules).
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Test
@ExtendWith(WeftTestExtension.class)
public @interface WeftTest {
    /** Carriers of the test runtime (default 1: tasks on one carrier run in a reproducible order). */
    int carriers() default 1;

    /** Whether the clock jumps to the next timer when every task waits only for time (default true). */
    boolean autoAdvance() default true;

    /** Whether the method body runs as a task of the runtime (default true) or on JUnit's thread. */
    boolean inTask() default true;

    /**
     * Real seconds the body may take before the test fails with a dump of the live tasks
     * (default 60): a test waiting on something that never comes fails instead of hanging.
     */
    long realTimeLimitSeconds() default 60;
}
