package dev.weft.core;

import java.time.Duration;
import java.util.List;

/**
 * What {@link WeftRuntime#shutdown(Duration)} did.
 *
 * @param cancelled tasks still running at the deadline, which shutdown cancelled
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
