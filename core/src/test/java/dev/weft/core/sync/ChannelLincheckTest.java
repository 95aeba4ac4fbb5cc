package dev.weft.core.sync;

import java.util.Optional;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.ThreadIdGen;
import org.junit.jupiter.api.Test;

/**
 * Linearizability of a bounded {@link Channel} (capacity 2) under Lincheck: every concurrent history
 * of its non-parking operations ({@code trySend}, {@code tryReceive}, {@code tryReserve}, sending or
 * releasing a reserved {@link Permit}, {@code close}, {@code size}) must match some sequential
 * execution of the same operations. The parking operations are built on the same critical sections
 * and are covered by the stress and interrupt tests; Lincheck's model checker can only explore
 * threads it controls, and a parked virtual thread would be a deadlock to it.
 *
 * <p>Each Lincheck thread keeps its own permit slot (chosen with {@link ThreadIdGen}), so a
 * reservation and the send through it are separate operations, which is the interleaving that
 * matters: a reserved slot counts against the capacity before its value is visible.
 *
 * <p>Two checks: model checking (Lincheck instruments the classes and explores interleavings at
 * every shared-memory access and lock) and stress (real threads). Both run on JDK 25 with
 * Lincheck 3.7; sizes are kept small so the class runs in seconds (see {@link LincheckSizes}).
 */
@Param(name = "v", gen = IntGen.class, conf = "1:3")
public class ChannelLincheckTest {
    private final Channel<Integer> ch = Channel.bounded(2);
    @SuppressWarnings("unchecked")
    private final Permit<Integer>[] permits = new Permit[LincheckSizes.THREADS + 1];

    @Operation
    public String trySend(@Param(name = "v") int v) {
        try {
            return ch.trySend(v) ? "sent" : "full";
        } catch (ChannelClosedException e) {
            return "closed:" + e.getValue();
        }
    }

    @Operation
    public String tryReceive() {
        return switch (ch.tryReceive()) {
            case ReceiveResult.Value<Integer>(Integer v) -> "value:" + v;
            case ReceiveResult.Empty<Integer> e -> "empty";
            case ReceiveResult.Closed<Integer> c -> "closed";
        };
    }

    @Operation
    public String tryReserve(@Param(gen = ThreadIdGen.class) int t) {
        if (permits[t] != null) {
            return "holding";
        }
        try {
            Optional<Permit<Integer>> p = ch.tryReserve();
            p.ifPresent(x -> permits[t] = x);
            return p.isPresent() ? "reserved" : "full";
        } catch (ChannelClosedException e) {
            return "closed";
        }
    }

    @Operation
    public String sendReserved(@Param(gen = ThreadIdGen.class) int t,
                               @Param(name = "v") int v) {
        Permit<Integer> p = permits[t];
        if (p == null) {
            return "none";
        }
        permits[t] = null;
        p.send(v); // a permit's send never fails, even after close
        return "sent";
    }

    @Operation
    public String releaseReserved(@Param(gen = ThreadIdGen.class) int t) {
        Permit<Integer> p = permits[t];
        if (p == null) {
            return "none";
        }
        permits[t] = null;
        p.release();
        return "released";
    }

    @Operation
    public void close() {
        ch.close();
    }

    @Operation
    public int size() {
        return ch.size();
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
