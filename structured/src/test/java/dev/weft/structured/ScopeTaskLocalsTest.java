package dev.weft.structured;

import dev.weft.core.Task;
import dev.weft.core.TaskLocal;
import dev.weft.core.Weft;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.RepeatedTest;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Task-locals bound by a scope's owner reach its forks, the scopes nested in them, and tasks
 * those forks spawn; a binding made inside a fork stays in that fork. Forks get the owner's
 * bindings from the JDK scope that starts them: they capture nothing of their own.
 */
class ScopeTaskLocalsTest {
    private static final TaskLocal<String> REQUEST = TaskLocal.newInstance();

    @RepeatedTest(5)
    void ownersBindingsReachForksNestedScopesAndSpawnedTasks() throws Exception {
        try (WeftRuntime rt = TestSupport.runtime()) {
            List<String> seen = rt.run(() -> TaskLocal.where(REQUEST, "r-17").call(() -> {
                try (Scope outer = Scope.open("outer")) {
                    Fork<String> direct = outer.fork(REQUEST::get);
                    Fork<String> nested = outer.fork(() -> {
                        try (Scope inner = Scope.open("inner")) {
                            Fork<String> f = inner.fork(REQUEST::get);
                            inner.join();
                            return f.resultNow();
                        }
                    });
                    Fork<String> spawned = outer.fork(() -> {
                        Task<String> t = Weft.spawn(REQUEST::get);
                        return t.join();
                    });
                    Fork<String> rebound = outer.fork(() -> TaskLocal.where(REQUEST, "r-18").call(REQUEST::get));
                    outer.join();
                    return List.of(direct.resultNow(), nested.resultNow(), spawned.resultNow(),
                            rebound.resultNow(), REQUEST.get());
                }
            }));
            assertEquals(List.of("r-17", "r-17", "r-17", "r-18", "r-17"), seen);
        }
    }

    @RepeatedTest(5)
    void forksOfAnOwnerWithoutBindingsSeeNone() throws Exception {
        try (WeftRuntime rt = TestSupport.runtime()) {
            boolean bound = rt.run(() -> {
                try (Scope scope = Scope.open("plain")) {
                    Fork<Boolean> f = scope.fork(REQUEST::isBound);
                    scope.join();
                    return f.resultNow();
                }
            });
            assertFalse(bound);
        }
    }
}
