package dev.weft.fs;

import dev.weft.fs.snippets.FsSnippets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The package documentation's example runs and prints what it says. */
class FsSnippetsTest {
    /** The basics snippet writes, reads, lists and reads at an offset. */
    @Test
    void basics(@TempDir Path dir) throws Exception {
        // the backend is this process's: io_uring where it loads (see FsOperationsTest.backendIsReported)
        assertEquals("hello, files / hello.txt / files via " + Fs.backend(), FsSnippets.basics(dir));
    }
}
