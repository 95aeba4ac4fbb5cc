package dev.weft.core.sync;

/**
 * The outcome of a {@link BroadcastReceiver} receive: {@link Value}, {@link Lagged} (this receiver
 * fell behind and missed values), {@link Empty} (nothing new now or before the deadline) or
 * {@link Closed} (closed and every retained value seen). Never null.
 *
 * {@snippet :
 * switch (rx.receive()) {
 *     case BroadcastResult.Value<Event>(var e) -> handle(e);
 *     case BroadcastResult.Lagged<Event>(long missed) -> log.warn("missed " + missed);
 *     case BroadcastResult.Empty<Event>() -> { }          // only from tryReceive / timed receive
 *     case BroadcastResult.Closed<Event>() -> stop();
 * }
 * }
 *
 * @param <T> the element type
 */
public sealed interface BroadcastResult<T> {

    /**
     * A value.
     *
     * @param value the value
     * @param <T> the element type
     */
    record Value<T>(T value) implements BroadcastResult<T> {}

    /**
     * The receiver fell more than the capacity behind; it skipped {@code missed} values and its
     * next receive returns the oldest value still retained.
     *
     * @param missed how many values this receiver will never see, at least 1
     * @param <T>    the element type
     */
    record Lagged<T>(long missed) implements BroadcastResult<T> {}

    /**
     * Nothing new (now, or before the deadline).
     *
     * @param <T> the element type
     */
    record Empty<T>() implements BroadcastResult<T> {}

    /**
     * Closed, and this receiver has seen every retained value.
     *
     * @param <T> the element type
     */
    record Closed<T>() implements BroadcastResult<T> {}
}
