package dev.weft.core.sync;

import dev.weft.core.spi.ChannelGauges;
import dev.weft.core.spi.NamedChannels;
import java.util.Objects;

/**
 * A named primitive's place in {@link NamedChannels}, shared by the channel kinds that take a
 * name. {@link NamedChannels} holds the gauges only weakly, so this object, a field of the
 * primitive, is what keeps them alive as long as the primitive is referenced; {@link #close()}
 * takes them out of the registry when the primitive is closed.
 */
final class Named {
    private final ChannelGauges gauges;
    private final NamedChannels.Registration registration;

    private Named(ChannelGauges gauges, NamedChannels.Registration registration) {
        this.gauges = gauges;
        this.registration = registration;
    }

    /** Checks a name before the primitive is built, so a bad name creates nothing. */
    static String check(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("a channel name must not be blank, was \"" + name + "\"");
        }
        return name;
    }

    /** Registers {@code gauges} (of a fully constructed primitive: metrics may read it at once). */
    static Named register(ChannelGauges gauges) {
        return new Named(gauges, NamedChannels.register(gauges));
    }

    String name() {
        return gauges.name();
    }

    /** The name and kind every named primitive's gauges report; the subclass adds the readings. */
    abstract static class Gauges implements ChannelGauges {
        private final String name;
        private final String kind;

        Gauges(String name, String kind) {
            this.name = name;
            this.kind = kind;
        }

        @Override
        public final String name() {
            return name;
        }

        @Override
        public final String kind() {
            return kind;
        }
    }

    /**
     * Gauges of a primitive whose senders never park and whose parked receivers are the
     * {@code waiters} guarded by {@code lock} (broadcast, watch).
     */
    abstract static class ReceiverGauges extends Gauges {
        private final java.util.concurrent.locks.Lock lock;
        private final WaitList waiters;

        ReceiverGauges(String name, String kind, java.util.concurrent.locks.Lock lock, WaitList waiters) {
            super(name, kind);
            this.lock = lock;
            this.waiters = waiters;
        }

        @Override
        public final int parkedSenders() {
            return 0; // senders never park
        }

        @Override
        public final int parkedReceivers() {
            lock.lock();
            try {
                return waiters.size();
            } finally {
                lock.unlock();
            }
        }
    }

    /** Leaves the registry; idempotent. */
    void close() {
        registration.close();
    }
}
