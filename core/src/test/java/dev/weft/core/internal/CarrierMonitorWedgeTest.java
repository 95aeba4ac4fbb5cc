package dev.weft.core.internal;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import io.netty.channel.EventLoop;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A carrier's own loop code and one of its tasks waiting for the same monitor, the task first in
 * line (found as a CI hang: the carrier thread blocked on a bin of Netty's leak-detector map while
 * allocating a read buffer, its writer task blocked on the same bin). When the holder leaves, the
 * JVM hands the monitor on to the task, whose wake-up is queued on the blocked carrier: without the
 * carrier watch (ADR 0010) neither ever runs again.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CarrierMonitorWedgeTest {

    static void until(String what, BooleanSupplier c) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!c.getAsBoolean()) {
            if (System.nanoTime() - end > 0) {
                fail("never: " + what);
            }
            Thread.sleep(1); // polling thread states, bounded by the deadline
        }
    }

    @ParameterizedTest(name = "carriers={0}")
    @ValueSource(ints = {1, 2})
    void loopAndOwnTaskWaitingForOneMonitorDoNotWedgeTheCarrier(int carriers) throws Exception {
        for (int round = 0; round < 5; round++) {
            wedgeOnce(carriers, round);
        }
    }

    private static void wedgeOnce(int carriers, int round) throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("wedge").carriers(carriers)
                .closeTimeout(Duration.ofSeconds(1)).build()) {
            EventLoop loop = RuntimeAccess.eventLoopGroup(rt).next();
            Object lock = new Object(); // stands for a map bin, a logging handler, a pool's lock
            CountDownLatch held = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread holder = Thread.ofPlatform().name("holder").start(() -> {
                synchronized (lock) {
                    held.countDown();
                    try {
                        release.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            held.await();
            AtomicReference<Thread> task = new AtomicReference<>();
            Task<Integer> waiter = RuntimeAccess.spawnOn(rt, loop, "waits for the lock", () -> {
                task.set(Thread.currentThread());
                synchronized (lock) {
                    return 1;
                }
            });
            until("the task waits for the lock", () -> task.get() != null && task.get().getState() == Thread.State.BLOCKED);
            AtomicReference<Thread> carrier = new AtomicReference<>();
            CountDownLatch loopDone = new CountDownLatch(1);
            loop.execute(() -> {
                carrier.set(Thread.currentThread());
                synchronized (lock) {
                    loopDone.countDown();
                }
            });
            until("the carrier's loop code waits for the lock",
                    () -> carrier.get() != null && carrier.get().getState() == Thread.State.BLOCKED);
            release.countDown();
            if (!loopDone.await(5, TimeUnit.SECONDS)) {
                String state = "carrier " + carrier.get().getState() + ", task " + task.get().getState();
                synchronized (lock) {
                    // a third taker hands the lock on, unwedging the carrier so the runtime can close
                }
                fail("round " + round + ": the carrier is wedged: its loop code waits for a monitor handed to its own task ("
                        + state + ")");
            }
            assertEquals(1, waiter.join(Duration.ofSeconds(5)));
            holder.join();
        }
    }
}
