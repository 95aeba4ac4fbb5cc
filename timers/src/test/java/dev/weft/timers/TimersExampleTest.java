package dev.weft.timers;

import dev.weft.timers.snippets.TimersExample;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The package example of dev.weft.timers runs and does what its comments say. */
class TimersExampleTest {
    /** Output of the example. */
    @Test
    void exampleRuns() throws Exception {
        assertEquals("timed out\ninner never outlives outer\nticked 3 times\n", TimersExample.run());
    }
}
