package dev.weft.demos;

import dev.weft.core.TaskInfo;
import dev.weft.core.WeftRuntime;
import dev.weft.metrics.WeftChannelMetrics;
import dev.weft.metrics.WeftRuntimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.Comparator;
import java.util.List;

/**
 * What the demos serve at {@code GET /metrics} (a Prometheus registry the runtime's
 * {@link WeftRuntimeMetrics} is bound to, in the Prometheus text format) and {@code GET /debug/tasks}
 * (the live tasks as JSON). Thread-safe.
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
     * The live tasks as a JSON array, oldest first: {@code id}, {@code name}, {@code ageMs} and
     * {@code top} (the first stack frame below the JDK's and Weft's internals, or null). Takes stack traces: not for a hot path.
     */
    String tasksJson() {
        List<TaskInfo> tasks = rt.liveTaskInfos().stream()
                .sorted(Comparator.comparing(TaskInfo::age).reversed()).toList();
        StringBuilder b = new StringBuilder(64 + tasks.size() * 96).append('[');
        for (int i = 0; i < tasks.size(); i++) {
            TaskInfo t = tasks.get(i);
            if (i > 0) {
                b.append(',');
            }
            b.append("\n  {\"id\":").append(t.id()).append(",\"name\":");
            string(b, t.name());
            b.append(",\"ageMs\":").append(t.age().toMillis()).append(",\"top\":");
            StackTraceElement top = top(t.stack());
            if (top == null) {
                b.append("null");
            } else {
                string(b, top.toString());
            }
            b.append('}');
        }
        return b.append(tasks.isEmpty() ? "]\n" : "\n]\n").toString();
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
