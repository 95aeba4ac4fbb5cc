package dev.weft.core.spi;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/** Timed parks served by the carriers' timer wheels. */
class ParkingTimerTest {

    /** A timed park returns no earlier than its time (unless unparked) and not much later. */
    @Test
    void timedParkWaitsItsTime() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().carriers(1).build()) {
            long took = rt.run(() -> {
                long t0 = Parking.nanoTime();
                long deadline = t0 + Duration.ofMillis(30).toNanos();
                while (Parking.nanoTime() < deadline) {
                    Parking.parkNanos(this, deadline - Parking.nanoTime());
                }
                return Parking.nanoTime() - t0;
            });
            assertTrue(took >= Duration.ofMillis(30).toNanos());
            assertTrue(took < Duration.ofSeconds(5).toNanos(), "took " + took);
        }
    }

    /** An unpark ends a timed park early, and the cancelled timer does not linger. */
    @Test
    void unparkEndsTimedPark() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().carriers(2).build()) {
            java.util.concurrent.CompletableFuture<Thread> started = new java.util.concurrent.CompletableFuture<>();
            Task<Long> t = rt.spawn(() -> {
                started.complete(Thread.currentThread());
                long t0 = System.nanoTime();
                Parking.parkNanos(this, Duration.ofSeconds(30).toNanos());
                return System.nanoTime() - t0;
            });
            Thread th = started.get(10, java.util.concurrent.TimeUnit.SECONDS);
            long giveUp = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (th.getState() != Thread.State.WAITING && th.getState() != Thread.State.TIMED_WAITING) {
                assertTrue(System.nanoTime() < giveUp, "task did not park within 10 s: " + th.getState());
                Thread.yield();
            }
            Parking.unpark(th);
            assertTrue(t.join(Duration.ofSeconds(10)) < Duration.ofSeconds(10).toNanos());
        }
    }

    /**
     * Many tasks on two carriers park with random short and huge timeouts while other threads
     * unpark and interrupt them at random: every task finishes (no wheel corruption, no lost wake-up).
     */
    @Test
    void stressRandomTimedParks() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().carriers(2).build()) {
            List<Task<Integer>> tasks = new ArrayList<>();
            List<Thread> threads = java.util.Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.CountDownLatch allStarted = new java.util.concurrent.CountDownLatch(400);
            for (int i = 0; i < 400; i++) {
                Task<Integer> t = rt.spawn(() -> {
                    threads.add(Thread.currentThread());
                    allStarted.countDown();
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    int n = 0;
                    for (int k = 0; k < 200; k++) {
                        long nanos = switch (r.nextInt(4)) {
                            case 0 -> r.nextLong(0, 2_000_000);
                            case 1 -> r.nextLong(0, 100_000);
                            case 2 -> Long.MAX_VALUE / 2;
                            default -> Long.MAX_VALUE;
                        };
                        if (nanos > 10_000_000 && r.nextBoolean()) {
                            nanos = 3_000_000;
                        }
                        Parking.parkNanos(this, nanos);
                        Thread.interrupted();
                        n++;
                    }
                    return n;
                });
                tasks.add(t);
            }
            assertTrue(allStarted.await(60, java.util.concurrent.TimeUnit.SECONDS), "tasks did not all start in 60 s");
            AtomicBoolean stop = new AtomicBoolean();
            Thread poker = Thread.ofPlatform().start(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                while (!stop.get()) {
                    Thread t = threads.get(r.nextInt(threads.size()));
                    if (r.nextBoolean()) {
                        Parking.unpark(t);
                    } else {
                        t.interrupt();
                    }
                    Thread.onSpinWait();
                }
            });
            java.util.concurrent.atomic.AtomicLong foreignFired = new java.util.concurrent.atomic.AtomicLong();
            Thread foreign = Thread.ofPlatform().start(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                List<TimerHandle> armed = new ArrayList<>();
                while (!stop.get()) {
                    armed.add(RuntimeAccess.schedule(rt, System.nanoTime() + r.nextLong(0, 3_000_000),
                            foreignFired::incrementAndGet));
                    if (armed.size() > 100) {
                        armed.remove(r.nextInt(armed.size())).cancel();
                    }
                }
            });
            try {
                for (Task<Integer> t : tasks) {
                    assertEquals(200, t.join(Duration.ofSeconds(60)), "task " + t.name());
                }
            } finally {
                stop.set(true);
                poker.join();
                foreign.join();
            }
        }
    }
}
