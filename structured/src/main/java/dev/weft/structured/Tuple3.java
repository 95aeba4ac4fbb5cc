package dev.weft.structured;

/**
 * The results of {@link Structured#join} or {@link Structured#tryJoin} of 3 callables, in argument order.
 *
 * <p>Example (compiled and run in the tests as {@code dev.weft.structured.snippets.TypeExamples}):
 * {@snippet :
 * Tuple3<String, Integer, Boolean> t = Structured.join(() -> "A", () -> 2, () -> true);
 * boolean third = t.third();
 * }
 *
 * @param first the result of the 1st callable
 * @param second the result of the 2nd callable
 * @param third the result of the 3rd callable
 * @param <A> its type
 * @param <B> its type
 * @param <C> its type
 */
public record Tuple3<A, B, C>(A first, B second, C third) {}
