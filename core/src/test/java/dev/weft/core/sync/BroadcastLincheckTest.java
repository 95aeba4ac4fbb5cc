package dev.weft.core.sync;

import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of {@link Broadcast} (a ring of 2, so lagging is reached quickly) under Lincheck:
 * {@code send}, {@code close}, {@code receiverCount} and each thread's own receiver's
 * {@code tryReceive} (a receiver is used by one thread at a time, so every Lincheck thread owns one,
 * chosen with {@link ThreadIdGen}; all subscribe before the first operation and see every value,
 * lagging included). Results must match some sequential order of the same operations.
 * Model checking and stress, sizes in {@link LincheckSizes}.
 */
@Param(name = "v", gen = IntGen.class, conf = "1:3")
public class BroadcastLincheckTest {
    private final Broadcast<Integer> bc = Broadcast.create(2);
    private final BroadcastReceiver<Integer>[] rx;

    @SuppressWarnings("unchecked")
    public BroadcastLincheckTest() {
        rx = new BroadcastReceiver[LincheckSizes.THREADS + 1];
        for (int i = 0; i < rx.length; i++) {
            rx[i] = bc.subscribe();
        }
    }

    @Operation
    public String send(@Param(name = "v") int v) {
        try {
            return "receivers:" + bc.send(v);
        } catch (ChannelClosedException e) {
            return "closed:" + e.getValue();
        }
    }

    @Operation
    public String tryReceive(@Param(gen = ThreadIdGen.class) int t) {
        return switch (rx[t].tryReceive()) {
            case BroadcastResult.Value<Integer>(Integer v) -> "value:" + v;
            case BroadcastResult.Lagged<Integer>(long m) -> "lagged:" + m;
            case BroadcastResult.Empty<Integer> e -> "empty";
            case BroadcastResult.Closed<Integer> c -> "closed";
        };
    }

    @Operation
    public void closeReceiver(@Param(gen = ThreadIdGen.class) int t) {
        rx[t].close();
    }

    @Operation
    public int receiverCount() {
        return bc.receiverCount();
    }

    @Operation
    public void close() {
        bc.close();
    }

    @Test
    void modelChecking() {
        LincheckSizes.modelChecking(new ModelCheckingOptions()).check(getClass());
    }

    @Test
    void stress() {
        LincheckSizes.stress(new StressOptions()).check(getClass());
    }
}
