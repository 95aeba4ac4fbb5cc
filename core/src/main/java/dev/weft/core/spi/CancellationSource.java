package dev.weft.core.spi;

/**
 * Sticky cancellation of a task: a body that knows when its work has been cancelled for good (a
 * fork of a cancelled structured scope) says so here, and every later wait of that task through
 * {@link Parking} fails as if interrupted, instead of blocking.
 *
 * <p>A task gets one with {@link RuntimeAccess#newTaskThread(dev.weft.core.WeftRuntime, String,
 * Runnable, CancellationSource)}. Asked only by the task's own thread, and only when it is about
 * to park, so the answer costs nothing on the paths that do not wait.
 */
@FunctionalInterface
public interface CancellationSource {
    /**
     * Whether the task's work has been cancelled and stays cancelled. Must not block or throw;
     * once true it should stay true. Called by the task's own thread right before it parks.
     */
    boolean cancellationRequested();
}
