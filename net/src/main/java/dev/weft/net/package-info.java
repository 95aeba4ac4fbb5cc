/**
 * Blocking-style networking for Weft tasks. Reads, writes, accepts and receives park the calling
 * task, never a carrier; backpressure works both ways; users never see Netty reference counts on
 * byte streams.
 *
 * <ul>
 *   <li>Streams: {@link dev.weft.net.NetStream}, with the same API over TCP
 *       ({@link dev.weft.net.TcpListener}, {@link dev.weft.net.TcpStream}) and Unix domain sockets
 *       ({@link dev.weft.net.UnixListener}, {@link dev.weft.net.UnixStream}); half-close, timeouts,
 *       {@code InputStream}/{@code OutputStream} views, and {@link dev.weft.net.NetStream#split()}
 *       into a read half and a write half for two tasks.</li>
 *   <li>Moving bytes: {@link dev.weft.net.NetIo#copy} and {@link dev.weft.net.NetIo#copyBidirectional}
 *       (a proxy, half-closes propagated).</li>
 *   <li>Framing: {@link dev.weft.net.LineReader}/{@link dev.weft.net.LineWriter} (lines with a
 *       maximum length) and {@link dev.weft.net.FrameReader}/{@link dev.weft.net.FrameWriter}
 *       (length-delimited frames with a maximum size), over a stream or any
 *       {@code InputStream}/{@code OutputStream}.</li>
 *   <li>Messages: {@link dev.weft.net.MessageStream}, a connection whose pipeline holds any Netty
 *       codec.</li>
 *   <li>Datagrams: {@link dev.weft.net.UdpSocket} with a bounded inbound queue (drop-newest,
 *       counted).</li>
 *   <li>Counters: {@link dev.weft.net.NetStats} (bound to Micrometer by
 *       {@code dev.weft.metrics.WeftNetMetrics}).</li>
 * </ul>
 *
 * {@snippet :
 * try (var rt = WeftRuntime.builder().build();
 *      var listener = TcpListener.bind(rt, new InetSocketAddress("127.0.0.1", 7000))) {
 *     rt.run(() -> {
 *         listener.serve(s -> NetIo.copy(s, s));        // an echo server
 *         return null;
 *     });
 * }
 * }
 */
package dev.weft.net;
