package dev.weft.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.stream.Stream;

/**
 * The name resolver of the net module's tests (installed through {@code META-INF/services}): the
 * JDK's own, plus {@link #TWO_ADDRESSES}, a name with two loopback addresses, so a test can show
 * what a connect does with a name whose first address is not served. No test touches the
 * machine's hosts file or DNS.
 */
public final class TestHostsResolverProvider extends InetAddressResolverProvider {
    /** Resolves to {@code ::1}, then {@code 127.0.0.1}. */
    static final String TWO_ADDRESSES = "weft-two-addresses.test";

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                if (TWO_ADDRESSES.equals(host)) {
                    byte[] v6 = new byte[16];
                    v6[15] = 1;
                    return Stream.of(InetAddress.getByAddress(host, v6), InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
                }
                return builtin.lookupByName(host, policy);
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                return builtin.lookupByAddress(addr);
            }
        };
    }

    @Override
    public String name() {
        return "weft-test-hosts";
    }
}
