package dev.weft.structured;

/**
 * Thrown by {@link Scope#join()} when the scope's deadline (its own, or an enclosing scope's,
 * whichever is earlier) passed before its forks were done. By then every fork has been cancelled;
 * {@link Scope#close()} waits for them to end. Unchecked.
 *
 * <p>Example (compiled and run in the tests as {@code dev.weft.structured.snippets.TypeExamples}):
 * {@snippet :
 * try (Scope scope = Scope.open("slow", Duration.ofMillis(50))) {
 *     scope.fork(() -> {
 *         Thread.sleep(Duration.ofSeconds(10));
 *         return null;
 *     });
 *     scope.join();                                          // throws at 50 ms; the fork is cancelled
 * } catch (DeadlineExceededException e) {
 *     // e.scopeName() is "slow"
 * }
 * }
 */
public final class DeadlineExceededException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String scopeName;

    /**
     * Creates the exception for the scope named {@code scopeName}.
     *
     * @param scopeName the scope whose deadline passed
     */
    public DeadlineExceededException(String scopeName) {
        super("deadline of scope '" + scopeName + "' exceeded");
        this.scopeName = scopeName;
    }

    /** The name of the scope whose deadline passed. */
    public String scopeName() {
        return scopeName;
    }
}
