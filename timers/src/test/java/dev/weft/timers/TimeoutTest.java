package dev.weft.timers;

import dev.weft.core.WeftRuntime;
import dev.weft.timers.internal.TimeoutScope;
import dev.weft.timers.testing.WeftTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import static dev.weft.timers.TimersTestSupport.await;
import static dev.weft.timers.TimersTestSupport.pendingTimers;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Time#timeout}: cancellation by interruption, pass-through of the body's outcome, no stray interrupts. */
class TimeoutTest {
    static WeftRuntime rt;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("timeout-test").carriers(2).build();
    }

    @AfterAll
    static void stop() {
        rt.close();
    }

    /** A body still sleeping when the time is up is interrupted and TimeoutException is thrown. */
    @Test
    void bodyCancelledAndTimeoutThrown() throws Exception {
        rt.run(() -> {
            long t0 = System.nanoTime();
            TimeoutException e = assertThrows(TimeoutException.class,
                    () -> Time.timeout(Duration.ofMillis(30), () -> {
                        Time.sleep(Duration.ofMinutes(1));
                        return "late";
                    }));
            long el = System.nanoTime() - t0;
            assertInstanceOf(InterruptedException.class, e.getCause());
            assertTrue(el >= 30_000_000L && el < 10_000_000_000L, "took " + el + " ns");
            assertFalse(Thread.currentThread().isInterrupted(), "the timeout's interrupt leaked");
            return null;
        });
    }

    /** A body that ends in time returns its value and its timer is removed. */
    @Test
    void bodyResultReturned() throws Exception {
        assertEquals("ok", rt.run(() -> Time.timeout(Duration.ofSeconds(30), () -> "ok")));
        await("the timeout's timer to be removed", () -> pendingTimers(rt) == 0);
    }

    /** The body's own exception passes through unchanged. */
    @Test
    void bodyExceptionPassesThrough() throws Exception {
        IOException boom = new IOException("boom");
        rt.run(() -> {
            IOException got = assertThrows(IOException.class, () -> Time.timeout(Duration.ofSeconds(30), () -> {
                throw boom;
            }));
            assertSame(boom, got);
            IllegalStateException ise = new IllegalStateException("x");
            assertSame(ise, assertThrows(IllegalStateException.class,
                    () -> Time.timeout(Duration.ofSeconds(30), () -> { throw ise; })));
            return null;
        });
    }

    /** A body that ignores interrupts (but yields) runs to its end, then TimeoutException; no interrupt leaks. */
    @Test
    void bodyIgnoringInterruptStillTimesOut() throws Exception {
        rt.run(() -> {
            assertThrows(TimeoutException.class, () -> Time.timeout(Duration.ofMillis(5), () -> {
                long end = System.nanoTime() + 30_000_000L;
                while (System.nanoTime() < end) {
                    dev.weft.core.Weft.yieldNow(); // lets the carrier fire its timers (tasks are not preempted)
                }
                return "ignored the interrupt";
            }));
            assertFalse(Thread.currentThread().isInterrupted());
            return null;
        });
    }

    /** Races of body end against timer firing never leave an interrupt behind (1000 tries). */
    @Test
    void noStrayInterruptAfterLateTimer() throws Exception {
        rt.run(() -> {
            int timedOut = 0;
            for (int i = 0; i < 1000; i++) {
                try {
                    Time.timeout(Duration.ofMillis(1), () -> {
                        long end = System.nanoTime() + 900_000L + (System.nanoTime() & 0x3ffff);
                        while (System.nanoTime() < end) {
                            dev.weft.core.Weft.yieldNow();
                        }
                        return null;
                    });
                } catch (TimeoutException e) {
                    timedOut++;
                }
                assertFalse(Thread.currentThread().isInterrupted(), "stray interrupt after try " + i);
            }
            return timedOut;
        });
        await("all timeout timers gone", () -> pendingTimers(rt) == 0);
    }

    /** The state machine: a timer that fires after finish() interrupts nobody. */
    @Test
    void timerAfterFinishDoesNotInterrupt() {
        TimeoutScope scope = new TimeoutScope(Thread.currentThread());
        assertFalse(scope.finish());
        scope.run();
        assertFalse(Thread.currentThread().isInterrupted());
        TimeoutScope fired = new TimeoutScope(Thread.currentThread());
        fired.run();
        assertTrue(fired.finish());
        assertTrue(Thread.interrupted());
    }

    /** A zero or negative limit throws at once without running the body. */
    @Test
    void zeroLimitDoesNotRunTheBody() {
        AtomicBoolean ran = new AtomicBoolean();
        assertThrows(TimeoutException.class, () -> Time.timeout(Duration.ZERO, () -> ran.getAndSet(true)));
        assertThrows(TimeoutException.class, () -> Time.timeout(Duration.ofSeconds(-1), () -> ran.getAndSet(true)));
        assertFalse(ran.get());
    }

    /** Outside any runtime (platform thread) the timeout works too. */
    @Test
    void worksOnAPlatformThread() {
        assertThrows(TimeoutException.class, () -> Time.timeout(Duration.ofMillis(20), () -> {
            Time.sleep(Duration.ofMinutes(1));
            return null;
        }));
        assertFalse(Thread.currentThread().isInterrupted());
    }

    /** An interrupt from a real cancellation during the body is kept, not swallowed. */
    @Test
    void cancellationOfTheTaskIsKept() throws Exception {
        var t = rt.spawn(() -> {
            try {
                Time.timeout(Duration.ofMillis(1), () -> {
                    dev.weft.core.Weft.currentTask().orElseThrow().cancel();
                    long end = System.nanoTime() + 20_000_000L;
                    while (System.nanoTime() < end) {
                        Thread.onSpinWait();
                    }
                    return null;
                });
            } catch (TimeoutException expected) {
                // fine
            }
            return Thread.currentThread().isInterrupted();
        });
        assertThrows(java.util.concurrent.CancellationException.class, () -> t.join(Duration.ofSeconds(10)));
    }

    /** In virtual time the timeout fires exactly at its limit. */
    @WeftTest
    void firesAtTheLimitInVirtualTime() throws Exception {
        long t0 = Time.nanoTime();
        assertThrows(TimeoutException.class, () -> Time.timeout(Duration.ofSeconds(10), () -> {
            Time.sleep(Duration.ofSeconds(30));
            return null;
        }));
        assertEquals(Duration.ofSeconds(10), Duration.ofNanos(Time.nanoTime() - t0));
    }
}
