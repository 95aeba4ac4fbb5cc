package dev.weft.demos;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The echo demo keeps accepting after the kernel refused it a descriptor (EMFILE, "too many open
 * files"). The failure is real: the demo runs in a child JVM whose descriptor limit is lowered
 * ({@code ulimit -n}), so only that process runs out.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AcceptLoopEmfileTest {
    static final int FD_LIMIT = 400;
    static final Pattern LISTENING = Pattern.compile("echo server listening on 127\\.0\\.0\\.1:(\\d+)");

    @Test
    void echoKeepsAcceptingAfterTooManyOpenFiles() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")) && Files.isDirectory(Path.of("/proc/self/fd")),
                "needs bash's ulimit and Linux");
        String javaBin = ProcessHandle.current().info().command().orElseThrow();
        StringBuilder cmd = new StringBuilder("ulimit -n " + FD_LIMIT + " && exec '" + javaBin + "'");
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (!a.startsWith("-javaagent") && !a.startsWith("-agentlib") && !a.startsWith("-Xmx")) {
                cmd.append(" '").append(a).append("'");
            }
        }
        cmd.append(" -Xmx256m -cp '").append(System.getProperty("java.class.path")).append("'")
                .append(" dev.weft.demos.Main echo --port 0 --metrics-port 0 --carriers 1 --transport epoll");
        Process p = new ProcessBuilder("/bin/bash", "-c", cmd.toString()).redirectErrorStream(true).start();
        List<String> output = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch listening = new CountDownLatch(1);
        AtomicInteger port = new AtomicInteger();
        CountDownLatch acceptFailed = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                    Matcher m = LISTENING.matcher(line);
                    if (m.find()) {
                        port.set(Integer.parseInt(m.group(1)));
                        listening.countDown();
                    }
                    if (line.contains("accepting again after a short pause")) {
                        acceptFailed.countDown();
                    }
                }
            } catch (IOException e) {
                // the child ended
            }
        }, "child-output");
        reader.setDaemon(true);
        reader.start();
        List<Socket> held = new ArrayList<>();
        try {
            if (!listening.await(30, TimeUnit.SECONDS)) {
                assumeTrue(p.isAlive() || !String.join("\n", output).contains("cannot start the runtime"),
                        "no epoll transport here: " + output);
                fail("the echo demo did not start: " + output);
            }
            InetSocketAddress at = new InetSocketAddress("127.0.0.1", port.get());
            // Each connection the demo accepts costs it a descriptor: hold them open until it runs out.
            while (acceptFailed.getCount() > 0 && held.size() < 2 * FD_LIMIT) {
                Socket s = new Socket();
                held.add(s);
                try {
                    s.connect(at, 2000);
                } catch (SocketTimeoutException backlogFull) {
                    break;
                }
            }
            assertTrue(acceptFailed.await(20, TimeUnit.SECONDS),
                    "the demo never logged a failed accept after " + held.size() + " connections: " + tail(output));
            assertTrue(p.isAlive(), "the demo exited: " + tail(output));
            for (Socket s : held) {
                s.close();
            }
            held.clear();
            // Descriptors are free again: a new connection is accepted and echoed.
            try (Socket s = new Socket()) {
                s.connect(at, 5000);
                s.setSoTimeout(15_000);
                s.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
                byte[] back = new byte[5];
                try {
                    int n = s.getInputStream().readNBytes(back, 0, 5);
                    assertEquals("ping\n", new String(back, 0, n, StandardCharsets.US_ASCII));
                } catch (SocketTimeoutException e) {
                    fail("no echo: the demo stopped accepting after the accept failure; " + tail(output));
                }
            }
        } finally {
            for (Socket s : held) {
                s.close();
            }
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    private static String tail(List<String> output) {
        synchronized (output) {
            return String.join("\n", output.subList(Math.max(0, output.size() - 20), output.size()));
        }
    }
}
