package dev.weft.structured;

/**
 * The results of {@link Structured#join} or {@link Structured#tryJoin} of 5 callables, in argument order.
 *
 * <p>Example (compiled and run in the tests as {@code dev.weft.structured.snippets.TypeExamples}):
 * {@snippet :
 * Tuple5<String, Integer, Boolean, Long, Character> t =
 *         Structured.join(() -> "A", () -> 2, () -> true, () -> 4L, () -> 'e');
 * char fifth = t.fifth();
 * }
 *
 * @param first the result of the 1st callable
 * @param second the result of the 2nd callable
 * @param third the result of the 3rd callable
 * @param fourth the result of the 4th callable
 * @param fifth the result of the 5th callable
 * @param <A> its type
 * @param <B> its type
 * @param <C> its type
 * @param <D> its type
 * @param <E> its type
 */
public record Tuple5<A, B, C, D, E>(A first, B second, C third, D fourth, E fifth) {}
