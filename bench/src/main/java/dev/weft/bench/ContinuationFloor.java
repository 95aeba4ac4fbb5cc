package dev.weft.bench;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The floor under any virtual-thread hand-off ({@code continuation [n]}): n rounds of the JDK's
 * bare {@code jdk.internal.vm.Continuation}: {@code run()} mounts it, its body calls
 * {@code Continuation.yield} at once. No {@code VirtualThread}, no scheduler, no park or unpark:
 * what a task switch costs before any of those is added. A ping-pong round trip is two task
 * switches, so it cannot cost less than twice {@code ns_per_switch}, whatever the scheduler.
 * Reached by reflection (the jar's manifest exports {@code java.base/jdk.internal.vm}); the
 * method handles are constants, so the JIT calls the methods directly.
 */
final class ContinuationFloor {
    private static final Object SCOPE;
    private static final MethodHandle NEW;
    private static final MethodHandle RUN;
    private static final MethodHandle YIELD;

    static {
        try {
            Class<?> scope = Class.forName("jdk.internal.vm.ContinuationScope");
            Class<?> cont = Class.forName("jdk.internal.vm.Continuation");
            MethodHandles.Lookup l = MethodHandles.lookup();
            SCOPE = scope.getConstructor(String.class).newInstance("bench");
            NEW = l.findConstructor(cont, MethodType.methodType(void.class, scope, Runnable.class))
                    .asType(MethodType.methodType(Object.class, Object.class, Runnable.class));
            RUN = l.findVirtual(cont, "run", MethodType.methodType(void.class))
                    .asType(MethodType.methodType(void.class, Object.class));
            YIELD = l.findStatic(cont, "yield", MethodType.methodType(boolean.class, scope))
                    .asType(MethodType.methodType(boolean.class, Object.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError("jdk.internal.vm is not exported to this jar: " + e);
        }
    }

    static void main(String[] a) throws Exception {
        try {
            measure(a);
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static void measure(String[] a) throws Throwable {
        int n = (int) Main.parseCount(Main.arg(a, 0, "5000000"));
        Object c = NEW.invokeExact(SCOPE, (Runnable) () -> {
            try {
                while (true) {
                    boolean ignored = (boolean) YIELD.invokeExact(SCOPE);
                }
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        });
        for (int i = 0; i < Main.warmup(); i++) {
            for (int j = 0; j < n; j++) {
                RUN.invokeExact(c);
            }
        }
        long t0 = System.nanoTime();
        for (int j = 0; j < n; j++) {
            RUN.invokeExact(c);
        }
        long dt = System.nanoTime() - t0;
        Main.result("continuation", "jdk-bare", "switches", n, "ns_per_switch", Main.f1((double) dt / n),
                "floor_ns_per_round_trip", Main.f1(2.0 * dt / n), "warmup", Main.warmup());
    }

    private ContinuationFloor() {}
}
