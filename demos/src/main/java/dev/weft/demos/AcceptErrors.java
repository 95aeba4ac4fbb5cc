package dev.weft.demos;

import java.io.IOException;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * What an accept loop does after {@code accept()} failed for a reason that leaves the listener
 * usable (too many open files, out of memory for socket buffers): pause briefly, then
 * accept again. The pause lets connections close and free descriptors instead of spinning on the
 * same error; it doubles from {@link #MIN_PAUSE} per consecutive failure up to
 * {@link #MAX_PAUSE}, so a server recovers within {@code MAX_PAUSE} of the cause going away. Only
 * the first failure of each kind (exception type and message) is worth reporting: the same error
 * repeats for as long as the cause lasts. Not thread-safe: one accept loop owns it.
 */
final class AcceptErrors {
    static final Duration MIN_PAUSE = Duration.ofMillis(10);
    static final Duration MAX_PAUSE = Duration.ofMillis(100);
    /** Distinct kinds remembered; past this, new kinds are not reported (messages could vary without end). */
    static final int MAX_KINDS = 16;

    private final Set<String> reported = new HashSet<>();
    private Duration pause = Duration.ZERO;
    private long total;

    /** Records a failed accept; returns whether it is the first of its kind (report it). */
    boolean failed(IOException e) {
        total++;
        pause = pause.isZero() ? MIN_PAUSE : min(pause.multipliedBy(2), MAX_PAUSE);
        Throwable root = e.getCause() != null ? e.getCause() : e;
        String kind = root.getClass().getName() + ": " + root.getMessage();
        return reported.size() < MAX_KINDS && reported.add(kind);
    }

    /** How long to wait before the next accept, after the failures recorded since the last success. */
    Duration pause() {
        return pause;
    }

    /** An accept succeeded: the next failure pauses {@link #MIN_PAUSE} again. */
    void succeeded() {
        pause = Duration.ZERO;
    }

    /** Failed accepts so far. */
    long total() {
        return total;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
