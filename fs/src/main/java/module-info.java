/**
 * Weft fs: whole-file helpers ({@link dev.weft.fs.Fs}), streaming directory listings
 * ({@link dev.weft.fs.DirStream}) and file handles ({@link dev.weft.fs.FileHandle}) whose file
 * system calls never run on a carrier: they park the calling task and run on the runtime's
 * bounded blocking pool.
 */
module dev.weft.fs {
    requires transitive dev.weft.core;
    // FileHandle.transferTo(TcpStream)
    requires transitive dev.weft.net;

    exports dev.weft.fs;
}
