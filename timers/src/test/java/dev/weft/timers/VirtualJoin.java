package dev.weft.timers;

import dev.weft.core.Weft;
import dev.weft.core.spi.Parking;

import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A spawned task whose join counts as a timed wait for auto-advance.
 *
 * <p>Workaround until core treats {@code Task.join()} by a task of the same runtime as a wait on
 * the runtime itself (see the timers report): today an untimed join is an untimed park, which
 * (correctly, for waits on things outside the runtime) holds virtual time still.
 */
final class VirtualJoin<T> {
    private final ConcurrentLinkedQueue<Thread> waiters = new ConcurrentLinkedQueue<>();
    private volatile boolean done;
    private volatile T value;
    private volatile Throwable error;

    static <T> VirtualJoin<T> spawn(Callable<T> body) {
        VirtualJoin<T> j = new VirtualJoin<>();
        Weft.spawn(() -> {
            try {
                j.value = body.call();
            } catch (Throwable e) {
                j.error = e;
            } finally {
                j.done = true;
                Thread w;
                while ((w = j.waiters.poll()) != null) {
                    Parking.unpark(w);
                }
            }
            return null;
        });
        return j;
    }

    T join() throws Exception {
        Thread me = Thread.currentThread();
        waiters.add(me);
        while (!done) {
            Parking.parkNanos(this, Long.MAX_VALUE);
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        waiters.remove(me);
        if (error instanceof Exception e) {
            throw e;
        }
        if (error instanceof Error e) {
            throw e;
        }
        return value;
    }
}
