package dev.weft.core.internal;

/** Told about continuation runs longer than the runtime's slow-slice threshold (carrier thread). */
@FunctionalInterface
public interface SliceListener {
    /** A continuation of the task named {@code taskName} ran {@code nanos} on {@code carrier} without parking. Must not block. */
    void slowSlice(Carrier carrier, long nanos, String taskName);
}
