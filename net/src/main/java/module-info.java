/** Weft net: blocking-style TCP sockets and Netty-codec message streams on the carriers' transports. */
module dev.weft.net {
    requires transitive dev.weft.core;
    requires io.netty.buffer;
    requires io.netty.common;

    exports dev.weft.net;
}
