package dev.weft.demos;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The accept loop's policy after a failed accept: a bounded, growing pause that resets on
 * success, and one report per kind of failure. The loop itself meets a real failure in
 * {@link AcceptLoopEmfileTest}.
 */
class AcceptErrorsTest {

    @Test
    void pauseGrowsToTheBoundAndResetsOnSuccess() {
        AcceptErrors errors = new AcceptErrors();
        assertEquals(Duration.ZERO, errors.pause(), "no pause before any failure");
        List<Duration> pauses = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            errors.failed(new IOException("accept failed: Too many open files"));
            pauses.add(errors.pause());
        }
        assertEquals(List.of(10L, 20L, 40L, 80L, 100L, 100L, 100L, 100L),
                pauses.stream().map(Duration::toMillis).toList(), "doubling from 10 ms, capped at 100 ms");
        errors.succeeded();
        errors.failed(new IOException("accept failed: Too many open files"));
        assertEquals(AcceptErrors.MIN_PAUSE, errors.pause(), "a success resets the pause");
        assertEquals(9, errors.total());
    }

    @Test
    void reportsOncePerKindAndBoundsTheKindsRemembered() {
        AcceptErrors errors = new AcceptErrors();
        IOException emfile = new IOException("accept failed: Too many open files",
                new SocketException("Too many open files"));
        assertTrue(errors.failed(emfile), "the first failure of a kind is reported");
        assertFalse(errors.failed(new IOException("accept failed: again", new SocketException("Too many open files"))),
                "the same cause again is not");
        assertTrue(errors.failed(new IOException("accept failed: ENOBUFS", new SocketException("No buffer space available"))),
                "a new kind is reported");
        for (int i = 0; i < 100; i++) {
            errors.failed(new IOException("varying " + i));
        }
        assertFalse(errors.failed(new IOException("one more kind")), "at most " + AcceptErrors.MAX_KINDS + " kinds are reported");
    }
}
