package dev.weft.core.sync;

/**
 * Thrown by an acquire on a {@link Semaphore} that is (or becomes, while waiting) closed.
 *
 * <p>Example (compiled and run in the tests as {@code dev.weft.core.snippets.TypeExamples}):
 * {@snippet :
 * Semaphore permits = new Semaphore(0);
 * permits.close();                                           // wakes every waiter, refuses new ones
 * try {
 *     permits.acquire();
 * } catch (SemaphoreClosedException e) {
 *     // the semaphore was closed: stop waiting for a permit
 * }
 * }
 */
public class SemaphoreClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** With the stable message "semaphore closed". */
    public SemaphoreClosedException() {
        super("semaphore closed");
    }
}
