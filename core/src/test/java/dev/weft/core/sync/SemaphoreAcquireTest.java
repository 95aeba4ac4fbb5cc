package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link Semaphore}: owned permits, fairness, timeouts, interruption, close. */
class SemaphoreAcquireTest {

    /** Permits are taken and returned by try-with-resources; tryAcquire fails when none are left. */
    @Test
    void acquireAndRelease() throws Exception {
        Semaphore s = new Semaphore(2);
        try (SemaphorePermit p = s.acquire(2)) {
            assertEquals(2, p.permits());
            assertEquals(0, s.availablePermits());
            assertTrue(s.tryAcquire().isEmpty());
            assertEquals(Optional.empty(), s.acquire(1, Duration.ofMillis(5)));
        }
        assertEquals(2, s.availablePermits());
        SemaphorePermit p = s.tryAcquire(2).orElseThrow();
        p.close();
        p.close(); // idempotent
        assertEquals(2, s.availablePermits());
        s.acquire().forget();
        assertEquals(1, s.availablePermits());
        s.release(3);
        assertEquals(4, s.availablePermits());
    }

    /** Bad arguments are rejected with the value in the message. */
    @Test
    void badArguments() {
        assertEquals("permits must be >= 0, was -1",
                assertThrows(IllegalArgumentException.class, () -> new Semaphore(-1)).getMessage());
        Semaphore s = new Semaphore(1);
        assertThrows(IllegalArgumentException.class, () -> s.acquire(0));
        assertThrows(IllegalArgumentException.class, () -> s.tryAcquire(-2));
        assertThrows(IllegalArgumentException.class, () -> s.release(-1));
    }

    /** Waiters are served in FIFO order; a large request holds back later small ones. */
    @Test
    void fifo() throws Exception {
        Semaphore s = new Semaphore(0);
        Threads.Task<SemaphorePermit> big = Threads.start(() -> s.acquire(3));
        Threads.awaitParked(big);
        Threads.Task<SemaphorePermit> small = Threads.start(() -> s.acquire(1));
        Threads.awaitParked(small);
        s.release(2);
        assertTrue(s.tryAcquire().isEmpty(), "no barging while someone waits");
        assertEquals(2, s.waiterCount());
        s.release(1);
        big.get().close();
        small.get().close();
        assertEquals(3, s.availablePermits());
    }

    /** Interrupted before or during an acquire: it throws and holds nothing; the permits go to the next waiter. */
    @Test
    void interruption() throws Exception {
        Semaphore s = new Semaphore(1);
        Threads.Task<SemaphorePermit> before = Threads.start(() -> {
            Thread.currentThread().interrupt();
            return s.acquire();
        });
        assertInstanceOf(InterruptedException.class, before.join());
        assertEquals(1, s.availablePermits());
        SemaphorePermit held = s.acquire();
        for (int timed = 0; timed < 2; timed++) {
            boolean t = timed == 1;
            Threads.Task<Object> during = Threads.start(() -> t ? s.acquire(1, Duration.ofSeconds(30)) : s.acquire());
            Threads.awaitParked(during);
            during.thread.interrupt();
            assertInstanceOf(InterruptedException.class, during.join());
        }
        assertEquals(0, s.waiterCount());
        held.close();
        assertEquals(1, s.availablePermits());
    }

    /** Close wakes waiters with SemaphoreClosedException; later acquires fail; held permits stay valid. */
    @Test
    void close() throws Exception {
        Semaphore s = new Semaphore(1);
        SemaphorePermit held = s.acquire();
        Threads.Task<SemaphorePermit> w = Threads.start(s::acquire);
        Threads.awaitParked(w);
        s.close();
        assertInstanceOf(SemaphoreClosedException.class, w.join());
        assertThrows(SemaphoreClosedException.class, s::acquire);
        assertThrows(SemaphoreClosedException.class, s::tryAcquire);
        assertEquals("semaphore closed", new SemaphoreClosedException().getMessage());
        assertTrue(s.isClosed());
        held.close();
    }

