/**
 * Weft timers: {@code sleep}, {@code timeout}, deadlines and intervals on the carriers' timer
 * wheels, a {@link java.util.concurrent.ScheduledExecutorService} on the wheels, a virtual
 * {@link dev.weft.timers.TestClock} and (package {@code dev.weft.timers.testing}) a JUnit 5
 * extension that runs tests on it.
 */
module dev.weft.timers {
    requires transitive dev.weft.core;
    // Only dev.weft.timers.testing uses JUnit; applications that do not test need not have it.
    requires static transitive org.junit.jupiter.api;

    exports dev.weft.timers;
    exports dev.weft.timers.testing;
}
