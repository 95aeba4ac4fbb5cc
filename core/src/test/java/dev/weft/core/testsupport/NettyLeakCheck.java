package dev.weft.core.testsupport;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Fails a test class when Netty reports a leaked buffer (or any other resource its leak detector
 * tracks). The tests run with {@code -Dio.netty.leakDetection.level=paranoid}, so every buffer is
 * tracked with the places it was touched; but Netty only logs a leak, and only once the leaked
 * buffer has been collected and a later allocation looks. So after each test class this collects
 * the garbage, lets an allocation look, and turns what was reported into a failure that carries
 * Netty's records (where the buffer was allocated and last touched), whichever class leaked it.
 *
 * <p>Once per JVM it leaks a buffer of its own and fails unless that report comes back, so a
 * detector that reports elsewhere cannot make the check pass on nothing. It checks only under
 * paranoid tracking (the build's flags); sampled tracking could miss a leak.
 *
 * <p>Registered for every test class of the modules that have weft-core's test jar on their test
 * class path ({@code META-INF/services}; the parent pom turns on JUnit's extension
 * auto-detection). It must install its detector factory before Netty's buffer classes create
 * their detectors: JUnit loads extensions before it runs any test.
 */
public final class NettyLeakCheck implements BeforeAllCallback, AfterAllCallback {
    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();
    private static final String CANARY = "dev.weft.core.testsupport.NettyLeakCheck: deliberate leak";
    private static boolean checkedOnce;

    static {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")   // Netty's own default factory calls the same constructor
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
                ResourceLeakDetector<T> detector = new ResourceLeakDetector<>(resource, samplingInterval, maxActive);
                detector.setLeakListener((type, records) -> LEAKS.add(type + " leaked:" + records));
                return detector;
            }
        });
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        // Nothing: loading this class installed the factory.
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            return;   // sampled tracking (a run outside the build's flags): a check that may miss is no check
        }
        if (!checkedOnce) {
            // Once per JVM, a leak of our own must come back, or the check would pass on nothing
            // (a detector created before this factory was installed reports to the log only).
            ByteBufAllocator.DEFAULT.buffer(1).touch(CANARY);
            collectAndReport();
            if (LEAKS.stream().noneMatch(l -> l.contains(CANARY))) {
                throw new AssertionError("NettyLeakCheck does not see Netty's leak reports (was a buffer allocated"
                        + " before JUnit loaded this extension?)");
            }
            LEAKS.removeIf(l -> l.contains(CANARY));
            checkedOnce = true;
        }
        collectAndReport();
        List<String> leaks = new ArrayList<>();
        String leak;
        while ((leak = LEAKS.poll()) != null) {
            leaks.add(leak);
        }
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " leak(s) reported by Netty after " + context.getDisplayName()
                    + " (the records say where; the leak may come from an earlier class of this run):\n"
                    + String.join("\n\n", leaks));
        }
    }

    /** Collects the garbage, then lets a tracked allocation report what the collection queued. */
    private static void collectAndReport() throws InterruptedException {
        for (int round = 0; round < 2; round++) {
            ReferenceQueue<Object> collected = new ReferenceQueue<>();
            WeakReference<Object> canary = new WeakReference<>(new Object(), collected);
            System.gc();
            // Once the canary is queued, the reference handler has queued what this collection found.
            if (collected.remove(2_000) == null) {
                throw new AssertionError("System.gc() collected nothing within 2 s (explicit GC disabled?): cannot check for leaks");
            }
            canary.clear();
            ByteBufAllocator.DEFAULT.buffer(1).release();
        }
    }
}
