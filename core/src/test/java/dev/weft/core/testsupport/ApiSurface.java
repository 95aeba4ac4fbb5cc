package dev.weft.core.testsupport;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Walks the public and protected signatures of a module's API types (supertypes, record
 * components, methods, constructors, fields, nested types) and lists every class name in them
 * that a test forbids: Weft's {@code spi}/{@code internal} types, which modular users cannot see,
 * or JDK preview types. Tests run on the class path, where the module system would not catch these.
 */
public final class ApiSurface {
    private ApiSurface() {}

    /** A Weft type from an {@code spi} or {@code internal} package. */
    public static boolean hiddenWeftType(String className) {
        return className.startsWith("dev.weft.") && (className.contains(".spi.") || className.contains(".internal."));
    }

    /** "where: class name" for every forbidden class name the signatures of {@code api} mention. */
    public static List<String> forbiddenNames(List<Class<?>> api, Predicate<String> forbidden) {
        List<String> bad = new ArrayList<>();
        for (Class<?> c : api) {
            checkType(bad, forbidden, c);
        }
        return bad;
    }

    private static void checkType(List<String> bad, Predicate<String> forbidden, Class<?> c) {
        if (!visible(c.getModifiers())) {
            return;
        }
        check(bad, forbidden, c + " extends", c.getGenericSuperclass());
        for (Type i : c.getGenericInterfaces()) {
            check(bad, forbidden, c + " implements", i);
        }
        if (c.isRecord()) {
            for (RecordComponent rc : c.getRecordComponents()) {
                check(bad, forbidden, c + " component " + rc.getName(), rc.getGenericType());
            }
        }
        for (Method m : c.getDeclaredMethods()) {
            if (visible(m.getModifiers()) && !m.isSynthetic()) {
                check(bad, forbidden, m.toString(), m.getGenericReturnType());
                checkExecutable(bad, forbidden, m);
            }
        }
        for (Constructor<?> k : c.getDeclaredConstructors()) {
            if (visible(k.getModifiers())) {
                checkExecutable(bad, forbidden, k);
            }
        }
        for (Field f : c.getDeclaredFields()) {
            if (visible(f.getModifiers())) {
                check(bad, forbidden, f.toString(), f.getGenericType());
            }
        }
        for (Class<?> nested : c.getDeclaredClasses()) {
            checkType(bad, forbidden, nested);
        }
    }

    private static boolean visible(int mod) {
        return Modifier.isPublic(mod) || Modifier.isProtected(mod);
    }

    private static void checkExecutable(List<String> bad, Predicate<String> forbidden, Executable e) {
        for (Type p : e.getGenericParameterTypes()) {
            check(bad, forbidden, e.toString(), p);
        }
        for (Type x : e.getGenericExceptionTypes()) {
            check(bad, forbidden, e.toString(), x);
        }
    }

    private static void check(List<String> bad, Predicate<String> forbidden, String where, Type t) {
        if (t == null) {
            return;
        }
        // Type.getTypeName() of a generic type names every class in it (arguments, bounds).
        for (String part : t.getTypeName().split("[^A-Za-z0-9_.$]+")) {
            if (forbidden.test(part)) {
                bad.add(where + ": " + part);
            }
        }
    }
}
