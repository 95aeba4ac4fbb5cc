package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.weft.core.SchedulerMode;
import dev.weft.core.WeftRuntime;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A timed wait of a task that is pinned when it parks still times out. A virtual thread running a
 * class initialiser is pinned: its park parks the carrier's own thread, whose timer wheel then
 * cannot fire; the runtime's pin watch wakes it instead. Before the watch, the 200 ms receive
 * below never returned (and its carrier, the runtime's only one, ran nothing else meanwhile).
 */
class PinnedTimedWaitTest {

    /** A class whose initialiser does a timed receive. */
    static final class TimedReceiveInInitialiser {
        static final long STARTED = System.nanoTime();
        static final ReceiveResult<String> RESULT;

        static {
            Channel<String> empty = Channel.bounded(1);
            try {
                RESULT = empty.receive(Duration.ofMillis(200));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }

        static final long ENDED = System.nanoTime();
    }

    @Test
    void aTimedReceiveInAClassInitialiserTimesOut() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("pinned").carriers(1).build()) {
            assumeTrue(rt.schedulerMode() == SchedulerMode.CARRIER, "needs the carrier scheduler");
            CountDownLatch done = new CountDownLatch(1);
            AtomicReference<Thread> taskThread = new AtomicReference<>();
            AtomicReference<Object> result = new AtomicReference<>();
            rt.spawn(() -> {
                taskThread.set(Thread.currentThread());
                result.set(TimedReceiveInInitialiser.RESULT);
                done.countDown();
                return null;
            });
            boolean finished = done.await(5, TimeUnit.SECONDS);
            if (!finished) {
                LockSupport.unpark(taskThread.get()); // let the runtime close; the assertion below fails
                done.await(5, TimeUnit.SECONDS);
            }
            assertTrue(finished, "a 200 ms timed receive in a pinned virtual thread had not timed out after 5 s");
            assertEquals(ReceiveResult.empty(), result.get());
            long tookMs = TimeUnit.NANOSECONDS.toMillis(TimedReceiveInInitialiser.ENDED - TimedReceiveInInitialiser.STARTED);
            assertTrue(tookMs >= 200, "returned after " + tookMs + " ms, before its deadline");
        }
    }
}
