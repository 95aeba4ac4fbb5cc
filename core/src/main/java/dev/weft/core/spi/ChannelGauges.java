package dev.weft.core.spi;

/**
 * What metrics read from a channel created with a name: implemented by the channel (or a view of
 * it) and registered with {@link NamedChannels#register}. Every method is called from a scrape
 * thread, at any time, concurrently with the channel's use: it must not block for long (a short
 * lock is fine), must not throw, and may return a racy value.
 *
 * {@snippet :
 * NamedChannels.Registration reg = NamedChannels.register(new ChannelGauges() {
 *     public String name() { return "jobs"; }
 *     public String kind() { return "channel"; }
 *     public int depth() { return queue.size(); }
 *     public int capacity() { return 64; }
 *     public int parkedSenders() { return 0; }
 *     public int parkedReceivers() { return 0; }
 * });
 * // ... when the channel is closed:
 * reg.close();
 * }
 */
public interface ChannelGauges {
    /** The name the channel was created with: not null or blank, constant. */
    String name();

    /** The channel's kind, constant, lower case: {@code "channel"}, {@code "broadcast"}, {@code "watch"}, ... */
    String kind();

    /** Values buffered now (for a broadcast: values retained for its slowest receiver). */
    int depth();

    /** The most values it buffers; {@link Integer#MAX_VALUE} when unbounded. */
    int capacity();

    /** Senders (or reservers) parked waiting for room. */
    int parkedSenders();

    /** Receivers parked waiting for a value. */
    int parkedReceivers();

    /**
     * How many values the slowest receiver is behind the newest sent (a broadcast's lag), or
     * {@code -1} where the kind has no such notion (the default).
     */
    default long lag() {
        return -1;
    }
}
