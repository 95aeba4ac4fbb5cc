package dev.weft.structured;

/**
 * Thrown when a fork's body threw: by {@link Fork#join()}, and by {@link Scope#join()},
 * {@link Structured#join}, {@link Structured#tryJoin} and {@link Structured#race} for the first
 * failure of a scope. {@link #getCause()} is what the body threw; the failures of other forks of
 * the same scope are attached as {@linkplain #getSuppressed() suppressed} exceptions (each a
 * {@code ForkFailedException} naming its fork). Unchecked, like core's {@code TaskFailedException}.
 *
 * <p>Example (compiled and run in the tests as {@code dev.weft.structured.snippets.TypeExamples}):
 * {@snippet :
 * try (Scope scope = Scope.open("pair")) {
 *     scope.fork("ok", () -> 1);
 *     scope.fork("bad", () -> Integer.parseInt("x"));
 *     scope.join();
 * } catch (ForkFailedException e) {
 *     // e.scopeName() is "pair", e.forkName() "bad", e.getCause() the NumberFormatException
 * }
 * }
 */
public final class ForkFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String scopeName;
    private final String forkName;

    /**
     * Creates the exception for fork {@code forkName} of scope {@code scopeName} that threw {@code cause}.
     *
     * @param scopeName the scope's name
     * @param forkName  the fork's name
     * @param cause     what the fork's body threw
     */
    public ForkFailedException(String scopeName, String forkName, Throwable cause) {
        super("fork '" + forkName + "' of scope '" + scopeName + "' failed: " + cause, cause);
        this.scopeName = scopeName;
        this.forkName = forkName;
    }

    /** The name of the scope the failed fork belonged to. */
    public String scopeName() {
        return scopeName;
    }

    /** The name of the fork that failed. */
    public String forkName() {
        return forkName;
    }
}
