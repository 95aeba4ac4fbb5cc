package dev.weft.core;

import dev.weft.core.snippets.TypeExamples;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The examples in the class comments of dev.weft.core's types run and do what their comments say:
 * a shutdown report names the task it cancelled, a failed join names the task and carries its
 * exception, a closed channel gives an unsent value back, a closed semaphore refuses waiters.
 */
class TypeExamplesTest {
    @Test
    void examplesRun() throws Exception {
        String seen = TypeExamples.shutdownReport() + " | " + TypeExamples.taskFailed() + " | "
                + TypeExamples.channelClosed() + " | " + TypeExamples.semaphoreClosed();
        assertEquals("[forever] | parse: NumberFormatException | late | closed", seen);
    }
}
