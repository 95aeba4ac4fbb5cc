package dev.weft.structured;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ScopeThreadDumpTest {
    /** One runtime for the class, closed after its last test. */
    @AutoClose
    static final WeftRuntime rt = TestSupport.runtime();

    /** The JDK's JSON thread dump shows nested scopes as named thread containers holding the named forks. */
    @Test
    void jsonDumpShowsScopeTree() throws Exception {
        Path file = Files.createTempDirectory("weft-dump").resolve("threads.json");
        String json = rt.run(() -> {
            CountDownLatch parked = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            try (Scope root = Scope.open("dump-root")) {
                root.fork("branch-fork", () -> {
                    try (Scope leaf = Scope.open("dump-leaf")) {
                        leaf.fork("leaf-worker", () -> {
                            parked.countDown();
                            release.await();
                            return null;
                        });
                        leaf.join();
                    }
                    return null;
                });
                parked.await();
                ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                        .dumpThreads(file.toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
                release.countDown();
                root.join();
            }
            return Files.readString(file);
        });
        String rootC = container(json, "dump-root");
        String leafC = container(json, "dump-leaf");
        assertNotNull(rootC, "root scope container in:\n" + json);
        assertNotNull(leafC, "leaf scope container in:\n" + json);
        assertTrue(rootC.contains("\"branch-fork\""), rootC);
        assertTrue(leafC.contains("\"leaf-worker\""), leafC);
        assertTrue(leafC.matches("(?s).*\"parent\":\\s*\"dump-root[^\"]*\".*"), "leaf's parent is root: " + leafC);
    }

    /** The text of the container object whose name starts with {@code name}, or null. */
    private static String container(String json, String name) {
        int at = json.indexOf("\"container\": \"" + name);
        if (at < 0) {
            return null;
        }
        int open = json.lastIndexOf('{', at);
        int depth = 0;
        for (int i = open; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return json.substring(open, i + 1);
            }
        }
        return null;
    }
}
