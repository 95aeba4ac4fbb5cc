/**
 * Weft's runtime: carriers (Netty event loops that also run virtual-thread continuations), tasks,
 * the blocking pool, the drop-in {@link java.util.concurrent.ExecutorService}, and (package
 * {@code dev.weft.core.sync}) channels and synchronisation primitives that park virtual threads.
 */
module dev.weft.core {
    requires transitive io.netty.transport;
    requires io.netty.common;
    requires io.netty.buffer;
    requires static io.netty.transport.classes.epoll;
    requires static io.netty.transport.classes.io_uring;
    requires static io.netty.transport.classes.kqueue;
    requires static io.netty.transport.unix.common;

    exports dev.weft.core;
    exports dev.weft.core.sync;
    // Hooks the other Weft modules park, wake and place tasks through; not an API for users.
    exports dev.weft.core.spi to dev.weft.timers, dev.weft.structured, dev.weft.net, dev.weft.fs,
            dev.weft.metrics, dev.weft.demos, dev.weft.bench;
}
