package dev.weft.net;

import dev.weft.core.WeftRuntime;
import dev.weft.net.internal.NetCounters;

import java.util.Objects;

/**
 * A racy snapshot of a runtime's network counters, for dashboards and {@code WeftNetMetrics}.
 * Each field is read on its own while sockets keep working, so two fields need not agree to the
 * last event (e.g. {@code connectionsOpen} may briefly exceed {@code accepted + connected}).
 * The counters are {@link java.util.concurrent.atomic.LongAdder}s updated where the event
 * happens; reading them costs a few nanoseconds per carrier and never blocks the sockets.
 *
 * {@snippet :
 * NetStats s = NetStats.of(rt);
 * System.out.printf("%d open, %d bytes in, %d bytes out%n", s.connectionsOpen(), s.bytesRead(), s.bytesWritten());
 * }
 *
 * @param connectionsOpen   stream connections (TCP and Unix, message streams included) open now
 * @param accepted          connections accepted by listeners, since the runtime started
 * @param connected         connections opened by {@code connect}, since the runtime started
 * @param bytesRead         bytes tasks read from byte streams, plus bytes a message stream's codec
 *                          decoded (as they reached it), plus datagram payload received
 * @param bytesWritten      bytes tasks wrote to byte streams, plus bytes a message stream's codec
 *                          encoded (as handed to the channel), plus datagram payload sent
 * @param readsParked       times a task parked because nothing was buffered (read, receive)
 * @param writesParked      times a writer parked because the peer did not keep up (backpressure)
 * @param datagramsReceived datagrams queued for {@link UdpSocket#receive()}
 * @param datagramsSent     datagrams sent
 * @param datagramsDropped  datagrams dropped because a socket's inbound queue was full
 */
public record NetStats(long connectionsOpen, long accepted, long connected, long bytesRead, long bytesWritten,
                       long readsParked, long writesParked, long datagramsReceived, long datagramsSent,
                       long datagramsDropped) {

    /**
     * The counters of {@code rt} now (zeros for a runtime that has not used the network). Never
     * parks; thread-safe.
     *
     * @throws NullPointerException if {@code rt} is null
     */
    public static NetStats of(WeftRuntime rt) {
        NetCounters c = NetCounters.of(Objects.requireNonNull(rt, "rt"));
        return new NetStats(c.open.sum(), c.accepted.sum(), c.connected.sum(), c.bytesRead.sum(), c.bytesWritten.sum(),
                c.readsParked.sum(), c.writesParked.sum(), c.datagramsReceived.sum(), c.datagramsSent.sum(),
                c.datagramsDropped.sum());
    }
}
