package dev.weft.structured;

/**
 * The results of {@link Structured#join} or {@link Structured#tryJoin} of 4 callables, in argument order.
 *
 * <p>Example (compiled and run in the tests as {@code dev.weft.structured.snippets.TypeExamples}):
 * {@snippet :
 * Tuple4<String, Integer, Boolean, Long> t = Structured.join(() -> "A", () -> 2, () -> true, () -> 4L);
 * long fourth = t.fourth();
 * }
 *
 * @param first the result of the 1st callable
 * @param second the result of the 2nd callable
 * @param third the result of the 3rd callable
 * @param fourth the result of the 4th callable
 * @param <A> its type
 * @param <B> its type
 * @param <C> its type
 * @param <D> its type
 */
public record Tuple4<A, B, C, D>(A first, B second, C third, D fourth) {}
