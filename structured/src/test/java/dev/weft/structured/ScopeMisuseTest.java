package dev.weft.structured;

import dev.weft.core.WeftRuntime;
import dev.weft.core.sync.SelectClause;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScopeMisuseTest {
    /** One runtime for the class, closed after its last test. */
    @AutoClose
    static final WeftRuntime rt = TestSupport.runtime();

    /** Forking from a thread that does not own the scope throws WrongThreadException naming the scope. */
    @Test
    void forkFromOtherThread() throws Exception {
        rt.run(() -> {
            try (Scope scope = Scope.open("owned")) {
                CompletableFuture<Throwable> err = new CompletableFuture<>();
                rt.spawn(() -> {
                    try {
                        scope.fork(() -> 1);
                        err.complete(null);
                    } catch (Throwable t) {
                        err.complete(t);
                    }
                    return null;
                });
                Throwable t = err.get(10, TimeUnit.SECONDS);
                assertInstanceOf(WrongThreadException.class, t);
                assertTrue(t.getMessage().contains("'owned'"), t.getMessage());
                scope.join();
            }
            return null;
        });
    }

    /** A fork cannot fork into its parent's scope (it is not the owner). */
    @Test
    void forkFromInsideFork() throws Exception {
        rt.run(() -> {
            try (Scope scope = Scope.open("parent")) {
                Fork<Object> f = scope.fork(() -> scope.fork(() -> 1));
                scope.fork(() -> 1);
                assertThrows(ForkFailedException.class, scope::join);
                assertInstanceOf(WrongThreadException.class, f.exception());
            }
            return null;
        });
    }

    /** Using a closed scope throws IllegalStateException naming it; closing twice is fine. */
    @Test
    void closedScope() throws Exception {
        rt.run(() -> {
            Scope scope = Scope.open("closed-one");
            scope.join();
            scope.close();
            scope.close();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> scope.fork(() -> 1));
            assertTrue(e.getMessage().contains("'closed-one'"), e.getMessage());
            assertThrows(IllegalStateException.class, scope::join);
            JoinSet<Integer> set = new JoinSet<>("closed-set");
            set.close();
            assertThrows(IllegalStateException.class, () -> set.spawn(() -> 1));
            IllegalStateException e2 = assertThrows(IllegalStateException.class, set::joinNext);
            assertTrue(e2.getMessage().contains("'closed-set'"), e2.getMessage());
            return null;
        });
    }

    /** Joining twice or forking after join throws IllegalStateException. */
    @Test
    void joinTwiceForkAfterJoin() throws Exception {
        rt.run(() -> {
            try (Scope scope = Scope.open("once")) {
                scope.join();
                assertThrows(IllegalStateException.class, scope::join);
                assertThrows(IllegalStateException.class, () -> scope.fork(() -> 1));
            }
            return null;
        });
    }

    /** select with no branches throws IllegalArgumentException, in every form. */
    @Test
    void selectWithoutBranches() throws Exception {
        rt.run(() -> {
            assertThrows(IllegalArgumentException.class, () -> Structured.select());
            assertThrows(IllegalArgumentException.class, () -> Structured.selectBiased());
            assertThrows(IllegalArgumentException.class, () -> Structured.trySelect());
            assertThrows(IllegalArgumentException.class, () -> Structured.trySelectBiased());
            assertThrows(IllegalArgumentException.class, () -> Structured.select(java.util.List.<SelectClause<Integer>>of()));
            return null;
        });
    }

    /** Blank names and null bodies are rejected with the parameter's name. */
    @Test
    void badArguments() throws Exception {
        rt.run(() -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scope.open(" "));
            assertTrue(e.getMessage().contains("name"));
            assertThrows(NullPointerException.class, () -> Scope.open(null));
            try (Scope scope = Scope.open("nulls")) {
                assertThrows(NullPointerException.class, () -> scope.fork(null));
                scope.join();
            }
            assertThrows(NullPointerException.class, () -> Structured.join(() -> 1, null));
            return null;
        });
    }

    /** A scope opened outside any runtime runs its forks on the shared runtime. */
    @Test
    void outsideRuntime() throws Exception {
        try (Scope scope = Scope.open("outside")) {
            Fork<Boolean> f = scope.fork(() -> dev.weft.core.Weft.currentTask().isPresent());
            scope.join();
            assertEquals(true, f.resultNow());
        }
    }
}
