package dev.weft.structured;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Structured.timeout: "When the deadline passes first, the body is cancelled (interrupted), its end
 * awaited, and TimeoutException thrown" (Tokio's timeout: Err(Elapsed) once the deadline elapsed
 * before completion). A body that reacts to its interrupt by returning a fallback value has not
 * finished in time: the caller must get the timeout, not the fallback disguised as a result.
 */
class TimeoutSwallowedInterruptTest {
    @AutoClose
    static final WeftRuntime rt = TestSupport.runtime();

    @RepeatedTest(5)
    void bodyReturningAfterItsInterruptIsATimeout() throws Exception {
        rt.run(() -> {
            AtomicBoolean interrupted = new AtomicBoolean();
            TimeoutException e = assertThrows(TimeoutException.class,
                    () -> Structured.timeout(Duration.ofMillis(20), () -> {
                        try {
                            return TestSupport.<String>parkForever();
                        } catch (InterruptedException ie) {
                            interrupted.set(true);
                            return "fallback";   // swallowed: returns after the deadline passed
                        }
                    }),
                    "the body returned only because the deadline interrupted it: timeout must throw");
            assertTrue(interrupted.get(), "the body was interrupted by the deadline");
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
            return null;
        });
    }

    /**
     * A body that took a message and returns it without ever seeing the deadline's interrupt
     * (its interrupt status is still set) returns it: the deadline did not make it return, and a
     * timeout would lose the message (it did).
     */
    @RepeatedTest(5)
    void bodyThatNeverSawItsInterruptReturnsItsValue() throws Exception {
        rt.run(() -> {
            dev.weft.core.sync.Channel<String> ch = dev.weft.core.sync.Channel.bounded(1);
            ch.send("message");
            String got = Structured.timeout(Duration.ofMillis(20), () -> {
                String m = ch.receive();
                // The deadline passes while the body holds the message (yielding lets the carrier
                // fire it); the body returns without clearing its interrupt status.
                long end = System.nanoTime() + 10_000_000_000L;
                while (!Thread.currentThread().isInterrupted()) {
                    if (System.nanoTime() > end) {
                        throw new AssertionError("the deadline's interrupt never came in 10 s");
                    }
                    Thread.yield();
                }
                return m;
            });
            assertEquals("message", got, "the message the body took must not be lost to the timeout");
            return null;
        });
    }

    /** A body that finished in time still returns its value (also null). */
    @Test
    void bodyInTimeStillReturns() throws Exception {
        rt.run(() -> {
            assertEquals("ok", Structured.timeout(Duration.ofSeconds(10), () -> "ok"));
            assertEquals(null, Structured.<Object>timeout(Duration.ofSeconds(10), () -> null));
            return null;
        });
    }
}
