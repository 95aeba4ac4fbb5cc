package dev.weft.core;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.*;

/** The blocking pool: bounded, reuses idle threads, queues beyond its size. */
class BlockingPoolTest {

    /** Sequential jobs reuse one idle thread instead of starting a thread each. */
    @Test
    void idleThreadsAreReused() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().carriers(1).blockingThreads(64).build()) {
            Set<String> threads = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < 50; i++) {
                rt.spawnBlocking(() -> threads.add(Thread.currentThread().getName())).join();
            }
            // A job can arrive while the previous thread is still finishing its bookkeeping, so a few
            // threads may start; a pool that started a thread per job would use 50.
            assertTrue(threads.size() <= 8, "sequential jobs used " + threads.size() + " threads");
        }
    }

    /** More jobs than threads: at most blockingThreads run at once, the rest wait and all complete. */
    @Test
    void boundedAndQueued() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().carriers(1).blockingThreads(3).build()) {
            CountDownLatch release = new CountDownLatch(1);
            Set<String> threads = ConcurrentHashMap.newKeySet();
            List<Task<Integer>> jobs = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                int v = i;
                jobs.add(rt.spawnBlocking(() -> {
                    threads.add(Thread.currentThread().getName());
                    release.await();
                    return v;
                }));
            }
            TestSupport.await("3 jobs running and 7 queued", () -> threads.size() == 3);
            assertEquals(3, threads.size());
            release.countDown();
            int sum = 0;
            for (Task<Integer> j : jobs) {
                sum += j.join();
            }
            assertEquals(45, sum);
            assertEquals(3, threads.size(), "never more threads than the maximum");
        }
    }
}
