package dev.weft.timers;

import dev.weft.timers.snippets.TimersExample;
import dev.weft.timers.snippets.TypeExamples;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The package example of dev.weft.timers runs and does what its comments say. */
class TimersExampleTest {
    /** Output of the example. */
    @Test
    void exampleRuns() throws Exception {
        assertEquals("timed out\ninner never outlives outer\nticked 3 times\n", TimersExample.run());
    }

    /** The examples in the class comments of Time, Timers, WheelScheduledExecutor and MissedTickBehavior. */
    @Test
    void typeExamplesRun() throws Exception {
        assertEquals("in time", TypeExamples.time());
        assertEquals("fired", TypeExamples.scheduled());
        TypeExamples.periodic();
        long gap = TypeExamples.missedTicks();
        // A period is 50 ms; BURST would tick at once. Wheel timers never fire early, and the
        // period starts when the late tick is taken, a little before the example reads the clock.
        assertTrue(gap >= 40, "DELAY waits a full period after a late tick, not " + gap + " ms");
    }
}
