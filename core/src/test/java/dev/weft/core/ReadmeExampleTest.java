package dev.weft.core;

import dev.weft.core.snippets.ReadmeExample;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** The README's example is this code, and it does what the README says. */
class ReadmeExampleTest {

    /** Running the example prints "ab". */
    @Test
    void exampleRuns() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        try {
            ReadmeExample.main(new String[0]);
        } finally {
            System.setOut(old);
        }
        assertEquals("ab", out.toString().strip());
    }

    /** The README shows the example verbatim, so it cannot drift from the tested code. */
    @Test
    void readmeShowsTheExample() throws Exception {
        Path root = Path.of("").toAbsolutePath();
        while (!Files.exists(root.resolve("README.md"))) {
            root = root.getParent();
            assertNotNull(root, "README.md not found above the module");
        }
        String readme = Files.readString(root.resolve("README.md"));
        String source = Files.readString(root.resolve("core/src/test/java/dev/weft/core/snippets/ReadmeExample.java"));
        String region = source.substring(source.indexOf('\n', source.indexOf("@start region")) + 1,
                source.indexOf("// @end region"));
        assertTrue(readme.contains(region.strip()), "README.md must contain the example from ReadmeExample.java verbatim");
    }
}
