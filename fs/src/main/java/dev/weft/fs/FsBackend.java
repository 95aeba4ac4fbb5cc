package dev.weft.fs;

/**
 * How file operations reach the kernel, as reported by {@link Fs#backend()}.
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
     * Operations submitted to io_uring on the carrier's own event loop and completed there
     * (not implemented yet: see {@link Fs#backendUnavailabilityCause()}).
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
