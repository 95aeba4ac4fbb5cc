package dev.weft.timers;

import dev.weft.core.testsupport.ApiSurface;
import dev.weft.timers.testing.WeftTest;
import dev.weft.timers.testing.WeftTestExtension;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The public surface of the timers module names only exported types: nothing from core's
 * {@code dev.weft.core.spi} (exported to Weft's modules only) or from an {@code internal}
 * package, so code in a named module can use all of it. (Tests run on the class path, where the
 * module system would not catch this.)
 */
class ExportedApiTest {

    private static final List<Class<?>> API = List.of(TestClock.class, Time.class, Deadline.class, Interval.class,
            MissedTickBehavior.class, Timers.class, WheelScheduledExecutor.class, WeftTest.class,
            WeftTestExtension.class);

    @Test
    void publicSignaturesUseOnlyExportedTypes() {
        assertEquals(List.of(), ApiSurface.forbiddenNames(API, ApiSurface::hiddenWeftType),
                "public API names types that modular users cannot see");
    }

    @Test
    void testClockIsNoLongerARuntimeClock() {
        assertEquals(Object.class, TestClock.class.getSuperclass(),
                "TestClock must wrap core's RuntimeClock, not extend it");
        assertTrue(new TestClock().nanoTime() > 0);
    }
}
