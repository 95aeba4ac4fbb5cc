package dev.weft.demos;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What {@code java -jar weft-demos.jar ...} prints and its exit status when it cannot start: one
 * line naming what went wrong (the address it could not listen on, the demos there are), no stack
 * trace, status 1 (cannot listen) or 2 (bad arguments). Each case runs {@link Main} in a child JVM.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CommandLineErrorsTest {
    @TempDir
    static Path tmp;

    /** The exit status and the lines the demo printed. */
    record Exit(int status, String output) {}

    private static Exit main(String... args) throws Exception {
        String javaBin = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(javaBin, "-cp", System.getProperty("java.class.path"), "dev.weft.demos.Main"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("Main " + List.of(args) + " did not exit within 30 s: " + out);
        }
        assertFalse(out.contains("\tat "), "a stack trace: " + out);
        // The JVM's own warnings (no --enable-native-access on this command line, as the jar's manifest has) are not the demo's
        String own = out.lines().filter(l -> l.startsWith("weft-demos") || l.startsWith("usage:"))
                .collect(java.util.stream.Collectors.joining("\n"));
        return new Exit(p.exitValue(), own.isEmpty() ? out : own);
    }

    /** The files demo's own port taken: the same one line as echo's and http's, the address named once. */
    @Test
    void takenFilesPortIsNamedOnce() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            for (String demo : List.of("files", "http")) {
                Exit e = demo.equals("files")
                        ? main("files", "--root", tmp.toString(), "--port", String.valueOf(port), "--metrics-port", "0", "--carriers", "1")
                        : main("http", "--port", String.valueOf(port), "--carriers", "1");
                assertEquals(1, e.status(), e.output());
                String line = e.output().strip();
                assertTrue(line.startsWith("weft-demos: cannot listen on 127.0.0.1:" + port + ": "), demo + ": " + line);
                assertTrue(line.endsWith("Address already in use"), demo + ": " + line);
                assertEquals(line.indexOf(String.valueOf(port)), line.lastIndexOf(String.valueOf(port)),
                        demo + " names the port more than once: " + line);
            }
        }
    }

    /** A host name that does not resolve is named as the address that cannot be listened on (not the root, not a bare name). */
    @Test
    void unknownHostIsNamedAsTheAddress() throws Exception {
        String host = "no-such-host.invalid";   // RFC 6761: never resolves
        for (String demo : List.of("files", "echo", "http")) {
            Exit e = demo.equals("files")
                    ? main("files", "--root", tmp.toString(), "--host", host, "--port", "18123", "--carriers", "1")
                    : main(demo, "--host", host, "--port", "18123", "--carriers", "1");
            assertEquals(1, e.status(), e.output());
            assertEquals("weft-demos: cannot listen on " + host + ":18123: unknown host", e.output().strip(), demo);
        }
    }

    /** With no demo, or an unknown one, the message and usage list every demo the jar has, files included. */
    @Test
    void usageNamesEveryDemo() throws Exception {
        for (Exit e : List.of(main(), main("ftp"))) {
            assertEquals(2, e.status(), e.output());
            String[] lines = e.output().strip().split("\n");
            assertEquals(2, lines.length, e.output());
            assertTrue(lines[0].contains("echo, http or files"), lines[0]);
            assertTrue(lines[1].startsWith("usage: java -jar weft-demos.jar <echo|http|files>"), lines[1]);
        }
    }
}
