package dev.weft.demos;

import dev.weft.core.TaskFailedException;
import dev.weft.core.TaskInfo;
import dev.weft.core.WeftRuntime;
import dev.weft.demos.ThreadDump.Container;
import dev.weft.metrics.WeftChannelMetrics;
import dev.weft.metrics.WeftFsMetrics;
import dev.weft.metrics.WeftNetMetrics;
import dev.weft.metrics.WeftRuntimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.Comparator;
import java.util.List;

/**
 * What the demos serve at {@code GET /metrics} (a Prometheus registry the runtime's
 * {@link WeftRuntimeMetrics}, {@link WeftNetMetrics} and {@link WeftFsMetrics} are bound to, in the Prometheus text format) and {@code GET /debug/tasks}
 * (the live tasks and their structured scopes as a JSON tree). Thread-safe.
 */
final class Observability {
    /** The Prometheus text exposition format, version 0.0.4 (what {@code scrape()} writes). */
    static final String PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final WeftRuntime rt;
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

    private Observability(WeftRuntime rt) {
        this.rt = rt;
        // -Dweft.demos.pinning=false leaves out the JFR stream (to measure the binder without it)
        boolean pinning = !"false".equals(System.getProperty("weft.demos.pinning"));
        WeftRuntimeMetrics.builder(rt).pinning(pinning).build().bindTo(registry);
        WeftNetMetrics.of(rt).bindTo(registry);
        WeftFsMetrics.of(rt).bindTo(registry);
        // Named channels are the JVM's, not the runtime's; a demo lives as long as its JVM, so
        // the binder (and its listener for channels created later) is never closed.
        WeftChannelMetrics.create().bindTo(registry);
    }

    /**
     * A registry with {@code rt}'s meters bound (pinning and the scheduling histograms included:
     * a demo is where one looks for them) and the JVM's named channels.
     */
    static Observability of(WeftRuntime rt) {
        return new Observability(rt);
    }

    /** The registry (to add the demo's own meters). */
    PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The meters in the Prometheus text format. */
    String scrape() {
        return registry.scrape();
    }

    /**
     * The live tasks as a JSON tree: {@code {"runtime": name, "tasks": [node...]}}. A node is a task:
     * {@code id}, {@code name}, {@code state} (its thread's, null before it starts), {@code ageMs},
     * {@code sinceLastRunMs} (since the carrier last ran it; null when unknown), {@code top} (the
     * first stack frame below the JDK's and Weft's internals, or null) and {@code scopes}: the
     * structured scopes the task's thread owns, each {@code {"name": scope, "tasks": [node...]}}
     * with the tasks forked in it. The roots are the tasks forked in no other task's scope. Siblings
     * are oldest first.
     *
     * <p>The scope tree is the JDK's: this takes a JSON thread dump of the whole JVM (every thread's
     * stack, written to a temporary file and read back) besides the tasks' stack traces: with 5,000
     * tasks parked in scopes it took about 0.2 s on a 2-core machine (0.04 s the stack traces,
     * 0.12 s the dump) and answered 0.9 MB of JSON. A debug endpoint, not for a hot path or a
     * tight poll. The dump runs on the blocking pool; the caller waits for it. If it fails (or the caller is interrupted,
     * whose interrupt status is then set again), every task is a root with no scopes and
     * {@code dumpError} says why.
     */
    String tasksJson() {
        List<TaskInfo> tasks = rt.liveTaskInfos().stream()
                .sorted(Comparator.comparing(TaskInfo::age).reversed()).toList();
        List<Container> containers;
        String dumpError = null;
        try {
            // file I/O that takes milliseconds: off the carrier, which serves other tasks meanwhile
            containers = rt.spawnBlocking("debug-thread-dump", ThreadDump::containers).join();
        } catch (TaskFailedException e) {
            containers = List.of();
            dumpError = e.getCause().toString();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            containers = List.of();
            dumpError = e.toString();
        } catch (RuntimeException e) {
            containers = List.of();
            dumpError = e.toString();
        }
        TaskTree tree = TaskTree.of(tasks, containers);
        StringBuilder b = new StringBuilder(128 + tasks.size() * 160).append("{\"runtime\":");
        string(b, rt.name());
        if (dumpError != null) {
            b.append(",\"dumpError\":");
            string(b, dumpError);
        }
        b.append(",\"tasks\":");
        nodes(b, tree, tree.roots(), 1);
        return b.append("}\n").toString();
    }

    private static void nodes(StringBuilder b, TaskTree tree, List<TaskInfo> tasks, int depth) {
        b.append('[');
        for (int i = 0; i < tasks.size(); i++) {
            TaskInfo t = tasks.get(i);
            if (i > 0) {
                b.append(',');
            }
            b.append('\n').repeat("  ", depth).append("{\"id\":").append(t.id()).append(",\"name\":");
            string(b, t.name());
            b.append(",\"state\":");
            string(b, t.state() == null ? null : t.state().name());
            b.append(",\"ageMs\":").append(t.age().toMillis()).append(",\"sinceLastRunMs\":")
                    .append(t.sinceLastRun() == null ? "null" : String.valueOf(t.sinceLastRun().toMillis()))
                    .append(",\"top\":");
            StackTraceElement top = top(t.stack());
            string(b, top == null ? null : top.toString());
            b.append(",\"scopes\":[");
            List<TaskTree.Scope> scopes = tree.scopes(t);
            for (int j = 0; j < scopes.size(); j++) {
                if (j > 0) {
                    b.append(',');
                }
                b.append("{\"name\":");
                string(b, scopes.get(j).name());
                b.append(",\"tasks\":");
                nodes(b, tree, scopes.get(j).tasks(), depth + 1);
                b.append('}');
            }
            b.append("]}");
        }
        if (!tasks.isEmpty()) {
            b.append('\n').repeat("  ", depth - 1);
        }
        b.append(']');
    }

    /** The first frame of the task's own code: below the JDK, Weft's core and net internals and Netty. */
    private static StackTraceElement top(List<StackTraceElement> stack) {
        for (StackTraceElement e : stack) {
            String c = e.getClassName();
            if (!(c.startsWith("java.") || c.startsWith("jdk.") || c.startsWith("sun.")
                    || c.startsWith("dev.weft.core.") || c.startsWith("dev.weft.net.internal.") || c.startsWith("io.netty."))) {
                return e;
            }
        }
        return stack.isEmpty() ? null : stack.get(0);
    }

    private static void string(StringBuilder b, String s) {
        if (s == null) {
            b.append("null");
            return;
        }
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }
}
