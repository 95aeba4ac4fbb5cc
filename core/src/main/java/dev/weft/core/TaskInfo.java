package dev.weft.core;

import java.time.Duration;
import java.util.List;

/**
 * A snapshot of one live task, for shutdown reports and diagnostics.
 *
 * @param id    the task's id
 * @param name  the task's name
 * @param age   time since the task was spawned
 * @param stack where the task's thread was when the snapshot was taken (top frames; empty if unknown)
 */
public record TaskInfo(long id, String name, Duration age, List<StackTraceElement> stack) {
    public TaskInfo {
        stack = List.copyOf(stack);
    }

    @Override
    public String toString() {
        String where = stack.isEmpty() ? "" : " at " + stack.get(0);
        return name + " (id " + id + ", age " + age.toMillis() + " ms" + where + ")";
    }
}
