package dev.weft.metrics.internal;

import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The snapshot cache shared by all the meters of a binder (and so by every registry it is bound
 * to): two scrapes at once must never leave the older snapshot published, or a monotonic
 * function counter reads backwards at the next scrape.
 */
@Timeout(60)
class StatsCacheTest {

    static RuntimeStats stats(long spawned) {
        return new RuntimeStats(spawned, 0, 0, 0, 0, 0, 0, 0, 0, 1, List.of());
    }

    static boolean waitingForLock(Thread t) {
        Thread.State s = t == null ? null : t.getState();
        return s == Thread.State.BLOCKED || s == Thread.State.WAITING;
    }

    /** Scraper A snapshots first but publishes last (descheduled in between); scraper B snapshots later. */
    @Test
    void aSlowScrapeNeverPublishesAnOlderSnapshotOverANewerOne() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().name("cache").carriers(1).build()) {
            AtomicLong counter = new AtomicLong();          // the runtime's counter: each snapshot reads it later
            AtomicLong clock = new AtomicLong();            // frozen: every snapshot stays fresh during the test
            CountDownLatch aRead = new CountDownLatch(1);
            CountDownLatch bDone = new CountDownLatch(1);
            AtomicReference<Thread> scraperB = new AtomicReference<>();
            StatsCache cache = new StatsCache(r -> {
                long v = counter.incrementAndGet();
                if (v == 1) {
                    aRead.countDown();
                    // A was read; hold it until B has scraped, or until B waits for A (a fixed cache serializes them)
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                    while (bDone.getCount() > 0 && !waitingForLock(scraperB.get())) {
                        if (System.nanoTime() > deadline) {
                            throw new AssertionError("timed out after 15 s waiting for scraper B");
                        }
                        Thread.onSpinWait();
                    }
                }
                return stats(v);
            }, clock::get);

            AtomicLong aSaw = new AtomicLong(-1);
            AtomicLong bSaw = new AtomicLong(-1);
            Thread a = Thread.ofPlatform().name("scraper-a").start(() -> aSaw.set(cache.get(rt).spawned()));
            assertTrue(aRead.await(15, TimeUnit.SECONDS), "scraper A never snapshotted");
            Thread b = Thread.ofPlatform().name("scraper-b").unstarted(() -> {
                bSaw.set(cache.get(rt).spawned());
                bDone.countDown();
            });
            scraperB.set(b);
            b.start();
            a.join(TimeUnit.SECONDS.toMillis(20));
            b.join(TimeUnit.SECONDS.toMillis(20));
            assertTrue(aSaw.get() > 0 && bSaw.get() > 0, "both scrapes returned: A " + aSaw + ", B " + bSaw);

            long next = cache.get(rt).spawned();
            long seen = Math.max(aSaw.get(), bSaw.get());
            assertTrue(next >= seen, "spawned went backwards: a scrape read " + seen + ", the next one " + next);
        }
    }
}
