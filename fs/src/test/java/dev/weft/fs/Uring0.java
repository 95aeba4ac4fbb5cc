package dev.weft.fs;

import dev.weft.core.WeftRuntime;

/** Test access to whether {@code rt}'s transfers are zero-copy. */
final class Uring0 {
    private Uring0() {}

    static boolean zeroCopy(WeftRuntime rt) {
        return dev.weft.fs.internal.Uring.zeroCopyCause(rt) == null;
    }
}
