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

    /**
     * An owner that makes and leaves a binding after opening its scope (a library call that binds
     * a task-local for a moment) still forks, on every kind of thread that never bound one before:
     * a task, a platform thread, a plain virtual thread. The JDK's scope captured the thread's
     * "never bound" marker at open, and the end of the binding replaced it with the empty
     * bindings, which every later fork took for a binding made since.
     */
    @RepeatedTest(3)
    void ownerForksAfterABindingItMadeSinceOpeningHasEnded() throws Exception {
        try (WeftRuntime rt = TestSupport.runtime()) {
            assertEquals("none r-2 none", rt.run(ScopeTaskLocalsTest::forkAfterEndedBinding));
            String[] onThread = new String[2];
            Thread platform = Thread.ofPlatform().start(() -> onThread[0] = forkAfterEndedBindingOrError());
            Thread virtual = Thread.ofVirtual().start(() -> onThread[1] = forkAfterEndedBindingOrError());
            platform.join();
            virtual.join();
            assertEquals("none r-2 none", onThread[0], "platform thread");
            assertEquals("none r-2 none", onThread[1], "virtual thread");
        }
    }

    private static String forkAfterEndedBinding() throws Exception {
        try (Scope scope = Scope.open("after-binding")) {
            Fork<String> before = scope.fork(() -> REQUEST.orElse("none"));
            String inBinding = TaskLocal.where(REQUEST, "r-2").call(REQUEST::get);
            Fork<String> after = scope.fork(() -> REQUEST.orElse("none"));
            scope.join();
            return before.resultNow() + " " + inBinding + " " + after.resultNow();
        }
    }

    private static String forkAfterEndedBindingOrError() {
        try {
            return forkAfterEndedBinding();
        } catch (Throwable t) {
            return t.toString();
        }
    }
}
