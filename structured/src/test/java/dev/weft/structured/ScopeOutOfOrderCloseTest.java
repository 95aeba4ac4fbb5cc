package dev.weft.structured;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.RepeatedTest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Closing an outer scope before an inner one is a structure violation: the JDK's scope throws
 * {@code StructureViolationException} and closes the inner one too. The thread must not stay
 * bound to a scope that is closed (and cancelled by its close): the scopes and join sets it opens
 * afterwards must work, as the JDK's own scopes do after the violation.
 */
class ScopeOutOfOrderCloseTest {
    @AutoClose
    static final WeftRuntime rt = TestSupport.runtime();

    @RepeatedTest(20)
    void scopesOpenedAfterAnOutOfOrderCloseAreNotCancelled() throws Exception {
        rt.run(() -> {
            JoinSet<Integer> outer = new JoinSet<>("outer");
            Scope inner = Scope.open("inner");
            IllegalStateException violation = assertThrows(IllegalStateException.class, outer::close,
                    "closing the outer set while the inner scope is open is a structure violation");
            assertTrue(violation.getMessage().contains("'outer'"), violation.getMessage());
            inner.close();   // after the JDK closed it with the outer one: no effect

            try (JoinSet<Integer> later = new JoinSet<>("later")) {
                later.spawn(() -> 1);
                JoinResult<Integer> r = later.joinNext().orElseThrow();
                assertEquals(new JoinResult.Success<>("later-0", 1), r,
                        "a set opened after the violation runs its tasks (it nested in the closed, cancelled set)");
            }
            try (Scope later = Scope.open("later-scope")) {
                Fork<Integer> f = later.fork(() -> 2);
                later.join();
                assertEquals(2, f.resultNow(), "a scope opened after the violation is not cancelled");
            }
            assertTrue(Structured.join(() -> 3, () -> 4).equals(new Tuple2<>(3, 4)));
            return null;
        });
    }
}
