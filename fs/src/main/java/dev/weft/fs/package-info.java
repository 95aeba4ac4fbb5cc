/**
 * Files for tasks: {@link dev.weft.fs.Fs} (whole-file operations, Tokio's {@code tokio::fs}),
 * {@link dev.weft.fs.DirStream} (streaming directory listings) and {@link dev.weft.fs.FileHandle}
 * (an open file with positional I/O and a transfer to a socket). A carrier never makes a file
 * system call that can block: a call either completes on the carrier because the kernel promises
 * it will not wait (below), or parks the calling task.
 *
 * {@snippet file="dev/weft/fs/snippets/FsSnippets.java" region="basics"}
 *
 * <h2>Backends ({@link dev.weft.fs.Fs#backend(dev.weft.core.WeftRuntime)}, {@link dev.weft.fs.FsStats})</h2>
 * <ul>
 *   <li><b>io_uring</b>, where the runtime's carriers run Netty's io_uring transport: file-handle
 *       reads and writes of regular files ({@code IORING_OP_READ}/{@code WRITE}, i.e.
 *       {@code pread}/{@code pwrite}) and {@link dev.weft.fs.Fs#readAllBytes} ({@code OPENAT},
 *       {@code READ}, {@code CLOSE}) are io_uring requests submitted on the calling task's own
 *       carrier loop through Netty 4.2's public {@code IoUringIoHandle}/{@code IoUringIoOps};
 *       the task parks and the completion, handled on that loop, wakes it with a local enqueue.
 *       {@link dev.weft.fs.FileHandle#transferTo(dev.weft.net.TcpStream)} hands the range to the
 *       transport as a file region (io_uring {@code SPLICE}: zero-copy). A handle gets a raw
 *       descriptor of the file for the ring, opened with the C library's {@code open(2)} (which
 *       creates and truncates as the options say; Netty's {@code FileDescriptor.from} would
 *       always truncate); its channel is opened through {@code /proc/self/fd}, so both are the
 *       same file whatever is renamed over the path meanwhile.
 *       <p>Before a read or an open becomes a request, the task makes the call itself, on its
 *       carrier, in the form the kernel answers without waiting or refuses with {@code EAGAIN}:
 *       {@code preadv2(RWF_NOWAIT)} (served from the page cache) and
 *       {@code openat2(RESOLVE_CACHED)} (path in the dentry cache, opened non-blocking). These
 *       are the attempts io_uring itself makes inline before it hands a request to a kernel
 *       worker; making them directly saves the hop to the loop, the ring round trip and the park
 *       (a cached 4 KiB file: 3 system calls, no park). What would wait for the disk takes the
 *       request path. Such calls never park, so a carrier spends at most 50 µs on them between
 *       two I/O passes of its loop ({@link dev.weft.fs.Fs#setCarrierTimePerPass}; zero turns
 *       them off); then tasks take turns (FIFO) and the loop's next pass, with its sockets and
 *       timers, comes first ({@link dev.weft.fs.FsStats#noWaitOps} counts them). A file-handle
 *       read of 32 KiB or more of a file whose pages {@code cachestat(2)} reports cached goes
 *       straight into the caller's array (one copy, not two;
 *       {@link dev.weft.fs.FsStats#directReadBytes}), unless that descriptor ever found a page
 *       out of the cache (its readahead may still be in flight; ADR 0004).</li>
 *   <li><b>blocking pool</b>, everywhere else and for every other operation (open, metadata,
 *       directories, writes of whole files, append mode, pipes and devices): the JDK call runs on
 *       the runtime's bounded blocking pool (two hand-offs per operation, as {@code tokio::fs}).
 *       On Linux transports other than io_uring, {@link dev.weft.fs.Fs#readAllBytes} and file-handle
 *       reads of regular files first make the same carrier-side calls as above (the pool does
 *       what any of them would block on), unless the runtime chose the pool with
 *       {@link dev.weft.fs.Fs#setBackend}.</li>
 * </ul>
 * Both paths share one cap per runtime ({@link dev.weft.fs.Fs#setMaxInFlight}, 64): a storm of
 * file calls queues parked tasks, not threads or kernel work. (Carrier-side calls take no slot:
 * they hold nothing while parked.)
 *
 * <h2>Cancellation and buffers</h2>
 * A cancelled task wakes at once with {@link java.io.InterruptedIOException}. The kernel never
 * sees the caller's memory: data moves through pooled direct buffers, copied in before a write is
 * submitted and out after a read completes, by the caller itself. A request the caller walked
 * away from keeps its buffer, descriptor and slot until the kernel's completion arrives, and its
 * clean-up (on the loop) then returns them; the next operation on the same handle waits for it.
 * File state after a cancelled io_uring <b>read</b>: unchanged, the position moved by the bytes
 * delivered ({@code bytesTransferred}). After a cancelled io_uring <b>write</b>: the chunks
 * completed before the cancellation ({@code bytesTransferred} bytes) plus possibly the one
 * request in flight (at most 256 KiB, whole or a prefix of it) land; nothing after it is
 * submitted; once that request has completed (the handle's next operation waits for it), the
 * position is where the written data ends.
 */
package dev.weft.fs;
