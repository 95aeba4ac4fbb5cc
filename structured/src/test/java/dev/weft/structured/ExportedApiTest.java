package dev.weft.structured;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.StructuredTaskScope;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The public surface of the structured module names no preview type of the JDK
 * ({@code java.util.concurrent.StructuredTaskScope} and its nested types: a caller would need
 * {@code --enable-preview} to compile against it, and the API may change in the next JDK), nor
 * anything from core's {@code spi} or an {@code internal} package, which modular users cannot see.
 * (Tests run on the class path, where the module system would not catch the latter.)
 */
class ExportedApiTest {

    /** Every public type of the exported package (nested public types are found from these). */
    private static final List<Class<?>> API = List.of(Clauses.class, DeadlineExceededException.class, Fork.class,
            ForkFailedException.class, JoinResult.class, JoinSet.class, Scope.class, Structured.class,
            Tuple2.class, Tuple3.class, Tuple4.class, Tuple5.class, Tuple6.class);

    @Test
    void publicSignaturesNameNoPreviewOrInternalType() {
        List<String> bad = new ArrayList<>();
        for (Class<?> c : API) {
            checkType(bad, c);
        }
        assertEquals(List.of(), bad, "public API names JDK preview or Weft-internal types");
    }

    /** The check itself sees a preview type wherever a signature names it. */
    @Test
    void checkFindsPreviewTypes() {
        List<String> bad = new ArrayList<>();
        checkType(bad, LeaksPreview.class);
        assertEquals(3, bad.size(), "return type, parameter and field each leak a preview type: " + bad);
    }

    /** Not API: a type whose signatures leak the preview API, to show the check can fail. */
    public static final class LeaksPreview {
        public StructuredTaskScope.Subtask<String> subtask;

        public StructuredTaskScope.Joiner<String, Void> joiner() {
            return null;
        }

        public void use(List<? extends StructuredTaskScope<String, Void>> scopes) {
        }
    }

    private static void checkType(List<String> bad, Class<?> c) {
        if (!visible(c.getModifiers())) {
            return;
        }
        check(bad, c + " extends", c.getGenericSuperclass());
        for (Type i : c.getGenericInterfaces()) {
            check(bad, c + " implements", i);
        }
        if (c.isRecord()) {
            for (RecordComponent rc : c.getRecordComponents()) {
                check(bad, c + " component " + rc.getName(), rc.getGenericType());
            }
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
        for (Class<?> nested : c.getDeclaredClasses()) {
            checkType(bad, nested);
        }
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
            boolean preview = part.startsWith(StructuredTaskScope.class.getName());
            boolean hidden = part.startsWith("dev.weft.") && (part.contains(".spi.") || part.contains(".internal."));
            if (preview || hidden) {
                bad.add(where + ": " + part);
            }
        }
    }
}
