package dev.weft.structured;

import dev.weft.structured.snippets.StructuredExample;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

class StructuredExampleTest {
    /** The package documentation's example runs and prints what its comment says. */
    @Test
    void exampleRuns() throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true));
        try {
            StructuredExample.main(new String[0]);
        } finally {
            System.setOut(old);
        }
        assertEquals("weft42 fast tick", buf.toString().strip());
    }
}
