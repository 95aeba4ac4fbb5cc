package dev.weft.core.spi;

/**
 * Where a runtime reads the time. The system clock by default; a virtual clock in tests, whose
 * time moves only when advanced (see the timers module's test clock).
 */
public abstract class RuntimeClock {
    /** The system clock: {@link System#nanoTime()}. */
    public static final RuntimeClock SYSTEM = new RuntimeClock() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }
    };

    /** Current time in nanoseconds from an arbitrary origin. */
    public abstract long nanoTime();

    /** Whether time moves only when advanced (carriers then never wait for real time). */
    public boolean isVirtual() {
        return false;
    }
}
