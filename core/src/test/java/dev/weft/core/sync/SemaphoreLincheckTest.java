package dev.weft.core.sync;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of {@link Semaphore} (3 permits) under Lincheck: {@code tryAcquire(n)},
 * returning an owned {@link SemaphorePermit} ({@code close}), {@code forget}, {@code release(n)},
 * {@code availablePermits} and {@code close}. Each Lincheck thread keeps the permits it acquired
 * in a list of its own ({@link ThreadIdGen}), so acquiring and returning are separate operations.
 * Model checking and stress, sizes in {@link LincheckSizes}.
 */
@Param(name = "n", gen = IntGen.class, conf = "1:2")
public class SemaphoreLincheckTest {
    private final Semaphore sem = new Semaphore(3);
    private final List<List<SemaphorePermit>> held = new ArrayList<>();

    public SemaphoreLincheckTest() {
        for (int i = 0; i <= LincheckSizes.THREADS; i++) {
            held.add(new ArrayList<>());
        }
    }

    @Operation
    public String tryAcquire(@Param(gen = ThreadIdGen.class) int t, @Param(name = "n") int n) {
        try {
            Optional<SemaphorePermit> p = sem.tryAcquire(n);
            p.ifPresent(held.get(t)::add);
            return p.isPresent() ? "acquired" : "none";
        } catch (SemaphoreClosedException e) {
            return "closed";
        }
    }

    @Operation
    public String returnOldest(@Param(gen = ThreadIdGen.class) int t) {
        List<SemaphorePermit> mine = held.get(t);
        if (mine.isEmpty()) {
            return "none";
        }
        SemaphorePermit p = mine.removeFirst();
        p.close();
        return "returned:" + p.permits();
    }

    @Operation
    public String forgetOldest(@Param(gen = ThreadIdGen.class) int t) {
        List<SemaphorePermit> mine = held.get(t);
        if (mine.isEmpty()) {
            return "none";
        }
        SemaphorePermit p = mine.removeFirst();
        p.forget();
        return "forgot:" + p.permits();
    }

    @Operation
    public void release(@Param(name = "n") int n) {
        sem.release(n);
    }

    @Operation
    public long availablePermits() {
        return sem.availablePermits();
    }

    @Operation
    public void close() {
        sem.close();
    }

    @Test
    void modelChecking() {
        LincheckSizes.modelChecking(new ModelCheckingOptions(), 2).check(getClass());
    }

    @Test
    void stress() {
        LincheckSizes.stress(new StressOptions()).check(getClass());
    }
}
