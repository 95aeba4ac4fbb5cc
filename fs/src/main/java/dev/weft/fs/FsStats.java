package dev.weft.fs;

/**
 * A racy snapshot of one runtime's file-operation counters ({@link Fs#stats}).
 *
 * @param maxInFlight the cap on operations running on the blocking pool at once
 * @param inFlight    operations running on the blocking pool now
 * @param queued      tasks waiting for a slot now (an estimate)
 * @param peakInFlight the most operations ever seen running at once (never above the cap in force then)
 * @param completed   operations that have ended, whatever their outcome
 */
public record FsStats(int maxInFlight, int inFlight, int queued, int peakInFlight, long completed) {}
