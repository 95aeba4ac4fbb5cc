package dev.weft.structured.snippets;

import dev.weft.core.WeftRuntime;
import dev.weft.structured.DeadlineExceededException;
import dev.weft.structured.Fork;
import dev.weft.structured.ForkFailedException;
import dev.weft.structured.Scope;
import dev.weft.structured.Structured;
import dev.weft.structured.Tuple2;
import dev.weft.structured.Tuple3;
import dev.weft.structured.Tuple4;
import dev.weft.structured.Tuple5;
import dev.weft.structured.Tuple6;

import java.time.Duration;

/** The examples in the class comments of dev.weft.structured's types (compiled and run by TypeExamplesTest). */
public final class TypeExamples {
    private TypeExamples() {}

    /** Runs every example in a task of a fresh runtime; returns what they produced, one per line. */
    public static String run() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().build()) {
            return rt.run(() -> fork() + "\n" + tuples() + "\n" + forkFailed() + "\n" + deadline());
        }
    }

    /** {@code Fork}'s example. */
    static String fork() throws Exception {
        try (Scope scope = Scope.open("pair")) {
            Fork<String> a = scope.fork("a", () -> "A");
            Fork<Integer> b = scope.fork("b", () -> 2);
            scope.join();                                          // both have ended
            return a.resultNow() + b.resultNow();                  // "A2"
        }
    }

    /** The examples of {@code Tuple2} to {@code Tuple6}. */
    static String tuples() throws Exception {
        Tuple2<String, Integer> t2 = Structured.join(() -> "A", () -> 2);
        Tuple3<String, Integer, Boolean> t3 = Structured.join(() -> "A", () -> 2, () -> true);
        Tuple4<String, Integer, Boolean, Long> t4 = Structured.join(() -> "A", () -> 2, () -> true, () -> 4L);
        Tuple5<String, Integer, Boolean, Long, Character> t5 =
                Structured.join(() -> "A", () -> 2, () -> true, () -> 4L, () -> 'e');
        Tuple6<String, Integer, Boolean, Long, Character, Double> t6 =
                Structured.join(() -> "A", () -> 2, () -> true, () -> 4L, () -> 'e', () -> 6.0);
        return t2.first() + t2.second() + " " + t3.third() + " " + t4.fourth() + " " + t5.fifth() + " " + t6.sixth();
    }

    /** {@code ForkFailedException}'s example. */
    static String forkFailed() throws Exception {
        try (Scope scope = Scope.open("pair")) {
            scope.fork("ok", () -> 1);
            scope.fork("bad", () -> Integer.parseInt("x"));
            scope.join();
            return "joined";
        } catch (ForkFailedException e) {
            return e.scopeName() + "/" + e.forkName() + ": " + e.getCause().getClass().getSimpleName();
        }
    }

    /** {@code DeadlineExceededException}'s example. */
    static String deadline() throws Exception {
        try (Scope scope = Scope.open("slow", Duration.ofMillis(50))) {
            scope.fork(() -> {
                Thread.sleep(Duration.ofSeconds(10));
                return null;
            });
            scope.join();                                          // throws at 50 ms; the fork is cancelled
            return "joined";
        } catch (DeadlineExceededException e) {
            return e.scopeName() + " ran out of time";
        }
    }
}
