package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link OnceCell}: single initialisation, parking initialisers, failure hand-over. */
class OnceCellInitTest {

    /** Concurrent getOrInit runs the initialiser once; the others park and get its value. */
    @Test
    void initialisesOnce() throws Exception {
        OnceCell<String> cell = new OnceCell<>();
        AtomicInteger runs = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        Threads.Task<String> first = Threads.start(() -> cell.getOrInit(() -> {
            runs.incrementAndGet();
            release.await();
            return "v";
        }));
        Threads.awaitParked(first);
        List<Threads.Task<String>> others = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            others.add(Threads.start(() -> cell.getOrInit(() -> {
                runs.incrementAndGet();
                return "other";
            })));
        }
        for (Threads.Task<String> o : others) {
            Threads.awaitParked(o);
        }
        assertEquals(Optional.empty(), cell.get());
        assertFalse(cell.set("x"), "cannot set while initialising");
        release.countDown();
        assertEquals("v", first.get());
        for (Threads.Task<String> o : others) {
            assertEquals("v", o.get());
        }
        assertEquals(1, runs.get());
        assertEquals(Optional.of("v"), cell.get());
        assertTrue(cell.isInitialized());
        assertEquals("v", cell.await());
    }

    /** A failing initialiser leaves the cell empty and a later caller initialises it. */
    @Test
    void failureHandsOver() throws Exception {
        OnceCell<String> cell = new OnceCell<>();
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> cell.getOrInit(() -> { throw new java.io.IOException("no"); }));
        assertInstanceOf(java.io.IOException.class, e.getCause());
        assertInstanceOf(NullPointerException.class,
                assertThrows(ExecutionException.class, () -> cell.getOrInit(() -> null)).getCause());
        assertEquals("ok", cell.getOrInit(() -> "ok"));
    }

    /** set, await and the timed forms. */
    @Test
    void setAndAwait() throws Exception {
        OnceCell<Integer> cell = new OnceCell<>();
        assertEquals(Optional.empty(), cell.await(Duration.ofMillis(5)));
        Threads.Task<Integer> w = Threads.start(cell::await);
        Threads.awaitParked(w);
        assertTrue(cell.set(1));
        assertFalse(cell.set(2));
        assertEquals(1, w.get());
        assertEquals(Optional.of(1), cell.getOrInit(() -> 3, Duration.ZERO));
        assertThrows(NullPointerException.class, () -> cell.set(null));
    }

    /** Waiting for another initialiser throws when interrupted before or during, and times out. */
    @Test
    void interruptionAndTimeout() throws Exception {
        OnceCell<String> cell = new OnceCell<>();
        CountDownLatch release = new CountDownLatch(1);
        Threads.Task<String> init = Threads.start(() -> cell.getOrInit(() -> { release.await(); return "v"; }));
        Threads.awaitParked(init);
        Threads.Task<String> before = Threads.start(() -> {
            Thread.currentThread().interrupt();
            return cell.getOrInit(() -> "x");
        });
        assertInstanceOf(InterruptedException.class, before.join());
        Threads.Task<String> during = Threads.start(() -> cell.getOrInit(() -> "x"));
        Threads.awaitParked(during);
        during.thread.interrupt();
        assertInstanceOf(InterruptedException.class, during.join());
        assertEquals(Optional.empty(), cell.getOrInit(() -> "x", Duration.ofMillis(5)));
        release.countDown();
        assertEquals("v", init.get());
    }

    /**
     * An ExecutionException thrown by the initialiser itself is the cause of the one getOrInit
     * throws, like any other exception (an initialiser calling Future.get, say): the caller can
     * tell the initialiser's failure from its cause.
     */
    @Test
    void initialisersOwnExecutionExceptionIsTheCause() throws Exception {
        OnceCell<String> cell = new OnceCell<>();
        ExecutionException own = new ExecutionException("from a future", new java.io.IOException("disk"));
        ExecutionException e = assertThrows(ExecutionException.class, () -> cell.getOrInit(() -> { throw own; }));
        assertNotSame(own, e, "the initialiser's exception came back unwrapped");
        assertSame(own, e.getCause());
        assertFalse(cell.isInitialized());
        assertEquals("ok", cell.getOrInit(() -> "ok"));
    }
}
