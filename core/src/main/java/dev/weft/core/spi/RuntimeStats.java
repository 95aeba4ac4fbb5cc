package dev.weft.core.spi;

import java.util.List;

/**
 * A racy snapshot of a runtime's counters, for metrics and diagnostics.
 *
 * @param spawned        tasks spawned (blocking jobs included)
 * @param completed      tasks that returned a value
 * @param failed         tasks whose body threw
 * @param cancelled      tasks cancelled before completing
 * @param live           tasks not yet ended
 * @param timedWaiters   tasks parked in a timed wait on a carrier's wheel
 * @param blockingThreads threads of the blocking pool now
 * @param blockingBusy   blocking jobs running
 * @param blockingQueued blocking jobs waiting for a thread
 * @param blockingMax    maximum blocking threads
 * @param carriers       per-carrier counters
 */
public record RuntimeStats(long spawned, long completed, long failed, long cancelled, long live, int timedWaiters,
                           int blockingThreads, int blockingBusy, int blockingQueued, int blockingMax,
                           List<Carrier> carriers) {

    /**
     * One carrier's counters.
     *
     * @param index          the carrier's index
     * @param threadName     its thread's name
     * @param runQueueDepth  continuations waiting to run
     * @param liveTasks      live tasks homed on it
     * @param slices         continuation runs
     * @param busyNanos      time spent running continuations
     * @param slowSlices     runs longer than the slow-slice threshold
     * @param maxSliceNanos  longest run
     * @param idleBlocks     times it blocked for lack of work
     * @param timersPending  timers armed and not yet fired or cancelled
     * @param timersFired    timers fired
     * @param timersCancelled timers cancelled before they fired
     * @param timerLatenessTotalNanos sum over fired timers of how late each fired (runtime clock, against its
     *                       deadline rounded up to the wheel's millisecond)
     * @param timerLatenessMaxNanos the latest a timer fired
     */
    public record Carrier(int index, String threadName, int runQueueDepth, int liveTasks, long slices, long busyNanos,
                          long slowSlices, long maxSliceNanos, long idleBlocks, int timersPending, long timersFired,
                          long timersCancelled, long timerLatenessTotalNanos, long timerLatenessMaxNanos) {
    }
}