    /** Under contention with random interrupts, never more than N holders at once and no permit leaks. */
    @Test
    void stress() throws Exception {
        Semaphore s = new Semaphore(3);
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger max = new AtomicInteger();
        List<Threads.Task<Void>> ts = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            ts.add(Threads.start(() -> {
                for (int k = 0; k < 3000; k++) {
                    try (SemaphorePermit p = s.acquire()) {
                        int n = inside.addAndGet(p.permits());
                        max.accumulateAndGet(n, Math::max);
                        Thread.yield();
                        inside.addAndGet(-p.permits());
                    } catch (InterruptedException e) {
                        // holds nothing
                    }
                }
                return null;
            }));
        }
        for (int i = 0; i < 2000; i++) {
            ts.get(i % ts.size()).thread.interrupt();
            Thread.yield();
        }
        for (Threads.Task<Void> t : ts) {
            t.get();
        }
        assertTrue(max.get() <= 3, "at most 3 holders, saw " + max.get());
        assertEquals(3, s.availablePermits());
    }

    /**
     * A select that queues an acquire of {@code n} permits and then commits another clause, its
     * thread held in cancelling its registrations: the acquire stays in the FIFO, decided, until
     * {@link #close()}.
     */
    private static final class DecidedAcquire implements AutoCloseable {
        final CountDownLatch letCancel = new CountDownLatch(1);
        final Threads.Task<String> selector;

        DecidedAcquire(Semaphore s, int n) throws InterruptedException {
            CountDownLatch cancelling = new CountDownLatch(1);
            // clause 0 holds the selecting thread in its cancel, clause 1 queues for n permits,
            // clause 2 wins at once
            SelectClause<String> holdInCancel = (waiter, index) -> () -> {
                cancelling.countDown();
                try {
                    letCancel.await(Threads.LONG.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            SelectClause<String> winNow = (waiter, index) -> {
                waiter.tryWin(index, "other");
                return SelectClause.Registration.NONE;
            };
            selector = Threads.start(() -> Select.selectBiased(holdInCancel, s.onAcquire(n).map(p -> "permits"), winNow));
            assertTrue(cancelling.await(Threads.LONG.toSeconds(), TimeUnit.SECONDS), "select did not decide");
        }

        @Override
        public void close() throws Exception {
            letCancel.countDown();
            assertEquals("other", selector.get());
        }
    }

    /**
     * A select whose acquire lost to another clause but has not yet withdrawn from the FIFO (its
     * thread is still cancelling registrations) holds back no one: a release serves the smaller
     * waiter behind it, and tryAcquire succeeds when it is the only one left.
     */
    @Test
    void decidedSelectWaiterHoldsBackNoOne() throws Exception {
        Semaphore s = new Semaphore(0);
        try (DecidedAcquire decided = new DecidedAcquire(s, 5)) {
            assertEquals(1, s.waiterCount(), "the decided acquire is still queued");

            Threads.Task<SemaphorePermit> small = Threads.start(() -> s.acquire(1));
            Threads.awaitParked(small);
            s.release(1);
            assertEquals(0, s.waiterCount(), "release served the waiter behind the decided one");
            assertEquals(0, s.availablePermits());
            small.get().close();

            assertEquals(1, s.availablePermits());
            SemaphorePermit p = s.tryAcquire().orElseThrow(() -> new AssertionError(
                    "tryAcquire failed though no one waits; waiters " + s.waiterCount()));
            p.close();
        }
        assertEquals(0, s.waiterCount());
        assertEquals(1, s.availablePermits());
    }

    /** The same decided waiter left alone in the FIFO does not make tryAcquire fail. */
    @Test
    void tryAcquireIgnoresDecidedWaiter() throws Exception {
        Semaphore s = new Semaphore(1);
        try (DecidedAcquire decided = new DecidedAcquire(s, 2)) {
            Optional<SemaphorePermit> p = s.tryAcquire();
            assertTrue(p.isPresent(), "tryAcquire failed behind a waiter that no longer waits");
            p.get().close();
        }
        assertEquals(1, s.availablePermits());
    }
}
