package dev.weft.demos;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A response finished while the server drains (closed while the request was being served) says
 * {@code Connection: close}: the server closes the connection after it, so a client must not
 * reuse it. Keep-alive used to be decided when the request arrived, before the drain.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DrainKeepAliveTest {
    @Test
    void responseFinishedWhileDrainingSaysConnectionClose() throws Exception {
        WeftRuntime rt = WeftRuntime.builder().name("drain-keepalive-test").carriers(1)
                .closeTimeout(Duration.ofSeconds(5)).build();
        DemoServer http = null;
        try {
            http = HttpServer.start(rt, new InetSocketAddress("127.0.0.1", 0));
            try (Socket s = DemoTesting.connect(http)) {
                InputStream in = s.getInputStream();
                DemoTesting.send(s, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
                // the interim answer: the server has the request and waits for its body
                String cont = "HTTP/1.1 100 Continue\r\n\r\n";
                assertEquals(cont, new String(in.readNBytes(cont.length()), StandardCharsets.US_ASCII));
                http.close();   // drain while the request is being served
                DemoTesting.send(s, "hello");
                DemoTesting.Response r = DemoTesting.read(in, "POST /echo finished while draining");
                assertEquals(200, r.status(), r.headers());
                assertEquals("hello", r.body());
                assertTrue(r.headers().toLowerCase().contains("connection: close"), r.headers());
                assertEquals(-1, in.read(), "the server closes the connection after the answer");
            }
        } finally {
            DemoTesting.stop(rt, http);
        }
    }
}
