/**
 * Weft fs: whole-file helpers ({@link dev.weft.fs.Fs}), streaming directory listings
 * ({@link dev.weft.fs.DirStream}) and file handles ({@link dev.weft.fs.FileHandle}) whose file
 * system calls never run on a carrier: they park the calling task and complete as io_uring requests
 * on its carrier's loop, or run on the runtime's bounded blocking pool.
 */
module dev.weft.fs {
    requires transitive dev.weft.core;
    // FileHandle.transferTo(TcpStream)
    requires transitive dev.weft.net;
    requires io.netty.common;
    // The io_uring file backend: Netty's public IoUringIoHandle / IoUringIoOps (optional at run time).
    requires static io.netty.transport.classes.io_uring;

    exports dev.weft.fs;
}
