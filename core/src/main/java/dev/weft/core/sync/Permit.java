package dev.weft.core.sync;

import java.util.Objects;

/**
 * One reserved slot of a {@link Channel}'s capacity (from {@link Sender#reserve()}). Sending
 * through it never parks and never fails; closing it unused gives the slot back. Use it exactly
 * once, from one thread, typically in try-with-resources:
 * {@snippet :
 * try (Permit<Job> p = tx.reserve()) {
 *     p.send(buildExpensiveJob());  // capacity was secured before building
 * }
 * }
 *
 * <p>A permit that is neither used nor closed keeps its slot forever, and receivers of a closed
 * channel wait for it.
 *
 * @param <T> the element type
 */
public final class Permit<T> implements AutoCloseable {
    private final Channel<T> channel;
    private boolean used; // guarded by channel lock

    Permit(Channel<T> channel) {
        this.channel = channel;
    }

    /**
     * Enqueues {@code value} in the reserved slot and consumes the permit. Never parks; succeeds
     * even if the channel was closed after the reservation (receivers still drain it).
     *
     * @param value the value, not null
     * @throws NullPointerException  if {@code value} is null
     * @throws IllegalStateException if the permit was already used or closed
     */
    public void send(T value) {
        Objects.requireNonNull(value, "value");
        channel.permitSend(this, value);
    }

    /** Returns the slot unused; does nothing if the permit was already used or closed. */
    @Override
    public void close() {
        channel.permitRelease(this);
    }

    /** Same as {@link #close()}. */
    public void release() {
        close();
    }

    /** Marks used; returns false if it already was. Called under the channel lock. */
    boolean use() {
        if (used) {
            return false;
        }
        used = true;
        return true;
    }
}
