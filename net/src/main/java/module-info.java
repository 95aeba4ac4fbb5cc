/** Weft net: blocking-style TCP, Unix and UDP sockets, framing and Netty-codec message streams on the carriers' transports. */
module dev.weft.net {
    requires transitive dev.weft.core;
    requires io.netty.buffer;
    requires io.netty.common;
    // DecoderException: a codec's failure to decode fails one receive, not the connection
    requires io.netty.codec;
    // Netty's DomainSocketAddress, for Unix sockets on the native transports (present whenever they load)
    requires static io.netty.transport.unix.common;

    exports dev.weft.net;
}
