package dev.weft.net.internal;

import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.Parking;
import dev.weft.core.spi.RuntimeAccess;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ServerChannel;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;

/**
 * The server channel's handler and the parking logic of {@code TcpListener.accept}.
 *
 * <h2>Implementation overview</h2>
 * The server channel has {@code AUTO_READ=false}: connections are accepted from the kernel's
 * backlog only when a task waits in {@code accept()} and nothing is queued (accept
 * backpressure). {@code channelRead} receives each accepted child, configures it like every
 * stream ({@link Sockets#configureStream}), puts a {@link Conduit} in its pipeline and registers
 * it on the next carrier's loop (round-robin); when the registration completes, on the child's
 * loop, the child is queued and the waiting task unparked. One read accepts at most Netty's
 * {@code maxMessagesPerRead} connections, so the queue stays small. State is guarded by
 * {@code this}; the lock is never held across a park.
 */
public final class AcceptQueue extends ChannelInboundHandlerAdapter {
    private final WeftRuntime runtime;
    /** Looked up once, by the binding task: the accepting loop then never takes the lookup's lock. */
    private final NetCounters counters;
    private final ServerChannel server;
    private final ArrayDeque<Conduit> ready = new ArrayDeque<>();
    private boolean readPending;
    private int registering;
    private boolean closed;
    private boolean inactive;
    private Throwable failure;
    private Thread waiter;

    AcceptQueue(WeftRuntime runtime, ServerChannel server) {
        this.runtime = runtime;
        this.counters = NetCounters.of(runtime);
        this.server = server;
    }

    public ServerChannel channel() {
        return server;
    }

    public WeftRuntime runtime() {
        return runtime;
    }

    public SocketAddress localAddress() {
        return server.localAddress();
    }

    // ------------------------------------------------------------------ loop side

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Channel child = (Channel) msg;
        Conduit c = new Conduit(runtime, child, counters);
        boolean counted = false;
        try {
            Sockets.configureStream(child);
            child.pipeline().addLast(Conduit.NAME, c);
            synchronized (this) {
                registering++;
            }
            counted = true;
            Sockets.register(runtime, child).addListener(f -> {
                Thread w;
                boolean drop;
                synchronized (this) {
                    registering--;
                    drop = closed || !f.isSuccess();
                    if (!drop) {
                        ready.add(c);
                        c.counters().accepted.increment();
                    }
                    w = takeWaiter();
                }
                if (drop) {
                    child.close();
                }
                wake(w);
            });
        } catch (RuntimeException e) {
            // Only a registration this call counted: a child that failed before (configuring it
            // threw) must not take back another child's count, which its listener takes back later.
            if (counted) {
                synchronized (this) {
                    registering--;
                }
            }
            child.unsafe().closeForcibly();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Thread w;
        synchronized (this) {
            readPending = false;
            w = takeWaiter();
        }
        wake(w);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Thread w;
        synchronized (this) {
            inactive = true;
            readPending = false;
            w = takeWaiter();
        }
        wake(w);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Accept errors (e.g. too many open files) do not close the listener: the next accept()
        // reports this one and goes on.
        Thread w;
        synchronized (this) {
            failure = cause;
            readPending = false;
            w = takeWaiter();
        }
        wake(w);
    }

    private Thread takeWaiter() {
        Thread w = waiter;
        waiter = null;
        return w;
    }

    private static void wake(Thread t) {
        if (t != null) {
            Parking.unpark(t);
        }
    }

    // ------------------------------------------------------------------ task side

    /** Takes the next accepted connection; parks until there is one. */
    public Conduit accept(long deadline) throws IOException {
        for (;;) {
            boolean ask;
            synchronized (this) {
                if (closed || inactive) {
                    throw new SocketException("listener closed");
                }
                Conduit c = ready.poll();
                if (c != null) {
                    return c;
                }
                if (failure != null) {
                    Throwable f = failure;
                    failure = null;
                    throw new IOException("accept failed: " + f.getMessage(), f);
                }
                Thread me = Thread.currentThread();
                if (me.isInterrupted()) {
                    throw new InterruptedIOException("accept interrupted");
                }
                if (deadline != Conduit.NO_DEADLINE && deadline - Parking.nanoTime() <= 0) {
                    throw new SocketTimeoutException("accept timed out");
                }
                if (waiter != null && waiter != me) {
                    throw new IllegalStateException("another task (" + waiter.getName() + ") is already accepting");
                }
                waiter = me;
                ask = !readPending && registering == 0;
                if (ask) {
                    readPending = true;
                }
            }
            if (ask) {
                try {
                    server.read();
                } catch (RejectedExecutionException e) {
                    synchronized (this) {
                        inactive = true;
                    }
                }
            }
            if (deadline == Conduit.NO_DEADLINE) {
                Parking.park(this);
            } else {
                Waits.parkNanos(this, deadline - Parking.nanoTime());
            }
            synchronized (this) {
                if (waiter == Thread.currentThread()) {
                    waiter = null;
                }
            }
        }
    }

    public synchronized boolean isClosed() {
        return closed;
    }

    /** Stops accepting: closes the server channel and the connections not yet taken. Parks until closed (at most 5 s). */
    public void close() {
        ArrayDeque<Conduit> left;
        Thread w;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            left = new ArrayDeque<>(ready);
            ready.clear();
            w = takeWaiter();
        }
        wake(w);
        left.forEach(Conduit::close);
        try {
            Futures.awaitDone(server.close(), Conduit.deadline(5_000_000_000L), "close");
        } catch (IOException e) {
            // Interrupted or slow: the close goes on in the background.
        } catch (RejectedExecutionException e) {
            server.unsafe().closeForcibly();
        }
    }
}
