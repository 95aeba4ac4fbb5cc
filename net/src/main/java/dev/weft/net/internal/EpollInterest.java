package dev.weft.net.internal;

import io.netty.channel.Channel;

import java.lang.reflect.Method;

/**
 * Works around a Netty 4.2.18 epoll bug that loses writes after the peer's half-close.
 *
 * <p>Netty's {@code EpollIoHandler} registration deletes the fd from the epoll set
 * ({@code EPOLL_CTL_DEL}) when a channel's interest set becomes empty, but keeps the registration's
 * state at "added", so the next change is an {@code EPOLL_CTL_MOD} that fails with {@code ENOENT}
 * ({@code epoll_ctl(..) failed with error(-2): No such file or directory}). A stream channel's
 * interest starts as {@code EPOLLRDHUP}; once the peer's FIN is read, Netty clears {@code EPOLLIN}
 * (reads are demand-driven) and {@code EPOLLRDHUP}, and whenever no write is waiting for
 * {@code EPOLLOUT} at that moment, or later when the outbound buffer drains, the set is empty.
 * The next write that fills the socket buffer must arm {@code EPOLLOUT}: that fails, Netty shuts
 * the output down and drops the queued writes; the peer reads end of stream early. TCP and Unix
 * domain sockets alike.
 *
 * <p>The workaround adds {@code EPOLLERR} to the interest set of each stream channel before it is
 * registered, so the set is never empty while the channel is open. The kernel reports
 * {@code EPOLLERR} whether asked or not, so this changes no wakeup. Netty's {@code setFlag} is not
 * public: it is called reflectively (Netty's jars are automatic modules, open to reflection).
 * Where the method or field is missing (another Netty version) nothing is done.
 */
final class EpollInterest {
    private EpollInterest() {}

    /** Resolved on first use by an epoll channel, so other transports never load epoll classes. */
    private static final class Holder {
        static final Method SET_FLAG;
        static final int EPOLLERR;

        static {
            Method m = null;
            int err = 0;
            try {
                ClassLoader cl = Channel.class.getClassLoader();
                Class<?> channel = Class.forName("io.netty.channel.epoll.AbstractEpollChannel", false, cl);
                Class<?> ops = Class.forName("io.netty.channel.epoll.EpollIoOps", true, cl);
                err = (int) ops.getMethod("value").invoke(ops.getField("EPOLLERR").get(null));
                m = channel.getDeclaredMethod("setFlag", int.class);
                m.setAccessible(true);
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                m = null;   // not this Netty: leave channels alone
            }
            SET_FLAG = m;
            EPOLLERR = err;
        }
    }

    /** Whether the workaround could be set up (epoll classes present, Netty's internals as expected). */
    static boolean available() {
        return Holder.SET_FLAG != null;
    }

    /**
     * Keeps an unregistered epoll stream channel in the epoll set while it is open; does nothing
     * for other channels. Call before the channel is registered.
     */
    static void keepRegistered(Channel ch) {
        if (!ch.getClass().getName().startsWith("io.netty.channel.epoll.")) {
            return;
        }
        Method m = Holder.SET_FLAG;
        if (m == null || !m.getDeclaringClass().isInstance(ch)) {
            return;
        }
        try {
            m.invoke(ch, Holder.EPOLLERR);
        } catch (ReflectiveOperationException e) {
            // Unregistered, setFlag only updates a field and cannot fail: nothing to do.
        }
    }
}
