package dev.weft.structured;

/**
 * The results of {@link Structured#join} or {@link Structured#tryJoin} of 3 callables, in argument order.
 *
 * @param first the result of the 1st callable
 * @param second the result of the 2nd callable
 * @param third the result of the 3rd callable
 * @param <A> its type
 * @param <B> its type
 * @param <C> its type
 */
public record Tuple3<A, B, C>(A first, B second, C third) {}
