/**
 * Files for tasks: {@link dev.weft.fs.Fs} (whole-file operations, Tokio's {@code tokio::fs}),
 * {@link dev.weft.fs.DirStream} (streaming directory listings) and {@link dev.weft.fs.FileHandle}
 * (an open file with positional I/O and a transfer to a socket). Every file system call parks the
 * calling task and runs on the runtime's bounded blocking pool; a carrier never makes one.
 *
 * {@snippet file="dev/weft/fs/snippets/FsSnippets.java" region="basics"}
 */
package dev.weft.fs;
