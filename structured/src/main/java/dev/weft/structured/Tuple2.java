package dev.weft.structured;

/**
 * The results of {@link Structured#join} or {@link Structured#tryJoin} of 2 callables, in argument order.
 *
 * <p>Example (compiled and run in the tests as {@code dev.weft.structured.snippets.TypeExamples}):
 * {@snippet :
 * Tuple2<String, Integer> t = Structured.join(() -> "A", () -> 2);
 * String s = t.first() + t.second();                         // "A2"
 * }
 *
 * @param first the result of the 1st callable
 * @param second the result of the 2nd callable
 * @param <A> its type
 * @param <B> its type
 */
public record Tuple2<A, B>(A first, B second) {}
