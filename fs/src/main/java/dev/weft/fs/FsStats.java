package dev.weft.fs;

/**
 * A racy snapshot of one runtime's file-operation counters ({@link Fs#stats}). Counters are
 * cumulative since the runtime's first file operation; each is exact, but they are read one
 * after the other, so sums across them may be off by the operations running meanwhile.
 *
 * <pre>{@code
 * FsStats s = Fs.stats(rt);
 * System.out.println(s.backend() + ": " + s.uringOps() + " io_uring requests, "
 *         + s.poolOps() + " pool jobs, " + s.bytesRead() + " bytes read");
 * }</pre>
 *
 * @param maxInFlight  the cap on operations in flight at once (blocking-pool jobs and io_uring requests)
 * @param inFlight     operations in flight now
 * @param queued       tasks waiting for a slot now (an estimate)
 * @param peakInFlight the most operations ever seen in flight at once (never above the cap in force then)
 * @param completed    operations that have ended, whatever their outcome
 * @param backend      the path file-handle reads and writes take now ({@link Fs#backend(dev.weft.core.WeftRuntime)})
 * @param uringOps     io_uring requests completed that a task waited for (one per read or write chunk,
 *                     open); the close that ends {@link Fs#readAllBytes} is not waited for nor counted
 * @param uringNanos   their total latency, submission to completion, in nanoseconds
 * @param poolOps      blocking-pool jobs completed (opens, metadata, whole-file helpers, pool reads and writes)
 * @param poolNanos    their total running time on the pool, in nanoseconds (queueing excluded)
 * @param bytesRead    bytes read from files, by either path
 * @param bytesWritten bytes written to files, by either path
 * @param failures     operations that ended with an error (of either path)
 * @param zeroCopyBytes bytes sent to sockets by {@link FileHandle#transferTo(dev.weft.net.TcpStream)} without a copy
 *                     through Java memory (io_uring splice; also counted in {@code bytesRead})
 * @param noWaitOps    calls the io_uring backend completed on the carrier itself because the kernel
 *                     could promise not to block: reads served from the page cache
 *                     ({@code preadv2(RWF_NOWAIT)}) and opens whose path was in the dentry cache
 *                     ({@code openat2(RESOLVE_CACHED)}); not counted in {@code uringOps} or
 *                     {@code completed}
 * @param directReadBytes bytes of those reads that the kernel copied straight into the caller's
 *                     array, with no copy through a native buffer: file-handle reads of at least
 *                     32 KiB of a file its own reads have found in the page cache (also counted in
 *                     {@code bytesRead})
 */
public record FsStats(int maxInFlight, int inFlight, int queued, int peakInFlight, long completed,
                      FsBackend backend, long uringOps, long uringNanos, long poolOps, long poolNanos,
                      long bytesRead, long bytesWritten, long failures, long zeroCopyBytes,
                      long noWaitOps, long directReadBytes) {}
