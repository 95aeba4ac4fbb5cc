package dev.weft.core.sync;

import static org.junit.jupiter.api.Assertions.*;

import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * A clause whose {@code register} throws after an earlier clause was already completed by a
 * sender: the select must not drop that committed message.
 */
class SelectRegisterFailureTest {

    /** A clause that runs {@code beforeThrowing} and then fails to register, as a timer on a closed runtime does. */
    private static SelectClause<String> failingAfter(Runnable beforeThrowing) {
        return (waiter, index) -> {
            beforeThrowing.run();
            throw new RejectedExecutionException("runtime 'test' is closed");
        };
    }

    /** The sender completes the earlier receive while the later clause registers: the select returns that message. */
    @Test
    void committedMessageIsReturnedNotDropped() throws Exception {
        Channel<String> ch = Channel.unbounded();
        String r = Select.selectBiased(ch.onReceive(),
                failingAfter(() -> assertTrue(ch.trySend("committed"), "the registered receive takes it")));
        assertEquals("committed", r, "the select returns the message its receive clause committed");
        assertEquals(0, ch.size());
        assertEquals(new ReceiveResult.Empty<>(), ch.tryReceive(), "nothing is left over or duplicated");
    }

    /** The same with the sender in another thread, completing the earlier clause concurrently. */
    @RepeatedTest(50)
    void concurrentSenderCommitIsKept() throws Exception {
        Channel<String> ch = Channel.unbounded();
        String r = Select.selectBiased(ch.onReceive(), failingAfter(() -> {
            Thread t = Thread.ofVirtual().start(() -> ch.trySend("from-sender"));
            try {
                // register must not park in production; here it waits (bounded) so the sender's
                // commit is certain to land before the failure.
                assertTrue(t.join(java.time.Duration.ofSeconds(10)), "sender did not finish");
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }));
        assertEquals("from-sender", r);
        assertEquals(0, ch.size(), "the message was taken exactly once");
    }

    /** No clause committed: the registration failure propagates, and nothing is taken later. */
    @Test
    void failureWithoutCommitPropagatesAndTakesNothing() throws Exception {
        Channel<String> ch = Channel.unbounded();
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class,
                () -> Select.selectBiased(ch.onReceive(), failingAfter(() -> { })));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertTrue(ch.trySend("later"));
        assertEquals(new ReceiveResult.Value<>("later"), ch.tryReceive(),
                "the failed select's registration was removed: the later message stays in the channel");
    }
}
