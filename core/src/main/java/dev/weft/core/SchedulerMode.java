package dev.weft.core;

/**
 * Where a runtime's tasks run.
 *
 * <pre>{@code
 * try (var rt = WeftRuntime.builder().build()) {
 *     System.out.println(rt.schedulerMode()); // CARRIER with --add-opens java.base/java.lang=ALL-UNNAMED
 * }
 * }</pre>
 */
public enum SchedulerMode {
    /**
     * Tasks are virtual threads whose scheduler is a carrier: the same platform thread that runs
     * the carrier's Netty event loop and timers. Wake-ups from I/O and timers are local enqueues.
     * Needs {@code --add-opens java.base/java.lang=ALL-UNNAMED} (or the jar manifest attribute
     * {@code Add-Opens: java.base/java.lang}).
     */
    CARRIER,
    /**
     * The JVM did not grant access to the JDK's internal virtual-thread builder, so tasks are
     * virtual threads on the JDK's default scheduler; I/O and timers wake them across threads.
     * Every feature works, at about 1.6x the CPU per I/O wake-up. Logged once at start.
     */
    FALLBACK
}
