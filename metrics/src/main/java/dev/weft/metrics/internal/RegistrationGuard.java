package dev.weft.metrics.internal;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Registers meters so that a registry which refuses one never breaks the runtime: the refusal is
 * logged once per binder and the meter is skipped. Meters registered with {@link #registerOwned}
 * are the binder's ({@link OwnedMeters}): {@link #close()} removes them. One per binder; thread-safe.
 *
 * {@snippet :
 * RegistrationGuard guard = new RegistrationGuard(LOG, rt.name());
 * guard.register("weft.x", () -> Gauge.builder("weft.x", rt, f).register(registry));
 * }
 */
public final class RegistrationGuard {
    private final System.Logger log;
    private final String runtimeName;
    private final AtomicBoolean warned = new AtomicBoolean();

    /** The meters registered with {@link #registerOwned}, removed by {@link #close()}. */
    private final OwnedMeters owned = new OwnedMeters();
    private volatile boolean closed;

    public RegistrationGuard(System.Logger log, String runtimeName) {
        this.log = log;
        this.runtimeName = runtimeName;
    }

    /**
     * Runs {@code registration} of meter {@code name}; a RuntimeException from it is logged (the
     * first time only) and swallowed.
     *
     * @return whether the registration completed (false: the registry refused it)
     */
    public boolean register(String name, Supplier<?> registration) {
        try {
            registration.get();
            return true;
        } catch (RuntimeException e) {
            if (warned.compareAndSet(false, true)) {
                log.log(System.Logger.Level.WARNING, "the meter registry refused meter " + name + " of runtime " + runtimeName
                        + " (further refusals are not logged); the runtime goes on without it", e);
            }
            return false;
        }
    }

    /** {@link #register} of a meter the binder owns: {@link #close()} removes it from {@code registry}. */
    public void registerOwned(MeterRegistry registry, String name, Supplier<? extends Meter> registration) {
        register(name, () -> owned.register(registry, registration));
    }

    /**
     * Throws if {@link #close()} has run.
     *
     * @param binder the binder's class name, for the message
     * @throws IllegalStateException if closed
     */
    public void checkOpen(String binder) {
        if (closed) {
            throw new IllegalStateException("metrics closed: create a new " + binder);
        }
    }

    /** Removes the owned meters from their registries (those another binder owns too stay until it closes). Idempotent. */
    public void close() {
        closed = true;
        owned.close();
    }
}
