package dev.weft.core;

/**
 * Thrown by {@link Task#join()} when the task's body threw; {@link #getCause()} is what it threw.
 * Unchecked, like Tokio's {@code JoinError}, so blocking-style code need not declare it.
 *
 * <p>Example (compiled and run in the tests as {@code dev.weft.core.snippets.TypeExamples}):
 * {@snippet :
 * Task<Integer> parse = rt.spawn("parse", () -> Integer.parseInt("x"));
 * try {
 *     parse.join();
 * } catch (TaskFailedException e) {
 *     // e.taskName() is "parse"; e.getCause() is the NumberFormatException
 * }
 * }
 */
public final class TaskFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String taskName;

    /** Creates the exception for the task named {@code taskName} that threw {@code cause}. */
    public TaskFailedException(String taskName, Throwable cause) {
        super("task '" + taskName + "' failed: " + cause, cause);
        this.taskName = taskName;
    }

    /** The name of the task that failed. */
    public String taskName() {
        return taskName;
    }
}
