package dev.weft.core.internal;

import dev.weft.core.WeftRuntime;

/**
 * Run by {@link FallbackWarningTest} in a JVM of its own, without the add-opens: builds a runtime
 * forced onto the fallback scheduler (which must not warn: it was asked for), then three plain
 * runtimes (which fall back and must warn once in all), and prints each one's mode.
 */
public final class FallbackWarningProbe {
    private FallbackWarningProbe() {}

    public static void main(String[] args) throws Exception {
        try (WeftRuntime forced = WeftRuntime.builder().name("forced").carriers(1).forceFallbackScheduler(true).build()) {
            System.out.println("MODE forced " + forced.schedulerMode() + " " + forced.run(() -> 1));
        }
        System.err.println("PROBE after forced");
        for (int i = 0; i < 3; i++) {
            try (WeftRuntime rt = WeftRuntime.builder().name("plain-" + i).carriers(1).build()) {
                System.out.println("MODE plain-" + i + " " + rt.schedulerMode() + " " + rt.run(() -> 1));
            }
        }
    }
}
