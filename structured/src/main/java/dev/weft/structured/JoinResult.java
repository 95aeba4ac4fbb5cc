package dev.weft.structured;

import java.util.concurrent.CancellationException;

/**
 * How one task of a {@link JoinSet} ended, as returned by {@link JoinSet#joinNext()}.
 *
 * {@snippet :
 * switch (set.joinNext().orElseThrow()) {
 *     case JoinResult.Success<String>(var name, var value) -> use(value);
 *     case JoinResult.Failure<String>(var name, var error) -> log(name, error);
 *     case JoinResult.Cancelled<String>(var name) -> { }
 * }
 * }
 *
 * @param <T> the task's result type
 */
public sealed interface JoinResult<T> {
    /** The task's (fork's) name. */
    String name();

    /**
     * The value of a successful task.
     *
     * @return the value
     * @throws ForkFailedException   if the task failed
     * @throws CancellationException if the task was cancelled
     */
    T valueOrThrow();

    /**
     * The task returned {@code value}.
     *
     * @param name  the task's name
     * @param value what it returned (may be null)
     * @param <T>   the result type
     */
    record Success<T>(String name, T value) implements JoinResult<T> {
        @Override
        public T valueOrThrow() {
            return value;
        }
    }

    /**
     * The task threw {@code error}.
     *
     * @param name  the task's name
     * @param error what it threw
     * @param <T>   the result type
     */
    record Failure<T>(String name, Throwable error) implements JoinResult<T> {
        @Override
        public T valueOrThrow() {
            throw new ForkFailedException("joinset", name, error);
        }
    }

    /**
     * The task was cancelled before it completed (or never started).
     *
     * @param name the task's name
     * @param <T>  the result type
     */
    record Cancelled<T>(String name) implements JoinResult<T> {
        @Override
        public T valueOrThrow() {
            throw new CancellationException("task '" + name + "' was cancelled");
        }
    }
}
