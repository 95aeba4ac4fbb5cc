package dev.weft.core.sync;

/** Thrown by an acquire on a {@link Semaphore} that is (or becomes, while waiting) closed. */
public class SemaphoreClosedException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** With the stable message "semaphore closed". */
    public SemaphoreClosedException() {
        super("semaphore closed");
    }
}
