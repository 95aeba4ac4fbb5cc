package dev.weft.structured;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.RepeatedTest;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fork ends without a lock (it writes its outcome, then, past a full fence, looks for waiters; a
 * waiter adds itself, then looks at the outcome): a waiter that registers while the fork ends must
 * still be woken, and the scope's own count of ended forks must still end its join. A user fork's
 * fence is the scope's atomic count of its end; a daemon's is a fence of its own: both are raced.
 */
class ForkCompletionRaceTest {

    private static final int FORKS = 20_000;
    private static final Object STOP = new Object();

    @RepeatedTest(5)
    void aWaiterRegisteringAsItsForkEndsIsAlwaysWoken() throws Exception {
        race(false);
    }

    @RepeatedTest(5)
    void aWaiterRegisteringAsItsDaemonForkEndsIsAlwaysWoken() throws Exception {
        race(true);
    }

    /**
     * With {@code daemons}, the forks raced are daemons, and one user fork per scope keeps the
     * scope's join from cancelling them until the waiter has joined all of them.
     */
    private static void race(boolean daemons) throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("fork-race").carriers(2).build()) {
            LinkedBlockingQueue<Object> handed = new LinkedBlockingQueue<>();
            AtomicLong joined = new AtomicLong();
            AtomicLong sum = new AtomicLong();
            AtomicReference<Throwable> waiterFailed = new AtomicReference<>();
            // A platform thread on its own core joins each fork as soon as it is handed over, so
            // its registration races the fork's end on a carrier.
            Thread waiter = Thread.ofPlatform().name("fork-race-waiter").daemon(true).start(() -> {
                try {
                    for (Object o; (o = handed.take()) != STOP; ) {
                        Object[] handedOver = (Object[]) o;
                        @SuppressWarnings("unchecked")
                        Fork<Integer> f = (Fork<Integer>) handedOver[0];
                        sum.addAndGet(f.join());
                        joined.incrementAndGet();
                        ((CountDownLatch) handedOver[1]).countDown();
                    }
                } catch (Throwable t) {
                    waiterFailed.set(t);
                }
            });
            long expect = rt.run(() -> {
                long total = 0;
                for (int base = 0; base < FORKS; base += 100) {
                    try (Scope scope = Scope.open("race")) {
                        CountDownLatch allJoined = new CountDownLatch(100);
                        if (daemons) {
                            scope.fork(() -> {
                                if (!allJoined.await(10, TimeUnit.SECONDS)) {
                                    throw new AssertionError("the waiter did not join this scope's daemons within"
                                            + " 10 s: a lost wake-up left it parked");
                                }
                                return null;
                            });
                        }
                        for (int i = 0; i < 100; i++) {
                            int v = base + i;
                            Callable<Integer> body = () -> {
                                for (int spin = v % 64; spin > 0; spin--) {
                                    Thread.onSpinWait(); // end a little later, now and then
                                }
                                return v;
                            };
                            Fork<Integer> f = daemons ? scope.forkDaemon(body) : scope.fork(body);
                            handed.add(new Object[] {f, allJoined});
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
