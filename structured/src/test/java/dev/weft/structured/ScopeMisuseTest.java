package dev.weft.structured;

import dev.weft.core.WeftRuntime;
import dev.weft.core.sync.SelectClause;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /**
     * The owner is named in the error even when it is an unnamed task (most are): by its id, so
     * the message tells which thread owns the scope and which one tried.
     */
    @Test
    void wrongThreadNamesAnUnnamedOwnerByItsId() throws Exception {
        rt.spawn(() -> {
            Thread owner = Thread.currentThread();
            assertEquals("", owner.getName(), "the owner is an unnamed task");
            try (Scope scope = Scope.open("owned")) {
                CompletableFuture<Throwable> err = new CompletableFuture<>();
                Thread.ofPlatform().name("intruder").start(() -> {
                    try {
                        scope.fork(() -> 1);
                        err.complete(null);
                    } catch (Throwable t) {
                        err.complete(t);
                    }
                });
                Throwable t = err.get(10, TimeUnit.SECONDS);
                assertInstanceOf(WrongThreadException.class, t);
                assertTrue(t.getMessage().contains("#" + owner.threadId()), t.getMessage());
                assertTrue(t.getMessage().contains("'intruder'"), t.getMessage());
                scope.join();
            }
            return null;
        }).join();
    }

    /**
     * A fork inside a task-local binding made after the scope was opened is refused (its forks
     * see the bindings the scope was opened with) with the documented IllegalStateException
     * naming the scope, not the JDK's preview StructureViolationException; the scope is
     * unchanged and still joins.
     */
    @Test
    void forkInsideALaterBindingIsAnIllegalStateNamingTheScope() throws Exception {
        dev.weft.core.TaskLocal<String> user = dev.weft.core.TaskLocal.newInstance();
        rt.run(() -> {
            try (Scope scope = Scope.open("bound")) {
                Fork<String> before = scope.fork(() -> user.orElse("none"));
                IllegalStateException e = assertThrows(IllegalStateException.class,
                        () -> dev.weft.core.TaskLocal.where(user, "bob").call(() -> scope.fork(() -> 1)));
                assertTrue(e.getMessage().contains("'bound'"), e.getMessage());
                Fork<String> after = scope.fork(() -> user.orElse("none"));
                scope.join();
                assertEquals("none", before.resultNow());
                assertEquals("none", after.resultNow());
            }
            return null;
        });
    }

    /**
     * Closing a scope before one opened inside it throws IllegalStateException naming it (not the
     * JDK's preview StructureViolationException), and the scopes the thread opens afterwards are
     * not nested in the closed, cancelled one: they run instead of starting cancelled.
     */
    @Test
    void closingOutOfOrderLeavesLaterScopesOfTheThreadUnaffected() throws Exception {
        rt.run(() -> {
            Scope outer = Scope.open("outer-first");
            Scope inner = Scope.open("inner-left-open");
            inner.fork(() -> 1);
            IllegalStateException e = assertThrows(IllegalStateException.class, outer::close);
            assertTrue(e.getMessage().contains("'outer-first'"), e.getMessage());
            assertThrows(java.util.concurrent.CancellationException.class, inner::join);
            inner.close();
            try (Scope later = Scope.open("later")) {
                Fork<Integer> f = later.fork(() -> 1);
                later.join();
                assertEquals(1, f.resultNow());
                assertFalse(later.isCancelled());
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
