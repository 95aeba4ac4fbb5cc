package dev.weft.core.internal;

import java.lang.reflect.Constructor;
import java.util.concurrent.Executor;

/**
 * The one seam through which Weft creates virtual threads whose scheduler is a carrier.
 *
 * <p>JDK 25 has no public custom-scheduler API; its package-private
 * {@code java.lang.ThreadBuilders$VirtualThreadBuilder(Executor)} constructor is reached by
 * reflection, which needs {@code --add-opens java.base/java.lang=ALL-UNNAMED}. When a later JDK
 * ships a public API (the loom repository's {@code Thread.VirtualThreadScheduler}), only this class
 * changes. Without the add-opens {@link #isAvailable()} is false and {@link #unavailabilityReason()}
 * says how to enable it; the runtime then uses the JDK's default scheduler.
 */
public final class CarrierScheduler {
    private static final Constructor<?> BUILDER;
    private static final String UNAVAILABLE;

    static {
        Constructor<?> ctor = null;
        String reason = null;
        try {
            Class<?> k = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
            ctor = k.getDeclaredConstructor(Executor.class);
            ctor.setAccessible(true);
            // Prove it works once, so a later failure cannot surprise a spawn.
            ((Thread.Builder.OfVirtual) ctor.newInstance((Executor) Runnable::run)).unstarted(() -> { });
        } catch (ReflectiveOperationException | RuntimeException e) {
            ctor = null;
            reason = e.getClass().getSimpleName() + ": " + e.getMessage()
                    + " (run with --add-opens java.base/java.lang=ALL-UNNAMED, or a jar whose manifest has"
                    + " 'Add-Opens: java.base/java.lang')";
        }
        BUILDER = ctor;
        UNAVAILABLE = reason;
    }

    private static final java.lang.invoke.VarHandle RUN_CONTINUATION;
    private static final java.lang.invoke.VarHandle SCHEDULER;

    // Unreadable: tasks then find themselves through a scoped value, at some cost per task.
    static {
        SCHEDULER = privateField("java.lang.VirtualThread", "scheduler", Executor.class);
    }

