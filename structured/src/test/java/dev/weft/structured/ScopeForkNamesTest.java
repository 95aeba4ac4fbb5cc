package dev.weft.structured;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A fork without a name of its own is called {@code <scope>-<n>}, and its thread carries that
 * name; scopes of the same name opened again and again share those strings instead of building
 * them again.
 */
class ScopeForkNamesTest {
    /** One runtime for the class, closed after its last test. */
    @AutoClose
    static final WeftRuntime rt = TestSupport.runtime();

    /** Names and thread names of {@code count} unnamed forks of a scope called {@code scopeName}. */
    private static List<List<String>> forkNames(String scopeName, int count) throws Exception {
        return rt.run(() -> {
            List<Fork<String>> forks = new ArrayList<>();
            try (Scope scope = Scope.open(scopeName)) {
                for (int i = 0; i < count; i++) {
                    forks.add(scope.fork(() -> Thread.currentThread().getName()));
                }
                scope.join();
            }
            List<String> names = new ArrayList<>();
            List<String> threadNames = new ArrayList<>();
            for (Fork<String> f : forks) {
                names.add(f.name());
                threadNames.add(f.resultNow());
            }
            return List.of(names, threadNames);
        });
    }

    @Test
    void defaultNamesCountFromZeroPastTheSharedOnesAndNameTheThreads() throws Exception {
        List<List<String>> got = forkNames("names", 1500);
        for (int i = 0; i < 1500; i++) {
            assertEquals("names-" + i, got.get(0).get(i));
            assertEquals("names-" + i, got.get(1).get(i), "thread name of fork " + i);
        }
    }

    @Test
    void scopesOfTheSameNameShareTheStrings() throws Exception {
        forkNames("shared", 40); // the first scope of a name builds its own strings
        List<String> second = forkNames("shared", 40).get(0);
        List<String> third = forkNames("shared", 40).get(0);
        for (int i = 0; i < 40; i++) {
            assertEquals("shared-" + i, third.get(i));
            assertSame(second.get(i), third.get(i), "name of fork " + i);
        }
    }

    /** Owners on both carriers open scopes of one name at once: the shared names stay right. */
    @RepeatedTest(5)
    void concurrentScopesOfOneNameGetTheRightNames() throws Exception {
        int owners = 8;
        List<String> wrong = rt.run(() -> {
            List<dev.weft.core.Task<List<String>>> tasks = new ArrayList<>();
            for (int o = 0; o < owners; o++) {
                tasks.add(dev.weft.core.Weft.spawn(() -> {
                    List<String> bad = new ArrayList<>();
                    for (int round = 0; round < 20; round++) {
                        int count = 10 + round * 40; // the kept names grow while others read them
                        try (Scope scope = Scope.open("concurrent")) {
                            List<Fork<String>> forks = new ArrayList<>();
                            for (int i = 0; i < count; i++) {
                                forks.add(scope.fork(() -> Thread.currentThread().getName()));
                            }
                            scope.join();
                            for (int i = 0; i < count; i++) {
                                String expected = "concurrent-" + i;
                                if (!expected.equals(forks.get(i).name()) || !expected.equals(forks.get(i).resultNow())) {
                                    bad.add(expected + " was " + forks.get(i).name() + " / " + forks.get(i).resultNow());
                                }
                            }
                        }
                    }
                    return bad;
                }));
            }
            List<String> all = new ArrayList<>();
            for (var t : tasks) {
                all.addAll(t.join());
            }
            return all;
        });
        assertEquals(List.of(), wrong);
    }

    @Test
    void manyDistinctScopeNamesStillGetTheirOwnNames() throws Exception {
        for (int s = 0; s < 200; s++) {
            List<String> names = forkNames("distinct" + s, 2).get(0);
            assertEquals(List.of("distinct" + s + "-0", "distinct" + s + "-1"), names);
        }
    }
}
