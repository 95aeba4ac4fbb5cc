package dev.weft.net;

import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * One datagram received by a {@link UdpSocket}: its bytes and the address it came from.
 *
 * {@snippet :
 * Datagram d = socket.receive();
 * socket.send(d.data(), d.sender());        // echo it back
 * }
 *
 * @param data   the datagram's bytes (the array is the receiver's own)
 * @param sender where it came from
 */
public record Datagram(byte[] data, InetSocketAddress sender) {
    public Datagram {
        Objects.requireNonNull(data, "data");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Datagram d && Arrays.equals(data, d.data) && Objects.equals(sender, d.sender);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(data) + Objects.hashCode(sender);
    }

    @Override
    public String toString() {
        return "Datagram[" + data.length + " bytes from " + sender + "]";
    }
}
