package dev.weft.demos;

import dev.weft.core.WeftRuntime;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * {@code java -jar demos/target/weft-demos.jar <echo|http> [--port N] [--host H] [--carriers N] [--metrics-port N] [--transport auto|io_uring|epoll|kqueue|nio]},
 * or {@code files --root DIR ...} (its options: {@link FilesServer#main}).
 *
 * <p>Example (as the README shows; {@code ./mvnw -Pdemo package -Ddemo.args="http --port 8080"}
 * builds and runs the same):
 * {@snippet lang=shell :
 * java -jar demos/target/weft-demos.jar http --port 8080
 * curl http://127.0.0.1:8080/            # Hello, World!
 * }
 *
 * <p>Every demo serves {@code GET /metrics} (Prometheus text format) and {@code GET /debug/tasks}
 * (JSON): the http demo on its own port, the others on an HTTP side port, {@code --metrics-port}
 * (default: the demo's port + 1; 0 turns it off).
 *
 * <p>Prints one line saying where the server listens; stops cleanly on SIGINT/SIGTERM (stop
 * accepting, finish in-flight requests, close the runtime with a bounded wait); exits with
 * status 1 and a one-line reason naming the address when a port (the demo's or the metrics side
 * port) is taken or the host name does not resolve, 2 on bad arguments.
 */
public final class Main {
    private Main() {}

    /** Parsed command line. */
    record Options(String name, String host, int port, int carriers, int metricsPort, dev.weft.core.Transport transport) {
        /** {@code metricsPort} when not given: the demo's port + 1 (off when the demo's port is 0). */
        static final int DEFAULT_METRICS_PORT = -1;

        /** The side port's number, or 0 for none. */
        int sidePort() {
            return metricsPort != DEFAULT_METRICS_PORT ? metricsPort : port == 0 || port == 65535 ? 0 : port + 1;
        }

        static Options parse(String[] args) {
            if (args.length == 0) {
                throw new IllegalArgumentException("which demo? echo, http or files");
            }
            String name = args[0];
            String host = "127.0.0.1";
            int port = switch (name) {
                case "echo" -> 7000;
                case "http" -> 8080;
                default -> throw new IllegalArgumentException("unknown demo '" + name + "': echo, http or files");
            };
            int carriers = Runtime.getRuntime().availableProcessors();
            int metricsPort = DEFAULT_METRICS_PORT;
            dev.weft.core.Transport transport = dev.weft.core.Transport.AUTO;
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + a);
                }
                String v = args[++i];
                switch (a) {
                    case "--port" -> port = number(a, v, 0, 65535);
                    case "--host" -> host = v;
                    case "--carriers" -> carriers = number(a, v, 1, 1024);
                    case "--metrics-port" -> metricsPort = number(a, v, 0, 65535);
                    case "--transport" -> transport = transport(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
            return new Options(name, host, port, carriers, metricsPort, transport);
        }

        private static dev.weft.core.Transport transport(String v) {
            String n = v.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
            try {
                return dev.weft.core.Transport.valueOf(n.equals("IOURING") ? "IO_URING" : n);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--transport must be auto, io_uring, epoll, kqueue or nio, was '" + v + "'");
            }
        }

        private static int number(String option, String v, int min, int max) {
            try {
                int n = Integer.parseInt(v);
                if (n < min || n > max) {
                    throw new IllegalArgumentException(option + " must be in " + min + ".." + max + ", was " + v);
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + " needs a number, was '" + v + "'");
            }
        }
    }

    /**
     * Starts the named demo on {@code rt}.
     *
     * @throws BindException whose message is the one line {@link #main} prints, naming the address
     *                       that could not be bound (the demo's, or its metrics side port's), also when
     *                       its host name does not resolve; nothing is left listening
     */
    static DemoServer start(WeftRuntime rt, Options o) throws IOException {
        InetSocketAddress at = new InetSocketAddress(o.host(), o.port());
        return switch (o.name()) {
            case "echo" -> {
                DemoServer echo = bound(at, "", () -> EchoServer.start(rt, at));
                if (o.sidePort() == 0) {
                    yield echo;
                }
                InetSocketAddress side = new InetSocketAddress(o.host(), o.sidePort());
                yield bound(side, " (metrics side port; --metrics-port N or 0 for none)",
                        () -> EchoServer.withSidePort(rt, echo, side));
            }
            case "http" -> bound(at, "", () -> HttpServer.start(rt, at));
            default -> throw new IllegalArgumentException("unknown demo " + o.name());
        };
    }

    /** A step of {@link #start} that binds {@code address}; it may also fail with an {@code X}. */
    interface BindStep<X extends Exception> {
        DemoServer bind() throws IOException, X;
    }

    /**
     * Runs {@code step}; a {@link BindException}, or an {@link UnknownHostException} for
     * {@code address}'s host, comes back as a {@link BindException} whose message is the one line
     * that names {@code address}.
     */
    static <X extends Exception> DemoServer bound(InetSocketAddress address, String role, BindStep<X> step) throws IOException, X {
        try {
            return step.bind();
        } catch (BindException | UnknownHostException e) {
            String reason = e instanceof UnknownHostException ? "unknown host"
                    : e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
            BindException named = new BindException("cannot listen on " + address.getHostString() + ":" + address.getPort()
                    + role + ": " + reason);
            named.initCause(e);
            throw named;
        }
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && args[0].equals("files")) { FilesServer.main(args); return; }   // own options: --root DIR
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("weft-demos: " + e.getMessage());
            System.err.println("usage: java -jar weft-demos.jar <echo|http|files> [--port N] [--host H] [--carriers N] [--metrics-port N] [--transport auto|io_uring|epoll|kqueue|nio]");
            System.exit(2);
            return;
        }
        WeftRuntime rt;
        try {
            rt = WeftRuntime.builder().name("weft-" + o.name()).carriers(o.carriers()).transport(o.transport())
                    .closeTimeout(Duration.ofSeconds(5)).build();
        } catch (RuntimeException e) {   // a transport that does not load here
            System.err.println("weft-demos: cannot start the runtime: " + e.getMessage());
            System.exit(1);
            return;
        }
        DemoServer server;
        try {
            server = start(rt, o);
        } catch (BindException e) {
            System.err.println("weft-demos: " + e.getMessage());
            rt.shutdown(Duration.ofSeconds(1));
            System.exit(1);
            return;
        } catch (IOException e) {
            System.err.println("weft-demos: cannot start " + o.name() + ": " + e.getMessage());
            rt.shutdown(Duration.ofSeconds(1));
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            var report = rt.shutdown(Duration.ofSeconds(5));
            System.err.println(o.name() + " server stopped: " + report);
        }, "weft-demos-shutdown"));
        InetSocketAddress a = server.address();
        System.out.println(o.name() + " server listening on " + a.getHostString() + ":" + a.getPort()
                + " (" + rt.transport() + ", " + rt.carriers() + " carriers, " + rt.schedulerMode() + " scheduler)");
        InetSocketAddress m = server.metricsAddress();
        if (m != null) {
            System.out.println("metrics: http://" + m.getHostString() + ":" + m.getPort() + "/metrics, tasks: /debug/tasks");
        }
        server.awaitStopped();
    }
}
