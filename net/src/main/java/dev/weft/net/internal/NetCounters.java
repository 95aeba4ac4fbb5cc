package dev.weft.net.internal;

import dev.weft.core.WeftRuntime;

import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The net counters of one runtime, read by {@code NetStats}. {@link LongAdder}s: an update from a
 * carrier touches a cell that other carriers rarely share, so counting costs a few nanoseconds and
 * no contention. Looked up once per socket (a weak map keyed by the runtime), never per operation.
 */
public final class NetCounters {
    private static final Map<WeftRuntime, NetCounters> BY_RUNTIME = new WeakHashMap<>();

    public final LongAdder open = new LongAdder();
    public final LongAdder accepted = new LongAdder();
    public final LongAdder connected = new LongAdder();
    public final LongAdder bytesRead = new LongAdder();
    public final LongAdder bytesWritten = new LongAdder();
    /**
     * Bytes {@code NetIo.copy} handed from one stream to another as received, without copying
     * (also counted in {@link #bytesRead} and {@link #bytesWritten}). Not in {@code NetStats}: the
     * tests read it to know the forwarding path was taken.
     */
    public final LongAdder bytesForwarded = new LongAdder();
    public final LongAdder readsParked = new LongAdder();
    public final LongAdder writesParked = new LongAdder();
    public final LongAdder datagramsReceived = new LongAdder();
    public final LongAdder datagramsSent = new LongAdder();
    public final LongAdder datagramsDropped = new LongAdder();

    private NetCounters() {}

    /** The counters of {@code rt}, created on first use. */
    public static NetCounters of(WeftRuntime rt) {
        synchronized (BY_RUNTIME) {
            return BY_RUNTIME.computeIfAbsent(rt, r -> new NetCounters());
        }
    }
}
