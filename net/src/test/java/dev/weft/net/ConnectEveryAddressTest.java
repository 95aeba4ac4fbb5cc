package dev.weft.net;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static dev.weft.net.NetTesting.ANY_LOCAL;
import static dev.weft.net.NetTesting.CONNECT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A host name is connected to at each of its addresses in turn until one accepts, as Tokio's
 * {@code TcpStream::connect} does; when none does, the last failure is thrown with the earlier
 * ones suppressed. Before, only the first address was tried: a name whose first address (here
 * {@code ::1}) is not served did not connect to the one that is.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ConnectEveryAddressTest {
    static WeftRuntime rt;

    @BeforeAll
    static void start() {
        rt = WeftRuntime.builder().name("connect-all-test").carriers(1).closeTimeout(Duration.ofSeconds(2)).build();
    }

    @AfterAll
    static void stop() {
        rt.close();
    }

    @Test
    void aNameConnectsAtItsSecondAddressWhenTheFirstRefuses() throws Exception {
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {   // 127.0.0.1 only
            InetSocketAddress name = InetSocketAddress.createUnresolved(TestHostsResolverProvider.TWO_ADDRESSES,
                    l.localAddress().getPort());
            InetSocketAddress peer = rt.run(() -> {
                try (TcpStream s = TcpStream.connect(rt, name, CONNECT)) {
                    return s.peerAddress();
                }
            });
            assertEquals(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), peer.getAddress());
        }
    }

    @Test
    void whenNoAddressAcceptsTheLastFailureIsThrownWithTheOthersSuppressed() throws Exception {
        int port;
        try (TcpListener l = TcpListener.bind(rt, ANY_LOCAL)) {
            port = l.localAddress().getPort();   // free once closed
        }
        InetSocketAddress name = InetSocketAddress.createUnresolved(TestHostsResolverProvider.TWO_ADDRESSES, port);
        ConnectException e = assertThrows(ConnectException.class,
                () -> rt.run(() -> TcpStream.connect(rt, name, CONNECT)));
        assertEquals(1, e.getSuppressed().length, () -> "the first address's failure is suppressed: " + e);
    }
}
