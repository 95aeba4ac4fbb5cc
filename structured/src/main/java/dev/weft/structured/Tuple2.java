package dev.weft.structured;

/**
 * The results of {@link Structured#join} or {@link Structured#tryJoin} of 2 callables, in argument order.
 *
 * @param first the result of the 1st callable
 * @param second the result of the 2nd callable
 * @param <A> its type
 * @param <B> its type
 */
public record Tuple2<A, B>(A first, B second) {}
