package dev.weft.structured;

import dev.weft.core.Task;
import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.RepeatedTest;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * Scope.join's javadoc: it waits for the user forks, then cancels the daemons; "when it returns
 * normally, cancelled daemon forks may still be ending: close() waits for them". Before the fix,
 * when the user forks had all ended before join was called, join waited until the cancelled daemon
 * had ended too (the JDK scope is cancelled only by a completing fork, and none was left but the
 * daemon). The daemon here waits on a JDK latch after its interrupts until the test sees join return.
 */
class JoinDoesNotWaitForDaemonsTest {
    @AutoClose
    static final WeftRuntime rt = TestSupport.runtime();

    @RepeatedTest(20)
    void joinReturnsWhileCancelledDaemonStillEnds() throws Exception {
        CountDownLatch daemonParked = new CountDownLatch(1);
        CountDownLatch joined = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Task<?> owner = rt.spawn("owner", () -> {
            try (Scope scope = Scope.open("heartbeat-scope")) {
                Fork<Object> daemon = scope.forkDaemon("heartbeat", () -> {
                    try {
                        daemonParked.countDown();
                        return TestSupport.parkForever();
                    } catch (InterruptedException cancelled) {
                        // Slow to end: waits (a JDK wait, which sticky cancellation does not fail)
                        // until the test has seen join return, through any further interrupt.
                        while (release.getCount() > 0) {
                            try {
                                release.await();
                            } catch (InterruptedException again) {
                                // keep waiting
                            }
                        }
                        throw cancelled;
                    }
                });
                Fork<String> user = scope.fork("user", () -> "done");
                daemonParked.await();
                assertEquals("done", user.join()); // every user fork has ended before join
                scope.join();
                joined.countDown();
                assertFalse(daemon.isDone(), "join returned before the daemon ended");
            }
            return null;
        });
        boolean returned = joined.await(10, TimeUnit.SECONDS);
        release.countDown();
        if (!returned) {
            try {
                owner.join(Duration.ofSeconds(10));
            } catch (Exception ignored) {
                // the owner's own assertion fails too: join returned only once the daemon ended
            }
            throw new AssertionError("join did not return within 10 s: it waited for the cancelled daemon to end");
        }
        owner.join(Duration.ofSeconds(10));
    }
}