    /**
     * A VarHandle on a private field of a {@code java.lang} class, or null when the JVM does not
     * open it to Weft (no add-opens) or the field is gone (another JDK): callers then degrade.
     */
    private static java.lang.invoke.VarHandle privateField(String className, String field, Class<?> type) {
        if (BUILDER == null) {
            return null;
        }
        try {
            Class<?> owner = Class.forName(className);
            return java.lang.invoke.MethodHandles.privateLookupIn(owner, java.lang.invoke.MethodHandles.lookup())
                    .findVarHandle(owner, field, type);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /**
     * The scheduler of virtual thread {@code vt} (a {@link Carrier} for Weft's carrier tasks), or
     * null when it cannot be read.
     */
    static Executor schedulerOf(Thread vt) {
        return SCHEDULER == null ? null : (Executor) SCHEDULER.get(vt);
    }

    /** Whether {@link #schedulerOf} can read a virtual thread's scheduler. */
    static boolean canReadScheduler() {
        return SCHEDULER != null;
    }

    // Unreadable: only slow-slice naming and the worker hand-over (ADR 0003) are lost.
    static {
        RUN_CONTINUATION = privateField("java.lang.VirtualThread", "runContinuation", Runnable.class);
    }

    private CarrierScheduler() {}

    private static final java.lang.invoke.VarHandle THREAD_LOCALS;
    private static final java.lang.invoke.VarHandle INHERITABLE_THREAD_LOCALS;

    // Unreadable: workers then run one task each.
    static {
        java.lang.invoke.VarHandle locals = null, inheritable = null;
        try {
            Class<?> map = Class.forName("java.lang.ThreadLocal$ThreadLocalMap");
            locals = privateField("java.lang.Thread", "threadLocals", map);
            inheritable = privateField("java.lang.Thread", "inheritableThreadLocals", map);
        } catch (ClassNotFoundException e) {
            // as unreadable
        }
        boolean both = locals != null && inheritable != null;
        THREAD_LOCALS = both ? locals : null;
        INHERITABLE_THREAD_LOCALS = both ? inheritable : null;
    }

    /** Whether {@link #clearThreadLocals} works, so a worker thread may run more than one task. */
    static boolean canClearThreadLocals() {
        return THREAD_LOCALS != null;
    }

    /**
     * Drops every thread-local value of {@code thread} (the calling thread), as if it were new:
     * what the JDK does when a thread exits.
     */
    static void clearThreadLocals(Thread thread) {
        if (THREAD_LOCALS != null) {
            if (THREAD_LOCALS.get(thread) != null) {
                THREAD_LOCALS.set(thread, null);
            }
            if (INHERITABLE_THREAD_LOCALS.get(thread) != null) {
                INHERITABLE_THREAD_LOCALS.set(thread, null);
            }
        }
    }

    /**
     * The runnable the JDK submits to the scheduler each time {@code vt} is scheduled, or null if
     * it cannot be read. Lets a carrier tell which task a continuation run belonged to.
     */
    static Runnable continuationOf(Thread vt) {
        return RUN_CONTINUATION == null ? null : (Runnable) RUN_CONTINUATION.get(vt);
    }

    /**
     * A setter of {@code VirtualThread.runContinuation}, a final field: a setter made from a field
     * with its accessible flag set may write it. A direct method handle, not {@code Field.set},
     * whose access, receiver and value checks ran on every fork.
     */
    private static final java.lang.invoke.MethodHandle RUN_CONTINUATION_SETTER;

    static {
        java.lang.invoke.MethodHandle setter = null;
        if (BUILDER != null) {
            try {
                Class<?> vt = Class.forName("java.lang.VirtualThread");
                java.lang.reflect.Field f = vt.getDeclaredField("runContinuation");
                f.setAccessible(true);
                setter = java.lang.invoke.MethodHandles.privateLookupIn(vt, java.lang.invoke.MethodHandles.lookup())
                        .unreflectSetter(f)
                        .asType(java.lang.invoke.MethodType.methodType(void.class, Thread.class, Runnable.class));
                Thread probe = builderFor(Runnable::run).unstarted(() -> { });
                setter.invokeExact(probe, continuationOf(probe)); // prove a write works here, once
            } catch (Throwable e) {
                setter = null; // carriers then find a continuation's task through a map
            }
        }
        RUN_CONTINUATION_SETTER = setter;
    }

    /**
     * {@code VirtualThread.runContinuation()}, what the JDK's runnable of a virtual thread calls;
     * null where it cannot be reached, and then no continuation is replaced.
     */
    private static final java.lang.invoke.MethodHandle RUN_CONTINUATION_METHOD;

    static {
        java.lang.invoke.MethodHandle m = null;
        if (RUN_CONTINUATION_SETTER != null) {
            try {
                Class<?> vt = Class.forName("java.lang.VirtualThread");
                m = java.lang.invoke.MethodHandles.privateLookupIn(vt, java.lang.invoke.MethodHandles.lookup())
                        .findVirtual(vt, "runContinuation", java.lang.invoke.MethodType.methodType(void.class))
                        .asType(java.lang.invoke.MethodType.methodType(void.class, Thread.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                m = null;
            }
        }
        RUN_CONTINUATION_METHOD = m;
    }

    /**
     * Runs (mounts and continues) virtual thread {@code vt}'s continuation, as the JDK's runnable
     * for it would: what a replacement installed by {@link #replaceContinuation} calls. Calling
     * the JDK's method directly lets the replacement drop the JDK's runnable (a 16-byte object per
     * thread, kept alive as long as the thread otherwise).
     */
    static void runContinuation(Thread vt) {
        try {
            RUN_CONTINUATION_METHOD.invokeExact(vt);
        } catch (RuntimeException | Error e) {
            throw e; // what the JDK's runnable would let escape
        } catch (Throwable t) {
            throw new AssertionError("runContinuation declares no checked exception", t);
        }
    }

    /**
     * Makes the virtual thread {@code vt} hand its scheduler {@code replacement} instead of the
     * JDK's runnable each time it is scheduled; {@code replacement} must then call
     * {@link #runContinuation} for {@code vt}. Returns false, changing nothing, where the JDK
     * does not allow it.
     *
     * @param vt a thread just made by {@link #newThread}, that nobody else holds yet and that has
     *           not been started (not checked: asking a virtual thread its state, per fork, was
     *           measurable, and both callers make the thread on the line before)
     */
    static boolean replaceContinuation(Thread vt, Runnable replacement) {
        if (RUN_CONTINUATION_METHOD == null) {
            return false;
        }
        try {
            RUN_CONTINUATION_SETTER.invokeExact(vt, replacement);
            return true;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError("a field setter declares no checked exception", t);
        }
    }

    /**
     * {@code ThreadBuilders.newVirtualThread(Executor, String, int, Runnable)}, what a builder's
     * {@code unstarted} calls; null where it cannot be reached (then the builder is used).
     */
    private static final java.lang.invoke.MethodHandle NEW_VIRTUAL_THREAD;

    static {
        java.lang.invoke.MethodHandle m = null;
        if (BUILDER != null) {
            try {
                Class<?> builders = Class.forName("java.lang.ThreadBuilders");
                m = java.lang.invoke.MethodHandles.privateLookupIn(builders, java.lang.invoke.MethodHandles.lookup())
                        .findStatic(builders, "newVirtualThread", java.lang.invoke.MethodType.methodType(
                                Thread.class, Executor.class, String.class, int.class, Runnable.class));
                Thread probe = (Thread) m.invokeExact((Executor) Runnable::run, "probe", 0, (Runnable) () -> { });
                if (!probe.isVirtual() || !"probe".equals(probe.getName())) {
                    m = null;
                }
            } catch (Throwable e) {
                m = null; // the builder and setName then do it
            }
        }
        NEW_VIRTUAL_THREAD = m;
    }

    /**
     * An unstarted virtual thread scheduled by {@code scheduler}, named {@code name}, or unnamed
     * if it is null. {@code builder} makes the same threads, unnamed: one made by
     * {@link #builderFor} for {@code scheduler}, or {@code Thread.ofVirtual()} for a null
     * scheduler, which is the JDK's choice (the creating virtual thread's scheduler, else the
     * default one). The name is given at construction: {@link Thread#setName} is synchronized,
     * and naming each fork of a scope with it was a twentieth of a fan-out's time.
     */
    static Thread newThread(Thread.Builder.OfVirtual builder, Executor scheduler, String name, Runnable body) {
        if (NEW_VIRTUAL_THREAD != null) {
            java.util.Objects.requireNonNull(body, "body");
            try {
                // Characteristics 0: what a default builder passes (inherits inheritable thread-locals).
                return (Thread) NEW_VIRTUAL_THREAD.invokeExact(scheduler, name, 0, body);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new AssertionError("newVirtualThread declares no checked exception", t);
            }
        }
        Thread t = builder.unstarted(body);
        if (name != null) {
            t.setName(name);
        }
        return t;
    }

    /**
     * {@code Thread.interrupt0()}: what {@link Thread#interrupt()} calls after setting the interrupt
     * status, to wake the thread from a monitor enter, a sleep or a park. Called alone it wakes the
     * thread and sets nothing, so the thread sees a spurious wake-up, which each of those waits
     * tolerates (a monitor enter tries the lock again). Null where it cannot be reached.
     */
    private static final java.lang.invoke.MethodHandle WAKE_WITHOUT_INTERRUPT;

    static {
        java.lang.invoke.MethodHandle m = null;
        if (BUILDER != null) {
            try {
                m = java.lang.invoke.MethodHandles.privateLookupIn(Thread.class, java.lang.invoke.MethodHandles.lookup())
                        .findVirtual(Thread.class, "interrupt0", java.lang.invoke.MethodType.methodType(void.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                m = null; // a carrier wedged on a monitor then stays so (see Carrier.wakeIfWedged)
            }
        }
        WAKE_WITHOUT_INTERRUPT = m;
    }

    /**
     * Wakes platform thread {@code t} from a monitor enter, sleep or park without interrupting it
     * (see {@link #WAKE_WITHOUT_INTERRUPT}); false, doing nothing, where the JDK does not allow it.
     */
    static boolean wakeWithoutInterrupt(Thread t) {
        if (WAKE_WITHOUT_INTERRUPT == null) {
            return false;
        }
        try {
            WAKE_WITHOUT_INTERRUPT.invokeExact(t);
            return true;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("interrupt0 declares no checked exception", e);
        }
    }

    /** Whether virtual threads can be given a carrier as their scheduler in this JVM. */
    public static boolean isAvailable() {
        return BUILDER != null;
    }

    /** Why {@link #isAvailable()} is false, with what to change; {@code null} when available. */
    public static String unavailabilityReason() {
        return UNAVAILABLE;
    }

    /**
     * A builder of virtual threads scheduled by {@code scheduler}. The builder carries no name
     * counter, so concurrent {@code unstarted} calls on it are safe.
     *
     * @throws IllegalStateException when {@link #isAvailable()} is false
     */
    public static Thread.Builder.OfVirtual builderFor(Executor scheduler) {
        if (BUILDER == null) {
            throw new IllegalStateException("carrier scheduler unavailable: " + UNAVAILABLE);
        }
        try {
            return (Thread.Builder.OfVirtual) BUILDER.newInstance(scheduler);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("carrier scheduler unavailable", e);
        }
    }

    /**
     * Starts the JDK's socket poller from a default-scheduler virtual thread. Otherwise the first
     * JDK socket call made inside a task would start the poller's virtual threads on that task's
     * carrier (they inherit its scheduler) and every JDK socket in the JVM would be polled there.
     */
    public static void initJdkPollerOffCarrier() {
        try {
            Thread t = Thread.ofVirtual().name("weft-poller-init").start(() -> {
                try {
                    Class.forName("sun.nio.ch.Poller", true, ClassLoader.getSystemClassLoader());
                    // A selector provider touch makes the poller group start its threads now.
                    try (var ch = java.nio.channels.SocketChannel.open()) {
                        ch.configureBlocking(true);
                    }
                } catch (Exception ignored) {
                    // Best effort: a JDK without this class has nothing to pre-initialise.
                }
            });
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
