package dev.weft.core.internal;

import dev.weft.core.internal.time.TimerEntry;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An armed timer stays a 32-byte object: a million outstanding timeouts are a million live
 * objects that every young collection copies (docs/BENCHMARKS.md, W4). The JVM's class histogram
 * ({@code jcmd PID GC.class_histogram}) showed 32,000,000 bytes for a million of them; this test
 * keeps the fields that add up to that (a 12-byte header, then five 4-byte fields with compressed
 * references), so that a field added or widened fails here rather than in a benchmark.
 */
class TimerFootprintTest {

    @Test
    void anArmedTimerHasFieldsForThirtyTwoBytes() throws Exception {
        Class<?> timer = Class.forName(CarrierTimers.class.getName() + "$Timer");
        List<String> fields = new ArrayList<>();
        long bytes = 12; // object header with compressed class pointers
        for (Class<?> c = timer; c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                Class<?> t = f.getType();
                bytes += t == long.class || t == double.class ? 8 : t == byte.class || t == boolean.class ? 1
                        : t == short.class || t == char.class ? 2 : 4;
                fields.add(c.getSimpleName() + "." + f.getName() + ":" + t.getSimpleName());
            }
        }
        assertTrue(timer.getSuperclass() == TimerEntry.class, "a timer is a wheel entry");
        assertTrue(bytes <= 32, "an armed timer needs " + bytes + " bytes: " + fields);
    }
}
