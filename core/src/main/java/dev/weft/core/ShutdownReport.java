package dev.weft.core;

import java.time.Duration;
import java.util.List;

/**
 * What {@link WeftRuntime#shutdown(Duration)} did.
 *
 * <p>Example (compiled and run in the tests as {@code dev.weft.core.snippets.TypeExamples}):
 * {@snippet :
 * rt.spawn("forever", () -> {
 *     Thread.sleep(Long.MAX_VALUE);                          // interruptible: shutdown cancels it
 *     return null;
 * });
 * ShutdownReport report = rt.shutdown(Duration.ofMillis(100));
 * for (TaskInfo t : report.cancelled()) {
 *     System.err.println("cancelled " + t.name() + " after " + t.age() + " at " + t.stack());
 * }
 * }
 *
 * @param cancelled tasks still running at the deadline, which shutdown cancelled; blocking jobs
 *                  still waiting for a pool thread, and tasks spawned onto a carrier that had not
 *                  started yet, are among them (they end without starting)
 * @param stuck     cancelled tasks that had still not ended after the grace period: they are
 *                  blocked in something that ignores interruption (a native call, a busy loop);
 *                  the runtime stopped anyway and they are left to end on their own
 * @param took      how long shutdown took
 */
public record ShutdownReport(List<TaskInfo> cancelled, List<TaskInfo> stuck, Duration took) {
    public ShutdownReport {
        cancelled = List.copyOf(cancelled);
        stuck = List.copyOf(stuck);
    }

    /** Whether every task ended on its own before the deadline. */
    public boolean isClean() {
        return cancelled.isEmpty() && stuck.isEmpty();
    }

    @Override
    public String toString() {
        if (isClean()) {
            return "clean shutdown in " + took.toMillis() + " ms";
        }
        return "shutdown in " + took.toMillis() + " ms; cancelled " + cancelled + "; stuck " + stuck;
    }
}
