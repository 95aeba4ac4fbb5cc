package dev.weft.core.spi;

/** A timer armed on a carrier's wheel. */
public interface TimerHandle {
    /**
     * Cancels the timer. Safe from any thread, O(1); the action does not run after this returns
     * {@code true}.
     *
     * @return {@code true} if this call cancelled it, {@code false} if it had fired or was cancelled
     */
    boolean cancel();
}
