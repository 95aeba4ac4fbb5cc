package dev.weft.core;

import java.time.Duration;
import java.util.List;

/**
 * A snapshot of one live task, for shutdown reports and diagnostics.
 *
 * <p>Example: what is running now, or what a shutdown had to cancel (the second is compiled and run
 * in the tests as {@code dev.weft.core.snippets.TypeExamples}):
 * {@snippet :
 * for (TaskInfo t : rt.liveTaskInfos()) {
 *     System.err.println(t.name() + " " + t.state() + " for " + t.age());
 * }
 * for (TaskInfo t : rt.shutdown(Duration.ofMillis(100)).cancelled()) {
 *     System.err.println("cancelled " + t.name() + " at " + t.stack());
 * }
 * }
 *
 * @param id    the task's id
 * @param name  the task's name
 * @param age   time since the task was spawned; for a task that {@link WeftRuntime#spawn} queued on
 *              a carrier, time since its carrier started it, so the time it waited in the
 *              carrier's run queue first is not counted (a spawner reading the clock for every
 *              spawn would cost far more than the report is worth)
 * @param stack where the task's thread was when the snapshot was taken (top frames; empty if unknown)
 * @param state the state of the task's thread when the snapshot was taken ({@code NEW} if it has
 *              not started); null if the task has no thread yet (a blocking-pool job not started)
 * @param sinceLastRun time since the carrier last began a slice of the task's thread; null when
 *                     unknown (no slice recorded yet, a blocking-pool task, or the JDK's
 *                     scheduler runs the tasks)
 * @param threadId the {@linkplain Thread#threadId() id} of the task's thread (to join with a JDK
 *                 thread dump); -1 if it has none yet
 */
public record TaskInfo(long id, String name, Duration age, List<StackTraceElement> stack,
                       Thread.State state, Duration sinceLastRun, long threadId) {
    public TaskInfo {
        stack = List.copyOf(stack);
    }

    /** A snapshot without thread state, last-run time or thread id (unknown: null, null, -1). */
    public TaskInfo(long id, String name, Duration age, List<StackTraceElement> stack) {
        this(id, name, age, stack, null, null, -1);
    }

    @Override
    public String toString() {
        String where = stack.isEmpty() ? "" : " at " + stack.get(0);
        return name + " (id " + id + ", age " + age.toMillis() + " ms" + where + ")";
    }
}
