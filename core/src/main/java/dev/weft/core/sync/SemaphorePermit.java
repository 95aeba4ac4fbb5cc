package dev.weft.core.sync;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Permits held from a {@link Semaphore}; {@link #close()} returns them (once, idempotently).
 * {@snippet :
 * try (SemaphorePermit p = semaphore.acquire(3)) {
 *     // three permits held here
 * }
 * }
 */
public final class SemaphorePermit implements AutoCloseable {
    private final Semaphore semaphore;
    private final int permits;
    private final AtomicBoolean released = new AtomicBoolean();

    SemaphorePermit(Semaphore semaphore, int permits) {
        this.semaphore = semaphore;
        this.permits = permits;
    }

    /**
     * How many permits this object holds.
     *
     * @return the count
     */
    public int permits() {
        return permits;
    }

    /**
     * Keeps the permits out of the semaphore for good (its capacity shrinks); a later
     * {@link #close()} does nothing.
     */
    public void forget() {
        released.set(true);
    }

    /** Returns the permits to the semaphore; later calls do nothing. Never parks. */
    @Override
    public void close() {
        if (released.compareAndSet(false, true)) {
            semaphore.giveBack(permits);
        }
    }
}
