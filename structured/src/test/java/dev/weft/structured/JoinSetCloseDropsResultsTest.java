package dev.weft.structured;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * JoinSet.close: "the results not taken are dropped". A select over {@link JoinSet#onJoinNext()}
 * made after close must not hand out a result of the closed set (joinNext and tryJoinNext refuse
 * to, with IllegalStateException), nor may the closed set keep those results reachable.
 */
class JoinSetCloseDropsResultsTest {
    @AutoClose
    static final WeftRuntime rt = TestSupport.runtime();

    @Test
    void onJoinNextAfterCloseTakesNothing() throws Exception {
        rt.run(() -> {
            JoinSet<String> set = new JoinSet<>("dropped");
            Fork<String> done = set.spawn(() -> "left behind");
            done.join();                       // ended, its result not taken
            set.spawn(TestSupport::parkForever);   // cancelled by close
            set.close();
            assertTrue(set.isEmpty(), "a closed set holds nothing");
            assertEquals(Optional.empty(), Structured.trySelect(set.onJoinNext()),
                    "close dropped the results not taken: onJoinNext must not commit with one");
            assertThrows(TimeoutException.class,
                    () -> Structured.select(Duration.ofMillis(20), set.onJoinNext()),
                    "onJoinNext of a closed set never commits");
            return null;
        });
    }
}
