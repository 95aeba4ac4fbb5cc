package dev.weft.fs;

/**
 * How file operations reach the kernel, as reported by {@link Fs#backend()}.
 *
 * <p>Example ({@code Fs.backend()} is called in {@code dev.weft.fs.snippets.FsSnippets}, compiled
 * and run in the tests):
 * {@snippet :
 * FsBackend how = Fs.backend();         // IO_URING where the kernel allows it, else BLOCKING_POOL
 * System.out.println("files via " + how);
 * }
 *
 * <p>Immutable and thread-safe.
 */
public enum FsBackend {
    /**
     * Each operation parks the calling task and runs the JDK's file call on the runtime's bounded
     * blocking pool (two hand-offs per operation; Tokio's {@code tokio::fs} does the same).
     */
    BLOCKING_POOL("blocking-pool"),
    /**
     * File-handle reads and writes of regular files are io_uring requests ({@code IORING_OP_READ}
     * / {@code IORING_OP_WRITE}, i.e. {@code pread}/{@code pwrite}) submitted on the calling task's
     * own carrier loop and completed there: the task parks, the carrier goes on serving sockets
     * and timers, and the completion wakes the task with a local enqueue. Opening, closing,
     * metadata and the whole-file helpers still take the blocking pool.
     */
    IO_URING("io_uring");

    private final String label;

    FsBackend(String label) {
        this.label = label;
    }

    /** The short name used in logs and benchmark output: {@code "blocking-pool"} or {@code "io_uring"}. */
    public String label() {
        return label;
    }

    @Override
    public String toString() {
        return label;
    }
}
