package dev.weft.demos;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** GET /metrics and GET /debug/tasks on the demos, scraped with curl while load runs. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DemoMetricsTest {
    /** A sample line of the Prometheus text format: name, optional labels, value, optional timestamp. */
    static final Pattern SAMPLE = Pattern.compile(
            "[a-zA-Z_:][a-zA-Z0-9_:]*(\\{([a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\",?)*\\})? "
                    + "(-?[0-9.]+([eE][-+]?[0-9]+)?|NaN|[+-]Inf)( -?[0-9]+)?");

    static WeftRuntime rt;
    static DemoServer http;
    static DemoServer echo;

    @BeforeAll
    static void start() throws IOException {
        rt = WeftRuntime.builder().name("demo-metrics").carriers(2).closeTimeout(Duration.ofSeconds(5)).build();
        http = HttpServer.start(rt, new InetSocketAddress("127.0.0.1", 0));
        echo = EchoServer.start(rt, new InetSocketAddress("127.0.0.1", 0), new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterAll
    static void stop() {
        if (http != null) {
            http.close();
        }
        if (echo != null) {
            echo.close();
        }
        if (rt != null) {
            rt.shutdown(Duration.ofSeconds(5));
        }
    }

    static String url(DemoServer s, String path) {
        return "http://127.0.0.1:" + s.metricsAddress().getPort() + path;
    }

    /** Every non-comment line parses as a sample; returns the value of {@code name} with a label containing {@code label}. */
    static double parse(String text, String name, String label) {
        Double found = null;
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            assertTrue(SAMPLE.matcher(line).matches(), "not a Prometheus sample line: " + line);
            if (line.startsWith(name + "{") && line.contains(label)) {
                Matcher m = Pattern.compile(" (\\S+)$").matcher(line);
                assertTrue(m.find());
                found = Double.parseDouble(m.group(1));
            }
        }
        assertNotNull(found, name + "{..." + label + "...} in:\n" + text);
        return found;
    }

    /** While clients hammer GET /, curl's scrapes of /metrics parse and show spawned tasks and slices going up. */
    @Test
    void metricsMoveUnderLoad() throws Exception {
        String metrics = url(http, "/metrics");
        String first = DemoServersTest.curl(metrics);
        assertTrue(first.endsWith("\n200"), first);
        first = first.substring(0, first.lastIndexOf('\n'));
        double spawned0 = parse(first, "weft_tasks_spawned_tasks_total", "runtime=\"demo-metrics\"");
        double slices0 = parse(first, "weft_carrier_slices_total", "carrier=\"0\"");
        parse(first, "weft_runtime_info", "scheduler=");
        parse(first, "weft_carrier_busy_seconds_total", "carrier=\"1\"");

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            clients.add(Thread.ofPlatform().start(() -> {
                // a new client per loop: new connections, so new tasks
                while (!stop.get()) {
                    try (HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
                        for (int i = 0; i < 20 && !stop.get(); i++) {
                            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                    + http.address().getPort() + "/")).build(), HttpResponse.BodyHandlers.ofString());
                            if (r.statusCode() == 200) {
                                ok.incrementAndGet();
                            }
                        }
                    } catch (IOException e) {
                        // counted as not ok
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }));
        }
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String last;
            do {
                Thread.sleep(100);   // poll interval of a bounded wait (deadline above, asserts below)
                last = DemoServersTest.curl(metrics);
                assertTrue(last.endsWith("\n200"), last);
                last = last.substring(0, last.lastIndexOf('\n'));
            } while ((parse(last, "weft_tasks_spawned_tasks_total", "runtime=\"demo-metrics\"") < spawned0 + 10
                    || ok.get() < 100) && System.nanoTime() < deadline);
            assertTrue(parse(last, "weft_tasks_spawned_tasks_total", "runtime=\"demo-metrics\"") >= spawned0 + 10, last);
            assertTrue(parse(last, "weft_carrier_slices_total", "carrier=\"0\"") > slices0, last);
            assertTrue(last.contains("weft_scheduling_slice_seconds_bucket{"), "slice histogram: " + last);
            assertTrue(last.contains("weft_scheduling_wake_delay_seconds_count{"), "wake-up delay histogram: " + last);
            assertTrue(ok.get() >= 100, "requests served: " + ok.get());
        } finally {
            stop.set(true);
            for (Thread t : clients) {
                t.join();
            }
        }
    }

    /** /debug/tasks lists the live tasks (the accept loop among them, a root) as a JSON tree. */
    @Test
    void debugTasks() throws Exception {
        String out = DemoServersTest.curl(url(http, "/debug/tasks"));
        assertTrue(out.endsWith("\n200"), out);
        String json = out.substring(0, out.lastIndexOf('\n')).strip();
        assertTrue(json.startsWith("{\"runtime\":\"demo-metrics\",\"tasks\":[") && json.endsWith("]}"), json);
        assertTrue(json.matches("(?s).*\\{\"id\":\\d+,\"name\":\"http-accept\",\"state\":\"[A-Z_]+\",\"ageMs\":\\d+,"
                + "\"sinceLastRunMs\":(null|\\d+),\"top\":(null|\"[^\"]*\"),\"scopes\":\\[]}.*"), json);
        Map<?, ?> tree = (Map<?, ?>) JsonReader.parse(json);
        assertTrue(((List<?>) tree.get("tasks")).stream().anyMatch(t -> "http-accept".equals(((Map<?, ?>) t).get("name"))),
                "http-accept is a root: " + json);
    }

    /** The echo demo's side port serves /metrics and /debug/tasks, and 404 for anything else. */
    @Test
    void echoSidePort() throws Exception {
        assertTrue(echo.metricsAddress().getPort() != echo.address().getPort());
        String out = DemoServersTest.curl(url(echo, "/metrics"));
        assertTrue(out.endsWith("\n200"), out);
        parse(out.substring(0, out.lastIndexOf('\n')), "weft_tasks_live_tasks", "runtime=\"demo-metrics\"");
        assertEquals("200", DemoServersTest.status(DemoServersTest.curl(url(echo, "/debug/tasks"))));
        assertEquals("404", DemoServersTest.status(DemoServersTest.curl(url(echo, "/"))));
        assertEquals("405", DemoServersTest.status(DemoServersTest.curl("-X", "POST", url(echo, "/metrics"))));
    }
}
