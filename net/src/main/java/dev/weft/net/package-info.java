/**
 * Blocking-style networking for Weft tasks: {@link dev.weft.net.TcpListener},
 * {@link dev.weft.net.TcpStream} and {@link dev.weft.net.MessageStream} (a connection whose
 * pipeline holds any Netty codec). Reads and writes park the calling task, never a carrier;
 * backpressure works both ways; users never see Netty reference counts on byte streams.
 *
 * {@snippet :
 * try (var rt = WeftRuntime.builder().build();
 *      var listener = TcpListener.bind(rt, new InetSocketAddress("127.0.0.1", 7000))) {
 *     rt.run(() -> {
 *         listener.serve(s -> s.inputStream().transferTo(s.outputStream()));   // an echo server
 *         return null;
 *     });
 * }
 * }
 */
package dev.weft.net;
