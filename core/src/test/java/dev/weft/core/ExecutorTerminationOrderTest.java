package dev.weft.core;

import org.junit.jupiter.api.RepeatedTest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code awaitTermination} returning true means every task has completed (ExecutorService's
 * contract): commands of a bounded executor that its runtime's close dropped, still waiting for
 * the bound, must have their futures cancelled before the executor reports itself terminated, or a
 * caller that checks {@code isDone()} right after {@code awaitTermination} sees a future not done.
 */
class ExecutorTerminationOrderTest {

    @RepeatedTest(20)
    void droppedCommandsAreCancelledBeforeTheExecutorTerminates() throws Exception {
        WeftRuntime own = WeftRuntime.builder().name("exec-drop-order").carriers(1).build();
        ExecutorService ex = own.newExecutor(1);
        Future<String> running = WeftExecutorServiceTest.submitUntilCancelled(ex);
        List<TerminationWitness> waiting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TerminationWitness f = new TerminationWitness(ex);
            waiting.add(f);
            ex.execute(f); // waits for the bound
        }
        ex.shutdown();
        own.shutdown(Duration.ZERO);
        assertTrue(ex.awaitTermination(10, TimeUnit.SECONDS), "the executor did not terminate");
        assertTrue(running.isDone(), "the running command's future is not done after awaitTermination returned true");
        for (TerminationWitness f : waiting) {
            assertTrue(f.isDone(), "awaitTermination returned true before a dropped command's future completed");
            assertThrows(CancellationException.class, f::get);
            assertEquals(Boolean.FALSE, f.terminatedWhenCancelled,
                    "the executor reported itself terminated before a command it dropped was cancelled");
        }
        ex.close();
    }

    /** A command's future that records whether its executor said it had terminated when it was cancelled. */
    private static final class TerminationWitness extends FutureTask<String> {
        private final ExecutorService ex;
        volatile Boolean terminatedWhenCancelled;

        TerminationWitness(ExecutorService ex) {
            super(() -> "ran");
            this.ex = ex;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            terminatedWhenCancelled = ex.isTerminated();
            return super.cancel(mayInterruptIfRunning);
        }
    }
}
