package dev.weft.fs;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.BeforeAll;

/** Every {@link FileHandleTest} again with the blocking-pool backend chosen on a runtime that could use io_uring. */
class FileHandleBlockingPoolTest extends FileHandleTest {
    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("fs-handle-pool").carriers(2).build();
        Fs.setBackend(rt, FsBackend.BLOCKING_POOL);
    }

    @Override
    FsBackend expectedBackend() {
        return FsBackend.BLOCKING_POOL;
    }
}
