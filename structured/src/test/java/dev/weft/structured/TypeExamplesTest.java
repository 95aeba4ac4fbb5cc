package dev.weft.structured;

import dev.weft.structured.snippets.TypeExamples;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The examples in the class comments of dev.weft.structured's types run and do what their comments say. */
class TypeExamplesTest {
    @Test
    void examplesRun() throws Exception {
        assertEquals("A2\nA2 true 4 e 6.0\npair/bad: NumberFormatException\nslow ran out of time", TypeExamples.run());
    }
}
