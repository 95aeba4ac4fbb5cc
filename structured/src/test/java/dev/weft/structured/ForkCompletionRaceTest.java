package dev.weft.structured;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.RepeatedTest;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fork ends without a lock (it writes its outcome, then looks for waiters; a waiter adds itself,
 * then looks at the outcome): a waiter that registers while the fork ends must still be woken,
 * and the scope's own count of ended forks must still end its join.
 */
class ForkCompletionRaceTest {

    private static final int FORKS = 20_000;
    private static final Object STOP = new Object();

    @RepeatedTest(5)
    void aWaiterRegisteringAsItsForkEndsIsAlwaysWoken() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("fork-race").carriers(2).build()) {
            LinkedBlockingQueue<Object> handed = new LinkedBlockingQueue<>();
            AtomicLong joined = new AtomicLong();
            AtomicLong sum = new AtomicLong();
            AtomicReference<Throwable> waiterFailed = new AtomicReference<>();
            // A platform thread on its own core joins each fork as soon as it is handed over, so
            // its registration races the fork's end on a carrier.
            Thread waiter = Thread.ofPlatform().name("fork-race-waiter").start(() -> {
                try {
                    for (Object o; (o = handed.take()) != STOP; ) {
                        @SuppressWarnings("unchecked")
                        Fork<Integer> f = (Fork<Integer>) o;
                        sum.addAndGet(f.join());
                        joined.incrementAndGet();
                    }
                } catch (Throwable t) {
                    waiterFailed.set(t);
                }
            });
            long expect = rt.run(() -> {
                long total = 0;
                for (int base = 0; base < FORKS; base += 100) {
                    try (Scope scope = Scope.open("race")) {
                        for (int i = 0; i < 100; i++) {
                            int v = base + i;
                            Fork<Integer> f = scope.fork(() -> {
                                for (int spin = v % 64; spin > 0; spin--) {
                                    Thread.onSpinWait(); // end a little later, now and then
                                }
                                return v;
                            });
                            handed.add(f);
                            total += v;
                        }
                        scope.join();
                    }
                }
                return total;
            });
            handed.add(STOP);
            waiter.join(TimeUnit.SECONDS.toMillis(30));
            assertNull(waiterFailed.get(), "the waiter failed");
            assertEquals(FORKS, joined.get(), "every join returned (a lost wake-up leaves the waiter parked): "
                    + joined.get() + " of " + FORKS + ", waiter " + waiter.getState());
            assertEquals(expect, sum.get(), "every join returned its fork's value");
            assertTrue(!waiter.isAlive(), "the waiter ended");
        }
    }
}
