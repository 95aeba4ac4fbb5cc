package dev.weft.core.sync;

import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;

/**
 * The Lincheck sizes every *LincheckTest uses: small enough that the three classes run in about
 * a minute in CI on two cores (they run in the default surefire execution only, not again in the
 * fallback-scheduler one: Lincheck runs its own threads, not Weft's carriers). {@code -Dweft.lincheck.iterations=N} runs N scenarios per
 * check instead (e.g. 200 for a longer local run).
 */
final class LincheckSizes {
    static final int THREADS = 3;
    static final int ITERATIONS = Integer.getInteger("weft.lincheck.iterations", 8);

    static ModelCheckingOptions modelChecking(ModelCheckingOptions o) {
        return modelChecking(o, 3);
    }

    /** With fewer operations per thread, for a class whose interleavings are many (Semaphore). */
    static ModelCheckingOptions modelChecking(ModelCheckingOptions o, int actorsPerThread) {
        return o.iterations(ITERATIONS).invocationsPerIteration(actorsPerThread >= 3 ? 150 : 80)
                .threads(THREADS).actorsPerThread(actorsPerThread).actorsBefore(2).actorsAfter(1);
    }

    static StressOptions stress(StressOptions o) {
        return o.iterations(ITERATIONS).invocationsPerIteration(1_000)
                .threads(THREADS).actorsPerThread(3).actorsBefore(2).actorsAfter(1);
    }

    private LincheckSizes() {}
}
