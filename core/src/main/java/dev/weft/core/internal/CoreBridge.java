package dev.weft.core.internal;

import dev.weft.core.WeftRuntime;

/**
 * Lets the internal package reach package-private parts of {@code dev.weft.core} without making
 * them public (the JDK's SharedSecrets pattern). Installed by {@link WeftRuntime}'s initialiser.
 */
public abstract class CoreBridge {
    private static volatile CoreBridge instance;

    /** Installs the bridge; called once by {@code dev.weft.core}. */
    public static void install(CoreBridge bridge) {
        instance = bridge;
    }

    public static CoreBridge get() {
        CoreBridge b = instance;
        if (b == null) {
            try {
                Class.forName(WeftRuntime.class.getName(), true, WeftRuntime.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            b = instance;
        }
        return b;
    }

    /** The task-local bindings in effect now (null if none). */
    public abstract Object captureTaskLocals();

    /** Makes {@code builder} build a runtime that reads time from {@code clock}. */
    public abstract void setClock(WeftRuntime.Builder builder, dev.weft.core.spi.RuntimeClock clock);

    /** The engine of a runtime. */
    public abstract RuntimeCore coreOf(WeftRuntime runtime);

    /** The engine of {@code runtime}. */
    public static RuntimeCore core(WeftRuntime runtime) {
        return get().coreOf(runtime);
    }

    /** Runs {@code body} under {@code base} (null: no other binding) plus captured task-local bindings. */
    public abstract void runWithTaskLocals(Object captured, ScopedValue.Carrier base, Runnable body);
}
