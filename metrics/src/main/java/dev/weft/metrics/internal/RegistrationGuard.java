package dev.weft.metrics.internal;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * Registers meters so that a registry which refuses one never breaks the runtime: the refusal is
 * logged once per binder and the meter is skipped.
 */
public final class RegistrationGuard {
    private final System.Logger log;
    private final String runtimeName;
    private final AtomicBoolean warned = new AtomicBoolean();

    public RegistrationGuard(System.Logger log, String runtimeName) {
        this.log = log;
        this.runtimeName = runtimeName;
    }

    /** Runs {@code registration} of meter {@code name}; a RuntimeException from it is logged (first time only). */
    public void register(String name, Supplier<?> registration) {
        try {
            registration.get();
        } catch (RuntimeException e) {
            if (warned.compareAndSet(false, true)) {
                log.log(System.Logger.Level.WARNING, "the meter registry refused meter " + name + " of runtime " + runtimeName
                        + " (further refusals are not logged); the runtime goes on without it", e);
            }
        }
    }
}
