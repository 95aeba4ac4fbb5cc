package dev.weft.core.sync;

/**
 * The outcome of a receive that may not yield a value: {@link Value}, {@link Empty} (nothing
 * available now, or before the deadline) or {@link Closed} (closed and drained). Never null.
 *
 * {@snippet :
 * switch (rx.tryReceive()) {
 *     case ReceiveResult.Value<String>(var v) -> handle(v);
 *     case ReceiveResult.Empty<String>() -> doSomethingElse();
 *     case ReceiveResult.Closed<String>() -> stop();
 * }
 * }
 *
 * @param <T> the element type
 */
public sealed interface ReceiveResult<T> {

    /**
     * A received value.
     *
     * @param value the value, never null
     * @param <T> the element type
     */
    record Value<T>(T value) implements ReceiveResult<T> {}

    /**
     * Nothing was available (now, or before the deadline).
     *
     * @param <T> the element type
     */
    record Empty<T>() implements ReceiveResult<T> {}

    /**
     * The channel is closed and has no more values.
     *
     * @param <T> the element type
     */
    record Closed<T>() implements ReceiveResult<T> {}

    /**
     * The shared {@link Empty} instance.
     *
     * @param <T> the element type
     * @return it
     */
    @SuppressWarnings("unchecked")
    static <T> ReceiveResult<T> empty() {
        return (ReceiveResult<T>) Holder.EMPTY;
    }

    /**
     * The shared {@link Closed} instance.
     *
     * @param <T> the element type
     * @return it
     */
    @SuppressWarnings("unchecked")
    static <T> ReceiveResult<T> closed() {
        return (ReceiveResult<T>) Holder.CLOSED;
    }

    /**
     * Whether this is a {@link Value}.
     *
     * @return true for a value
     */
    default boolean isValue() {
        return this instanceof Value;
    }

    /**
     * The value, if this is a {@link Value}.
     *
     * @return the value
     * @throws java.util.NoSuchElementException if this is {@link Empty}
     * @throws ChannelClosedException if this is {@link Closed}
     */
    default T orElseThrow() {
        return switch (this) {
            case Value<T> v -> v.value();
            case Empty<T> e -> throw new java.util.NoSuchElementException("no value available");
            case Closed<T> c -> throw new ChannelClosedException();
        };
    }
}
