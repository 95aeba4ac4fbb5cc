package dev.weft.demos;

import com.sun.management.HotSpotDiagnosticMXBean;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The thread containers of the JDK's JSON thread dump
 * ({@link HotSpotDiagnosticMXBean#dumpThreads} with {@code ThreadDumpFormat.JSON}): among them
 * one per open {@code StructuredTaskScope}, named after the scope and owned by the thread that
 * opened it. Thread-safe (each call takes its own dump).
 */
final class ThreadDump {
    /**
     * One thread container.
     *
     * @param name    its name (for a structured scope, the scope's name)
     * @param owner   the id of the thread that owns it; -1 if none (the root container, pools)
     * @param threads the ids of the threads in it
     */
    record Container(String name, long owner, List<Long> threads) {
    }

    private ThreadDump() {
    }

    /**
     * Takes a thread dump and returns its containers. Writes the dump to a temporary file, which it
     * deletes before returning.
     *
     * @throws IOException              if the dump cannot be written or read
     * @throws IllegalArgumentException if the dump is not in the expected format
     */
    static List<Container> containers() throws IOException {
        Path dir = Files.createTempDirectory("weft-threads");
        Path file = dir.resolve("dump.json");   // dumpThreads will not overwrite: a fresh name
        try {
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpThreads(file.toAbsolutePath().toString(), HotSpotDiagnosticMXBean.ThreadDumpFormat.JSON);
            return parse(Files.readString(file));
        } finally {
            Files.deleteIfExists(file);
            Files.delete(dir);
        }
    }

    /** The containers of a JSON thread dump's text. */
    static List<Container> parse(String json) {
        Map<?, ?> dump = member(JsonReader.parse(json), "threadDump", Map.class);
        List<?> containers = member(dump, "threadContainers", List.class);
        List<Container> out = new ArrayList<>(containers.size());
        for (Object c : containers) {
            String name = member(c, "container", String.class);
            String owner = member(c, "owner", String.class);
            List<?> threads = member(c, "threads", List.class);
            List<Long> tids = new ArrayList<>(threads.size());
            for (Object t : threads) {
                tids.add(Long.parseLong(member(t, "tid", String.class)));
            }
            out.add(new Container(scopeName(name), owner == null ? -1 : Long.parseLong(owner), tids));
        }
        return out;
    }

    /** The JDK names a scope's container {@code <scope name>/<implementation class>@<hash>}. */
    private static String scopeName(String container) {
        int slash = container.lastIndexOf('/');
        return slash > 0 && container.indexOf('@', slash) > 0 ? container.substring(0, slash) : container;
    }

    /** The member {@code key} of the object {@code o}: null if absent or null, else a {@code type}. */
    private static <T> T member(Object o, String key, Class<T> type) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("thread dump: expected an object holding '" + key + "'");
        }
        Object v = m.get(key);
        if (v != null && !type.isInstance(v)) {
            throw new IllegalArgumentException("thread dump: '" + key + "' is not a " + type.getSimpleName());
        }
        return type.cast(v);
    }
}
