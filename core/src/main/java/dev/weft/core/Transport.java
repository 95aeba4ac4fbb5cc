package dev.weft.core;

/**
 * The Netty transport the carriers drive. {@link #AUTO} picks the best one that loads on this
 * machine, in the order io_uring, epoll, kqueue, NIO; forcing one that does not load fails
 * {@link WeftRuntime.Builder#build()} with the reason Netty gives.
 *
 * <pre>{@code
 * try (var rt = WeftRuntime.builder().transport(Transport.NIO).build()) {
 *     assert rt.transport() == Transport.NIO;
 * }
 * }</pre>
 */
public enum Transport {
    /** The best transport available here: io_uring, else epoll, else kqueue, else NIO. */
    AUTO,
    /** Linux io_uring (kernel 5.x+, not blocked by seccomp). */
    IO_URING,
    /** Linux epoll. */
    EPOLL,
    /** BSD/macOS kqueue. */
    KQUEUE,
    /** The JDK's selector; works everywhere. */
    NIO
}
