package dev.weft.structured;

import dev.weft.core.WeftRuntime;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StructuredJoinTest {
    /** One runtime for the class, closed after its last test. */
    @AutoClose
    static final WeftRuntime rt = TestSupport.runtime();

    /** join of 2..6 callables returns every result, typed and in argument order. */
    @Test
    void joinReturnsTypedTuples() throws Exception {
        rt.run(() -> {
            assertEquals(new Tuple2<>("a", 1), Structured.join(() -> "a", () -> 1));
            assertEquals(new Tuple3<>("a", 1, 2L), Structured.join(() -> "a", () -> 1, () -> 2L));
            assertEquals(new Tuple4<>(1, 2, 3, 4), Structured.join(() -> 1, () -> 2, () -> 3, () -> 4));
            assertEquals(new Tuple5<>(1, 2, 3, 4, 5), Structured.join(() -> 1, () -> 2, () -> 3, () -> 4, () -> 5));
            assertEquals(new Tuple6<>(1, 2, 3, 4, 5, "6"),
                    Structured.join(() -> 1, () -> 2, () -> 3, () -> 4, () -> 5, () -> "6"));
            assertEquals(new Tuple6<>(1, 2, 3, 4, 5, "6"),
                    Structured.tryJoin(() -> 1, () -> 2, () -> 3, () -> 4, () -> 5, () -> "6"));
            return null;
        });
    }

    /** The callables of a join run at the same time, not one after another. */
    @RepeatedTest(10)
    void joinRunsConcurrently() throws Exception {
        rt.run(() -> {
            CountDownLatch both = new CountDownLatch(2);
            Callable<Boolean> meet = () -> {
                both.countDown();
                return both.await(10, TimeUnit.SECONDS);
            };
            assertEquals(new Tuple2<>(true, true), Structured.join(meet, meet));
            return null;
        });
    }

    /** The list form returns results in list order, including for an empty list. */
    @Test
    void joinListKeepsOrder() throws Exception {
        rt.run(() -> {
            List<Callable<Integer>> cs = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                int n = i;
                cs.add(() -> n);
            }
            List<Integer> r = Structured.join(cs);
            for (int i = 0; i < 100; i++) {
                assertEquals(i, r.get(i));
            }
            assertEquals(List.of(), Structured.join(List.<Callable<Integer>>of()));
            assertEquals(List.of(1, 2), Structured.tryJoin(List.of(() -> 1, () -> 2)));
            return null;
        });
    }

    /** join waits for all even when one fails, then throws the first failure with the others suppressed. */
    @RepeatedTest(10)
    void joinWaitsForAllAndThrowsFirstFailure() throws Exception {
        rt.run(() -> {
            AtomicInteger finished = new AtomicInteger();
            CountDownLatch firstFailed = new CountDownLatch(1);
            ForkFailedException e = assertThrows(ForkFailedException.class, () -> Structured.join(
                    () -> { try { throw new IOException("one"); } finally { firstFailed.countDown(); } },
                    () -> { firstFailed.await(); finished.incrementAndGet(); throw new IllegalStateException("two"); },
                    () -> { firstFailed.await(); return finished.incrementAndGet(); }));
            assertEquals(2, finished.get(), "the others ran to completion");
            assertInstanceOf(IOException.class, e.getCause());
            assertEquals("join-0", e.forkName());
            assertEquals(1, e.getSuppressed().length);
            assertInstanceOf(IllegalStateException.class, e.getSuppressed()[0].getCause());
            return null;
        });
    }

    /** tryJoin: the first failure cancels the siblings, waits for them to end, and is thrown. */
    @RepeatedTest(10)
    void tryJoinCancelsSiblingsAndWaits() throws Exception {
        rt.run(() -> {
            CompletableFuture<Boolean> siblingEnded = new CompletableFuture<>();
            CountDownLatch siblingParked = new CountDownLatch(1);
            ForkFailedException e = assertThrows(ForkFailedException.class, () -> Structured.tryJoin(
                    () -> { siblingParked.await(); throw new IOException("boom"); },
                    () -> {
                        try {
                            siblingParked.countDown();
                            return TestSupport.parkForever();
                        } finally {
                            siblingEnded.complete(true);
                        }
                    }));
            assertInstanceOf(IOException.class, e.getCause());
            assertTrue(siblingEnded.isDone(), "sibling ended before tryJoin returned");
            assertEquals(0, e.getSuppressed().length, "a cancelled sibling is not a failure");
            return null;
        });
    }

    /** race returns the first success; the losers are cancelled and ended before it returns. */
    @RepeatedTest(10)
    void raceFirstSuccessWinsLosersEnded() throws Exception {
        rt.run(() -> {
            AtomicInteger losersStarted = new AtomicInteger();
            AtomicInteger losersEnded = new AtomicInteger();
            Callable<String> loser = () -> {
                losersStarted.incrementAndGet();
                try {
                    return TestSupport.parkForever();
                } finally {
                    losersEnded.incrementAndGet();
                }
            };
            String r = Structured.race(loser, () -> { throw new IOException("fails"); }, () -> "winner", loser);
            assertEquals("winner", r);
            // A loser forked after the winner finished never starts; every one that started has ended.
            assertEquals(losersStarted.get(), losersEnded.get());
            return null;
        });
    }

    /** race where all fail throws the first failure with all the others suppressed. */
    @Test
    void raceAllFail() throws Exception {
        rt.run(() -> {
            ForkFailedException e = assertThrows(ForkFailedException.class, () -> Structured.race(
                    () -> { throw new IOException("a"); },
                    () -> { throw new IOException("b"); },
                    () -> { throw new IOException("c"); }));
            assertInstanceOf(IOException.class, e.getCause());
            assertEquals(2, e.getSuppressed().length);
            assertThrows(IllegalArgumentException.class, () -> Structured.race(List.<Callable<String>>of()));
            return null;
        });
    }

    /** Each verb throws InterruptedException at once, running nothing, if the caller is already interrupted. */
    @Test
    void interruptedBefore() throws Exception {
        rt.run(() -> {
            AtomicInteger ran = new AtomicInteger();
            Callable<Integer> body = ran::incrementAndGet;
            List<Callable<?>> verbs = List.of(
                    () -> Structured.join(body, body),
                    () -> Structured.tryJoin(body, body),
                    () -> Structured.race(body, body),
                    () -> Structured.timeout(java.time.Duration.ofSeconds(5), body));
            for (Callable<?> verb : verbs) {
                Thread.currentThread().interrupt();
                assertThrows(InterruptedException.class, verb::call);
                assertTrue(!Thread.currentThread().isInterrupted());
            }
            assertEquals(0, ran.get());
            return null;
        });
    }

    /** Interrupting a thread waiting in a verb cancels the forks and throws once they ended. */
    @RepeatedTest(10)
    void interruptedDuring() throws Exception {
        for (int verb = 0; verb < 4; verb++) {
            int v = verb;
            AtomicInteger ended = new AtomicInteger();
            CountDownLatch started = new CountDownLatch(2);
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Callable<Object> body = () -> {
                started.countDown();
                try {
                    return TestSupport.parkForever();
                } finally {
                    ended.incrementAndGet();
                }
            };
            Thread owner = TestSupport.startTask(rt, () -> {
                try {
                    switch (v) {
                        case 0 -> Structured.join(body, body);
                        case 1 -> Structured.tryJoin(body, body);
                        case 2 -> Structured.race(body, body);
                        default -> Structured.join(() -> Structured.timeout(java.time.Duration.ofHours(1), body), body);
                    }
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
                return null;
            });
            started.await();
            TestSupport.awaitParked(owner);
            owner.interrupt();
            Throwable t = outcome.get(10, TimeUnit.SECONDS);
            assertInstanceOf(InterruptedException.class, t, "verb " + v);
            assertEquals(2, ended.get(), "forks ended before verb " + v + " threw");
        }
    }
}
