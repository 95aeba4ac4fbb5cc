package dev.weft.timers;

import dev.weft.timers.testing.WeftTest;
import dev.weft.timers.testing.WeftTestExtension;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.ArrayList;
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
        List<String> bad = new ArrayList<>();
        for (Class<?> c : API) {
            check(bad, c + " extends", c.getGenericSuperclass());
            for (Type i : c.getGenericInterfaces()) {
                check(bad, c + " implements", i);
            }
            for (Method m : c.getDeclaredMethods()) {
                if (visible(m.getModifiers()) && !m.isSynthetic()) {
                    check(bad, m.toString(), m.getGenericReturnType());
                    checkExecutable(bad, m);
                }
            }
            for (Constructor<?> k : c.getDeclaredConstructors()) {
                if (visible(k.getModifiers())) {
                    checkExecutable(bad, k);
                }
            }
            for (Field f : c.getDeclaredFields()) {
                if (visible(f.getModifiers())) {
                    check(bad, f.toString(), f.getGenericType());
                }
            }
        }
        assertEquals(List.of(), bad, "public API names types that modular users cannot see");
    }

    @Test
    void testClockIsNoLongerARuntimeClock() {
        assertEquals(Object.class, TestClock.class.getSuperclass(),
                "TestClock must wrap core's RuntimeClock, not extend it");
        assertTrue(new TestClock().nanoTime() > 0);
    }

    private static boolean visible(int mod) {
        return Modifier.isPublic(mod) || Modifier.isProtected(mod);
    }

    private static void checkExecutable(List<String> bad, Executable e) {
        for (Type p : e.getGenericParameterTypes()) {
            check(bad, e.toString(), p);
        }
        for (Type x : e.getGenericExceptionTypes()) {
            check(bad, e.toString(), x);
        }
    }

    private static void check(List<String> bad, String where, Type t) {
        if (t == null) {
            return;
        }
        // Type.getTypeName() of a generic type names every class in it (arguments, bounds).
        for (String part : t.getTypeName().split("[^A-Za-z0-9_.$]+")) {
            if (part.startsWith("dev.weft.") && (part.contains(".spi.") || part.contains(".internal."))) {
                bad.add(where + ": " + part);
            }
        }
    }
}
