package dev.weft.structured;

import dev.weft.core.WeftRuntime;
import dev.weft.core.sync.Broadcast;
import dev.weft.core.sync.BroadcastReceiver;
import dev.weft.core.sync.BroadcastResult;
import dev.weft.core.sync.Notify;
import dev.weft.core.sync.Oneshot;
import dev.weft.core.sync.ReceiveResult;
import dev.weft.core.sync.Semaphore;
import dev.weft.core.sync.SemaphorePermit;
import dev.weft.core.sync.Watch;
import dev.weft.core.sync.WatchReceiver;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The select clauses of core's oneshot, broadcast, watch, semaphore and notify in
 * {@link Structured#select}, on a runtime's carriers: Structured's select takes them as they are,
 * a timer that wins leaves them untouched, and a fork completes a parked select.
 */
class SelectSyncStructuredTest {
    /** One runtime for the class, closed after its last test. */
    @AutoClose
    static final WeftRuntime rt = TestSupport.runtime();

    /** A timer that wins over every kind of sync clause leaves each of them untouched. */
    @Test
    void timerWinsAndNothingIsTaken() throws Exception {
        rt.run(() -> {
            Oneshot<String> o = new Oneshot<>();
            Broadcast<String> b = Broadcast.create(4);
            BroadcastReceiver<String> rx = b.subscribe();
            Watch<String> w = new Watch<>("w0");
            WatchReceiver<String> wr = w.subscribe();
            Semaphore s = new Semaphore(0);
            Notify n = new Notify();
            String r = Structured.select(
                    o.onReceive(),
                    rx.onReceive().map(Object::toString),
                    wr.onChanged(),
                    s.onAcquire(1).map(p -> "permit"),
                    n.onNotified().map(x -> "notified"),
                    Clauses.after(Duration.ofMillis(20)).map(d -> "timer"));
            assertEquals("timer", r);
            assertThrows(TimeoutException.class,
                    () -> Structured.select(Duration.ofMillis(5), rx.onReceive(), wr.onChanged().map(v -> null)));
            o.send("o");
            b.send("b");
            w.send("w1");
            s.release(1);
            n.notifyOne();
            assertEquals(new ReceiveResult.Value<>("o"), o.tryReceive());
            assertEquals(new BroadcastResult.Value<>("b"), rx.tryReceive());
            assertTrue(wr.hasChanged());
            assertEquals(1, s.availablePermits());
            assertEquals(0, s.waiterCount());
            assertTrue(n.notified(Duration.ZERO));
            return null;
        });
    }

    /** A select parked in one task is completed by a fork; the clause that lost keeps its value. */
    @RepeatedTest(10)
    void forkCompletesAParkedSelect() throws Exception {
        rt.run(() -> {
            Broadcast<Integer> b = Broadcast.create(4);
            BroadcastReceiver<Integer> rx = b.subscribe();
            Watch<Integer> w = new Watch<>(0);
            WatchReceiver<Integer> wr = w.subscribe();
            try (Scope scope = Scope.open("sync-select")) {
                Fork<String> waiter = scope.fork(() -> Structured.select(
                        rx.onReceive().map(r -> "broadcast " + r),
                        wr.onChanged().map(v -> "watch " + v)));
                scope.fork(() -> {
                    w.send(5);
                    return null;
                });
                scope.join();
                assertEquals("watch 5", waiter.resultNow());
            }
            b.send(1);
            assertEquals(new BroadcastResult.Value<>(1), rx.tryReceive(), "the losing broadcast clause took nothing");
            assertFalse(wr.hasChanged());
            return null;
        });
    }

    /** A permit won through Structured.select is owned by the caller and returned by close. */
    @Test
    void semaphorePermitThroughStructuredSelect() throws Exception {
        rt.run(() -> {
            Semaphore s = new Semaphore(1);
            Notify n = new Notify();
            try (SemaphorePermit p = Structured.select(s.onAcquire(1), n.onNotified().<SemaphorePermit>map(x -> null))) {
                assertEquals(1, p.permits());
                assertEquals(0, s.availablePermits());
            }
            assertEquals(1, s.availablePermits());
            n.notifyOne();
            assertInstanceOf(Notify.class, Structured.selectBiased(n.onNotified(), s.onAcquire(1)));
            return null;
        });
    }
}
