package dev.weft.core.internal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Without {@code --add-opens java.base/java.lang}, the fallback to the JDK's scheduler is logged
 * once per JVM (issue 2), as a warning naming the reason, and not at all when the fallback was
 * asked for with {@code forceFallbackScheduler}. The flag is per JVM, and this suite's JVM may have
 * logged it already, so the check runs {@link FallbackWarningProbe} in a JVM of its own.
 */
class FallbackWarningTest {
    private static final String WARNING = "Weft runs tasks on the JDK's default scheduler (fallback mode)";

    @Test
    void fallbackIsLoggedOncePerJvmAndNotWhenForced() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path out = Files.createTempFile("weft-probe", ".out");
        Path err = Files.createTempFile("weft-probe", ".err");
        try {
            Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                    FallbackWarningProbe.class.getName())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("the probe JVM did not end within 60 s; stderr:\n" + read(err));
            }
            String stdout = read(out);
            String stderr = read(err);
            assertEquals(0, p.exitValue(), "probe failed; stdout:\n" + stdout + "\nstderr:\n" + stderr);
            assertEquals(List.of("MODE forced FALLBACK 1", "MODE plain-0 FALLBACK 1", "MODE plain-1 FALLBACK 1",
                    "MODE plain-2 FALLBACK 1"), stdout.lines().filter(l -> l.startsWith("MODE")).toList(), stdout);
            List<String> lines = stderr.lines().toList();
            List<Integer> warnings = new ArrayList<>();
            int forcedDone = lines.indexOf("PROBE after forced");
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).contains(WARNING)) {
                    warnings.add(i);
                }
            }
            assertTrue(forcedDone >= 0, stderr);
            assertEquals(1, warnings.size(), "the fallback warning must be logged exactly once; stderr:\n" + stderr);
            assertTrue(warnings.get(0) > forcedDone, "a forced fallback must not warn; stderr:\n" + stderr);
            String line = lines.get(warnings.get(0));
            assertTrue(line.contains("add-opens"), "the warning should say how to get the carriers: " + line);
            assertTrue(line.startsWith("WARNING"), "logged (System.Logger, here java.util.logging) as a warning: " + line);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
