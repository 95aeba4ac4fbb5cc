package dev.weft.timers.internal;

import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.core.spi.RuntimeClock;

/** Which runtime and clock a timer call made here belongs to. */
public final class Clocks {
    private Clocks() {}

    /** The runtime the caller runs in (task or carrier), or {@code null} outside any runtime. */
    public static WeftRuntime runtimeOrNull() {
        try {
            return WeftRuntime.current();
        } catch (IllegalStateException outside) {
            return null;
        }
    }

    /** The runtime to arm timers on: the caller's, else the shared one. */
    public static WeftRuntime timerRuntime() {
        WeftRuntime rt = runtimeOrNull();
        return rt != null ? rt : WeftRuntime.shared();
    }

    /** The clock of the caller's runtime; the system clock outside any runtime. */
    public static RuntimeClock clockHere() {
        WeftRuntime rt = runtimeOrNull();
        return rt != null ? RuntimeAccess.clock(rt) : RuntimeClock.SYSTEM;
    }

    /** {@code now + nanos}, saturated at {@code Long.MAX_VALUE}/{@code MIN_VALUE}. */
    public static long plus(long now, long nanos) {
        long r = now + nanos;
        if (((now ^ r) & (nanos ^ r)) < 0) {
            return nanos > 0 ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return r;
    }

    /** {@code a - b}, saturated at {@code Long.MAX_VALUE}/{@code MIN_VALUE}. */
    public static long minus(long a, long b) {
        long r = a - b;
        if (((a ^ b) & (a ^ r)) < 0) {
            return a > b ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
        return r;
    }

    /** A duration in nanoseconds, saturated instead of throwing {@link ArithmeticException}. */
    public static long saturatedNanos(java.time.Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException tooBig) {
            return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
