package dev.weft.demos;

import dev.weft.core.Task;
import dev.weft.core.TaskInfo;
import dev.weft.core.WeftRuntime;
import dev.weft.demos.ThreadDump.Container;
import dev.weft.structured.Scope;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** GET /debug/tasks: the live tasks as a tree of structured scopes, from the JDK's thread dump. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DebugTasksTreeTest {
    static WeftRuntime rt;
    static DemoServer http;

    @BeforeAll
    static void start() throws IOException {
        rt = WeftRuntime.builder().name("debug-tree").carriers(2).closeTimeout(Duration.ofSeconds(5)).build();
        http = HttpServer.start(rt, new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterAll
    static void stop() {
        if (http != null) {
            http.close();
        }
        if (rt != null) {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    static Map<?, ?> get() throws Exception {
        String out = DemoServersTest.curl("http://127.0.0.1:" + http.metricsAddress().getPort() + "/debug/tasks");
        assertEquals("200", DemoServersTest.status(out), out);
        return (Map<?, ?>) JsonReader.parse(out.substring(0, out.lastIndexOf('\n')));
    }

    /** The node named {@code name} anywhere in the tree, or null. */
    static Map<?, ?> find(List<?> nodes, String name) {
        for (Object o : nodes) {
            Map<?, ?> n = (Map<?, ?>) o;
            if (name.equals(n.get("name"))) {
                return n;
            }
            for (Object s : (List<?>) n.get("scopes")) {
                Map<?, ?> found = find((List<?>) ((Map<?, ?>) s).get("tasks"), name);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    /** A task's scope lists its two forks, each with its thread's state and time since it last ran. */
    @Test
    void scopeForksUnderTheirTask() throws Exception {
        CountDownLatch started = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        Task<Integer> parent = rt.spawn("dbg-parent", () -> {
            try (Scope s = Scope.open("dbg-scope")) {
                var a = s.fork("dbg-fork-a", () -> {
                    started.countDown();
                    release.await();
                    return 1;
                });
                var b = s.fork("dbg-fork-b", () -> {
                    started.countDown();
                    release.await();
                    return 2;
                });
                s.join();
                return a.resultNow() + b.resultNow();
            }
        });
        try {
            assertTrue(started.await(20, TimeUnit.SECONDS), "forks did not start");
            // the forks park on the latch just after counting down: poll (bounded) until both are parked
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            Map<?, ?> json;
            Map<?, ?> scope;
            while (true) {
                json = get();
                assertEquals("debug-tree", json.get("runtime"), json.toString());
                assertNull(json.get("dumpError"), json.toString());
                List<?> roots = (List<?>) json.get("tasks");
                Map<?, ?> p = find(roots, "dbg-parent");
                assertNotNull(p, "parent task in " + json);
                assertTrue(roots.contains(p), "the parent is a root: " + json);
                assertNull(find(roots.stream().filter(r -> r != p).toList(), "dbg-fork-a"), "fork a only under the parent: " + json);
                List<?> scopes = (List<?>) p.get("scopes");
                assertEquals(1, scopes.size(), "the parent's scopes: " + p);
                scope = (Map<?, ?>) scopes.get(0);
                assertEquals("dbg-scope", scope.get("name"), p.toString());
                List<?> forks = (List<?>) scope.get("tasks");
                assertEquals(List.of("dbg-fork-a", "dbg-fork-b"),
                        forks.stream().map(f -> ((Map<?, ?>) f).get("name")).sorted().toList(), p.toString());
                boolean parked = true;
                for (Object o : forks) {
                    Map<?, ?> f = (Map<?, ?>) o;
                    assertNotNull(f.get("state"), f.toString());
                    assertTrue(((Double) f.get("sinceLastRunMs")) >= 0, f.toString());
                    assertTrue(((Double) f.get("ageMs")) >= 0, f.toString());
                    assertEquals(List.of(), f.get("scopes"), f.toString());
                    parked &= "WAITING".equals(f.get("state"));
                }
                if (parked && "WAITING".equals(p.get("state"))) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    fail("forks and parent not all WAITING: " + json);
                }
                Thread.sleep(20);   // poll interval of the bounded wait above
            }
            assertNotNull(scope);
        } finally {
            release.countDown();
        }
        assertEquals(3, parent.join());
        // ended tasks leave the tree
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (find((List<?>) get().get("tasks"), "dbg-parent") != null) {
            assertTrue(System.nanoTime() < deadline, "parent still listed after it ended");
            Thread.sleep(20);
        }
    }

    /** Containers owned by no task (pools, a scope of a plain thread) leave their tasks as roots. */
    @Test
    void treeFromContainers() {
        TaskInfo a = info(1, "a", 100);
        TaskInfo b = info(2, "b", 101);
        TaskInfo c = info(3, "c", 102);
        TaskInfo d = info(4, "d", 103);
        TaskTree tree = TaskTree.of(List.of(a, b, c, d), List.of(
                new Container("<root>", -1, List.of(100L, 999L)),
                new Container("s1", 100, List.of(102L, 101L)),
                new Container("s2", 101, List.of()),
                new Container("plain", 999, List.of(103L))));
        assertEquals(List.of(a, d), tree.roots());
        assertEquals(List.of(new TaskTree.Scope("s1", List.of(b, c))), tree.scopes(a));
        assertEquals(List.of(new TaskTree.Scope("s2", List.of())), tree.scopes(b));
        assertEquals(List.of(), tree.scopes(d));
    }

    private static TaskInfo info(long id, String name, long tid) {
        return new TaskInfo(id, name, Duration.ofMillis(10 - id), List.of(), Thread.State.WAITING, null, tid);
    }

    /** The reader handles what a dump holds: nesting, escapes, null, numbers; it rejects garbage. */
    @Test
    void jsonReader() {
        Map<?, ?> m = (Map<?, ?>) JsonReader.parse(" {\"a\":[1,-2.5e1,true,false,null,{}],\"b\\/\\\"\":\"x\\u0041\\n\\\\\",\"c\":[]} ");
        List<?> a = (List<?>) m.get("a");
        assertEquals(List.of(1.0, -25.0, true, false), a.subList(0, 4));
        assertNull(a.get(4));
        assertEquals(Map.of(), a.get(5));
        assertEquals("xA\n\\", m.get("b/\""));
        assertEquals(List.of(), m.get("c"));
        for (String bad : List.of("", "{", "[1,]", "{\"a\" 1}", "\"abc", "tru", "[1] x", "{\"a\":1,}", "\"\\q\"")) {
            assertThrows(IllegalArgumentException.class, () -> JsonReader.parse(bad), bad);
        }
    }

    /** The JDK's dump on this JVM parses; scope names lose the implementation suffix. */
    @Test
    void dumpOfThisJvm() throws Exception {
        List<Container> cs = ThreadDump.containers();
        assertEquals("<root>", cs.get(0).name(), cs.toString());
        assertTrue(cs.get(0).threads().contains(Thread.currentThread().threadId()), cs.toString());
        try (var s = Scope.open("dump-of-this-jvm")) {
            CountDownLatch in = new CountDownLatch(1);
            CountDownLatch out = new CountDownLatch(1);
            var f = s.fork(() -> {
                in.countDown();
                out.await();
                return Thread.currentThread().threadId();
            });
            assertTrue(in.await(20, TimeUnit.SECONDS));
            List<Container> now = ThreadDump.containers();
            out.countDown();
            s.join();
            Container mine = now.stream().filter(c -> c.name().equals("dump-of-this-jvm")).findFirst()
                    .orElseThrow(() -> new AssertionError(now.toString()));
            assertEquals(Thread.currentThread().threadId(), mine.owner());
            assertEquals(List.of(f.resultNow()), mine.threads());
        }
    }
}
