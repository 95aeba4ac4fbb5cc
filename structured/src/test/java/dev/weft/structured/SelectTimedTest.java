package dev.weft.structured;

import dev.weft.core.WeftRuntime;
import dev.weft.core.sync.Channel;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@code Structured.select(Duration, ..)} and {@code selectBiased(Duration, ..)}: timeout vs a null result, bias, losslessness. */
class SelectTimedTest {
    /** One runtime for the class, closed after its last test. */
    @AutoClose
    static final WeftRuntime rt = TestSupport.runtime();

    /** A clause whose result is null returns null; it is not taken for a timeout. */
    @Test
    void nullResultIsNotATimeout() throws Exception {
        rt.run(() -> {
            try (Scope scope = Scope.open("nulls")) {
                Fork<String> f = scope.fork(() -> null);
                scope.join();
                Channel<String> never = Channel.bounded(1);
                assertNull(Structured.select(Duration.ofHours(1), f.onComplete().map(Fork::resultNow),
                        never.onReceive()));
                assertNull(Structured.selectBiased(Duration.ofHours(1), never.onReceive(),
                        f.onComplete().map(Fork::resultNow)));
                assertNull(Structured.selectBiased(Duration.ZERO, f.onComplete().map(Fork::resultNow)));
            }
            return null;
        });
    }

    /** Nothing ready in time: TimeoutException, and nothing was taken. */
    @Test
    void timeoutThrowsAndTakesNothing() throws Exception {
        rt.run(() -> {
            Channel<Integer> a = Channel.bounded(1);
            Channel<Integer> full = Channel.bounded(1);
            full.send(7);
            assertThrows(TimeoutException.class,
                    () -> Structured.select(Duration.ofMillis(20), a.onReceive(), full.onSend(8)));
            assertThrows(TimeoutException.class,
                    () -> Structured.selectBiased(Duration.ofMillis(20), a.onReceive(), full.onSend(8)));
            assertThrows(TimeoutException.class, () -> Structured.selectBiased(Duration.ZERO, a.onReceive()));
            assertEquals(0, a.size());
            assertEquals(7, full.receive(), "a losing send sent nothing");
            assertEquals(0, full.size());
            return null;
        });
    }

    /** Biased: of clauses ready at once the first wins, and a ready clause wins over a zero timeout. */
    @RepeatedTest(20)
    void biasedTimedPrefersTheFirstReadyClause() throws Exception {
        rt.run(() -> {
            Channel<String> a = Channel.bounded(16);
            Channel<String> b = Channel.bounded(16);
            for (int i = 0; i < 8; i++) {
                a.send("a");
                b.send("b");
            }
            for (int i = 0; i < 8; i++) {
                assertEquals("a", Structured.selectBiased(Duration.ZERO, a.onReceive(), b.onReceive()));
            }
            assertEquals("b", Structured.selectBiased(Duration.ZERO, a.onReceive(), b.onReceive()));
            assertEquals(0, a.size());
            assertEquals(7, b.size(), "exactly one message taken from b");
            return null;
        });
    }

    /** A message sent while the timed select waits wins over the timer. */
    @RepeatedTest(10)
    void messageArrivingWhileWaiting() throws Exception {
        rt.run(() -> {
            Channel<Integer> a = Channel.bounded(1);
            Fork<?> sender;
            try (Scope scope = Scope.open("sender")) {
                sender = scope.fork(() -> {
                    a.send(42);
                    return null;
                });
                assertEquals(42, (int) Structured.selectBiased(Duration.ofSeconds(30), a.onReceive()));
                scope.join();
            }
            assertEquals(Fork.State.SUCCEEDED, sender.state());
            return null;
        });
    }

    @Test
    void badInput() throws Exception {
        rt.run(() -> {
            Channel<Integer> a = Channel.bounded(1);
            assertThrows(IllegalArgumentException.class, () -> Structured.selectBiased(Duration.ZERO));
            assertThrows(IllegalArgumentException.class, () -> Structured.select(Duration.ZERO));
            assertThrows(NullPointerException.class, () -> Structured.select((Duration) null, a.onReceive()));
            assertThrows(NullPointerException.class, () -> Structured.selectBiased((Duration) null, a.onReceive()));
            return null;
        });
    }
}
