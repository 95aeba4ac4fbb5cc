package dev.weft.net;

import dev.weft.net.snippets.TypeExamples;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The examples in the class comments of dev.weft.net's types run and do what their comments say. */
class TypeExamplesTest {
    @Test
    void anOverLongLineIsSkippedAndTheReaderGoesOn() throws Exception {
        assertEquals("(skipped) ok", TypeExamples.frameTooLong());
    }
}
