package dev.weft.core.spi;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The JVM's channels that were created with a name, for metrics. Channels are not tied to a
 * runtime, so neither is this registry: a metrics binder reads all of them. Channels with the
 * same {@linkplain ChannelGauges#kind() kind} and {@linkplain ChannelGauges#name() name} form one
 * group (e.g. one channel per connection, all named {@code "conn.out"}), which metrics report
 * together (sums, and the maximum lag).
 *
 * <p>{@code dev.weft.core.sync}'s named factories ({@code Channel.bounded(name, capacity)},
 * {@code Channel.unbounded(name)}, {@code Broadcast.create(name, capacity)},
 * {@code Watch.create(name, initial)}) register here as follows; another channel kind would too.
 *
 * {@snippet :
 * // in a channel factory that takes a name:
 * NamedChannels.Registration reg = NamedChannels.register(gaugesOf(channel));
 * // in the channel's close():
 * reg.close();
 * // in a metrics binder:
 * NamedChannels.onNewGroup(key -> registerGaugesFor(key));
 * long depth = NamedChannels.channels(key).stream().mapToLong(ChannelGauges::depth).sum();
 * }
 *
 * <p>The registry holds the {@link ChannelGauges} weakly: a named channel that is dropped without
 * being closed leaves the group once it is collected. So the channel must keep its gauges object
 * reachable itself (a field; or be it): a view object that only the registry references would
 * vanish at the next GC. Thread-safe; {@link #register} and
 * {@link Registration#close()} are lock-free apart from a copy-on-write of the group's list, so
 * they suit channels made at connection rates, not per message.
 */
public final class NamedChannels {
    private NamedChannels() {}

    /** A group of channels: one kind, one name. */
    public record Key(String kind, String name) {
        /** @throws IllegalArgumentException if either is null or blank */
        public Key {
            if (kind == null || kind.isBlank() || name == null || name.isBlank()) {
                throw new IllegalArgumentException("a named channel needs a non-blank kind and name, was kind="
                        + kind + " name=" + name);
            }
        }
    }

    /** A channel's place in the registry; {@link #close()} (idempotent) takes it out. */
    public interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    private static final ConcurrentHashMap<Key, CopyOnWriteArrayList<Entry>> GROUPS = new ConcurrentHashMap<>();
    private static final CopyOnWriteArrayList<Consumer<Key>> LISTENERS = new CopyOnWriteArrayList<>();

    private static final class Entry extends WeakReference<ChannelGauges> implements Registration {
        final Key key;

        Entry(ChannelGauges g, Key key) {
            super(g);
            this.key = key;
        }

        @Override
        public void close() {
            var group = GROUPS.get(key);
            if (group != null) {
                group.remove(this);
            }
            clear();
        }
    }

    /**
     * Adds {@code channel} to the group of its kind and name, and tells the
     * {@linkplain #onNewGroup listeners} if the group is new. A listener that throws does not
     * stop the registration.
     *
     * @throws IllegalArgumentException if its kind or name is null or blank
     * @throws NullPointerException     if {@code channel} is null
     */
    public static Registration register(ChannelGauges channel) {
        Objects.requireNonNull(channel, "channel");
        Key key = new Key(channel.kind(), channel.name());
        Entry e = new Entry(channel, key);
        boolean[] created = {false};
        GROUPS.computeIfAbsent(key, k -> {
            created[0] = true;
            return new CopyOnWriteArrayList<>();
        }).add(e);
        if (created[0]) {
            for (Consumer<Key> l : LISTENERS) {
                notify(l, key);
            }
        }
        return e;
    }

    /**
     * Calls {@code listener} with every group known now, then with each new group as it first
     * registers (on the registering thread: it must not block). Groups are never forgotten. A
     * group that first registers while the listener is being added may be reported twice, so the
     * listener must be idempotent. Returns a handle that removes the listener.
     */
    public static AutoCloseable onNewGroup(Consumer<Key> listener) {
        Objects.requireNonNull(listener, "listener");
        LISTENERS.add(listener);
        for (Key k : GROUPS.keySet()) {
            notify(listener, k);
        }
        return () -> LISTENERS.remove(listener);
    }

    /** The live channels of a group now (collected and closed ones left out). */
    public static List<ChannelGauges> channels(Key key) {
        var group = GROUPS.get(key);
        List<ChannelGauges> out = new ArrayList<>();
        if (group == null) {
            return out;
        }
        for (Entry e : group) {
            ChannelGauges g = e.get();
            if (g == null) {
                group.remove(e);
            } else {
                out.add(g);
            }
        }
        return out;
    }

    /** The groups known so far. */
    public static List<Key> groups() {
        return List.copyOf(GROUPS.keySet());
    }

    private static void notify(Consumer<Key> l, Key key) {
        try {
            l.accept(key);
        } catch (RuntimeException ignored) {
            // a failing listener (a metrics registry) must not fail the channel's creation
        }
    }
}
