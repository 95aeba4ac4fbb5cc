package dev.weft.core.spi;

/**
 * Told, on a carrier thread, about a sample of that carrier's scheduling: how long a
 * continuation ran (a slice), how long a woken continuation waited before it ran, and how late a
 * timer of the carrier's wheel fired. Installed per runtime with
 * {@link RuntimeAccess#setSchedulingProbe}; the metrics module turns the samples into histograms.
 *
 * {@snippet :
 * RuntimeAccess.setSchedulingProbe(rt, new SchedulingProbe(16) {   // one event in 16
 *     public void onSlice(int carrier, long sliceNanos) { }
 *     public void onWakeDelay(int carrier, long delayNanos) { }
 *     public void onTimerFired(int carrier, long latenessNanos) { }
 * });
 * }
 *
 * <h2>Sampling and cost</h2>
 * With no probe installed a carrier pays one volatile read per turn and one per submitted
 * continuation. With one, it reports about one event in {@link #samplePeriod()} of each kind:
 * slices and timers by their carrier's exact count, wake-ups by a thread-local random draw (a
 * sampled wake-up also costs one {@code System.nanoTime()} and one small allocation where it is
 * submitted). A period of 1 reports every event.
 *
 * <h2>Threading</h2>
 * Every method is called on the carrier thread whose index it is given, between continuations:
 * it must not block, should take well under a microsecond, and must not throw (a runtime exception is
 * swallowed by the carrier, and the event is lost). The delays are measured with
 * {@link System#nanoTime()}, timer lateness with the runtime's clock. A slice includes the
 * previous callback's own cost. In {@link dev.weft.core.SchedulerMode#FALLBACK} mode carriers run
 * no continuations, so only timers are reported.
 */
public abstract class SchedulingProbe {
    private final int sampleMask;

    /**
     * @param samplePeriod report about one event in this many, a power of two (1 reports all)
     * @throws IllegalArgumentException if {@code samplePeriod} is not a positive power of two
     */
    protected SchedulingProbe(int samplePeriod) {
        if (samplePeriod <= 0 || Integer.bitCount(samplePeriod) != 1) {
            throw new IllegalArgumentException("samplePeriod must be a positive power of two, was " + samplePeriod);
        }
        this.sampleMask = samplePeriod - 1;
    }

    /** One event in this many is reported. */
    public final int samplePeriod() {
        return sampleMask + 1;
    }

    /** {@code samplePeriod() - 1}: an event numbered {@code k} is reported when {@code (k & sampleMask()) == 0}. */
    public final int sampleMask() {
        return sampleMask;
    }

    /** A continuation ran {@code sliceNanos} on carrier {@code carrier} before it parked, yielded or ended. */
    public abstract void onSlice(int carrier, long sliceNanos);

    /** A continuation started running {@code delayNanos} after it was submitted (woken, spawned or yielded). */
    public abstract void onWakeDelay(int carrier, long delayNanos);

    /** A timer fired {@code latenessNanos} after its deadline (at least 0; the wheel ticks in milliseconds). */
    public abstract void onTimerFired(int carrier, long latenessNanos);
}
