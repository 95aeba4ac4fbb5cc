package dev.weft.demos;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pipelined requests to the {@code http} demo where a later request's body is held back until
 * the client has the earlier answers (as a client that waits for a response before committing a
 * body may do): the earlier answers must not wait behind that body.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpPipeliningTest {
    static WeftRuntime rt;
    static DemoServer http;

    @BeforeAll
    static void start() throws Exception {
        rt = WeftRuntime.builder().name("pipelining-test").carriers(1).closeTimeout(Duration.ofSeconds(5)).build();
        // the default 30 s read timeout: far beyond the client's 10 s wait for its first answer
        http = HttpServer.start(rt, new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterAll
    static void stop() {
        DemoTesting.stop(rt, http);
    }

    /**
     * GET and the head of a POST sent together, the POST's body only once the GET is answered:
     * the GET's answer is flushed before the server waits for the body. It used to be written
     * without a flush (more requests were decoded), so both sides waited until the read timeout
     * and the POST got 408.
     */
    @Test
    void answerIsFlushedBeforeWaitingForAPipelinedBody() throws Exception {
        try (Socket s = DemoTesting.connect(http)) {
            DemoTesting.send(s, "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n");
            DemoTesting.Response first = DemoTesting.read(s.getInputStream(),
                    "the GET pipelined before a POST whose body is held back until this answer");
            assertEquals(200, first.status(), first.headers());
            assertEquals("Hello, World!", first.body());
            DemoTesting.send(s, "hello");
            DemoTesting.Response second = DemoTesting.read(s.getInputStream(), "the POST /echo");
            assertEquals(200, second.status(), second.headers() + second.body());
            assertEquals("hello", second.body());
        }
    }
}
