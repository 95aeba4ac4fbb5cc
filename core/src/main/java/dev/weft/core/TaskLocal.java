package dev.weft.core;

import java.util.Objects;

/**
 * A value bound for the extent of a call and inherited by every task spawned inside it: Tokio's
 * {@code task_local!}, built on {@link ScopedValue}.
 *
 * <p>A plain {@code ScopedValue} is inherited only by {@code StructuredTaskScope} forks; a
 * {@code TaskLocal} is also inherited by {@link WeftRuntime#spawn}, {@link Weft#spawn} and
 * {@link WeftRuntime#spawnBlocking}: the child sees the bindings its parent had at the moment of
 * the spawn, immutably, for its whole life. A command given to an executor from
 * {@link WeftRuntime#newExecutor()} likewise sees its submitter's bindings at {@code execute} or
 * {@code submit}, even when a bounded executor starts it later.
 *
 * <pre>{@code
 * static final TaskLocal<String> REQUEST_ID = TaskLocal.newInstance();
 *
 * TaskLocal.where(REQUEST_ID, "r-17").call(() ->
 *         Weft.spawn(() -> REQUEST_ID.get()).join()); // "r-17"
 * }</pre>
 *
 * <p>Thread-safe; bindings are immutable, so reading one needs no synchronisation.
 *
 * @param <T> the value type
 */
public final class TaskLocal<T> {
    /** Every TaskLocal binding in effect, newest first, so a spawn can hand them to the child. */
    static final ScopedValue<Bindings> BINDINGS = ScopedValue.newInstance();

    private final ScopedValue<T> value = ScopedValue.newInstance();

    private TaskLocal() {}

    /** A new task-local with no binding. */
    public static <T> TaskLocal<T> newInstance() {
        return new TaskLocal<>();
    }

    /**
     * Prepares a binding of {@code local} to {@code value}; run code in it with
     * {@link Binding#run} or {@link Binding#call}.
     *
     * @throws NullPointerException if either argument is null
     */
    public static <T> Binding where(TaskLocal<T> local, T value) {
        Objects.requireNonNull(local, "local");
        Objects.requireNonNull(value, "value");
        return new Binding(new Bindings(local, value, null));
    }

    /**
     * The value bound in the current task.
     *
     * @throws java.util.NoSuchElementException if it is not bound
     */
    public T get() {
        return value.get();
    }

    /** The value bound in the current task, or {@code other} when unbound. */
    public T orElse(T other) {
        return value.isBound() ? value.get() : other;
    }

    /** Whether a value is bound in the current task. */
    public boolean isBound() {
        return value.isBound();
    }

    /** A set of bindings to run code in; add more with {@link #where}. Immutable. */
    public static final class Binding {
        private final Bindings added;

        private Binding(Bindings added) {
            this.added = added;
        }

        /** This binding plus {@code local = value} (a later binding of the same local wins). */
        public <T> Binding where(TaskLocal<T> local, T value) {
            Objects.requireNonNull(local, "local");
            Objects.requireNonNull(value, "value");
            return new Binding(new Bindings(local, value, added));
        }

        /** Runs {@code op} with these bindings in effect, then restores the previous ones. */
        public void run(Runnable op) {
            carrier(BINDINGS.isBound() ? BINDINGS.get() : null).run(op);
        }

        /**
         * Calls {@code op} with these bindings in effect and returns its result.
         *
         * @throws X whatever {@code op} throws
         */
        public <R, X extends Throwable> R call(ScopedValue.CallableOp<? extends R, X> op) throws X {
            return carrier(BINDINGS.isBound() ? BINDINGS.get() : null).call(op);
        }

        private ScopedValue.Carrier carrier(Bindings outer) {
            if (!everBound) {
                everBound = true;
            }
            // Newest first, as the list must stay: these bindings (in their own order) before the outer ones.
            Bindings all = outer == null ? added : prepend(added, outer);
            return all.bind(ScopedValue.where(BINDINGS, all));
        }

        /** {@code list} followed by {@code tail}, each in its order. */
        private static Bindings prepend(Bindings list, Bindings tail) {
            return list == null ? tail : new Bindings(list.local, list.value, prepend(list.next, tail));
        }
    }

    /** An immutable list of (local, value), newest first. */
    static final class Bindings {
        final TaskLocal<?> local;
        final Object value;
        final Bindings next;

        Bindings(TaskLocal<?> local, Object value, Bindings next) {
            this.local = local;
            this.value = value;
            this.next = next;
        }

        /** {@code base} plus every binding in this list (older first, so newer ones win). */
        @SuppressWarnings({"unchecked", "rawtypes"})
        ScopedValue.Carrier bind(ScopedValue.Carrier base) {
            ScopedValue.Carrier c = next == null ? base : next.bind(base);
            return c.where((ScopedValue) local.value, value);
        }

        /** Runs {@code body} in a fresh task with these bindings (used by spawn). */
        static void runWith(Bindings captured, ScopedValue.Carrier base, Runnable body) {
            if (captured == null) {
                if (base == null) {
                    body.run();
                } else {
                    base.run(body);
                }
            } else {
                captured.bind(base == null ? ScopedValue.where(BINDINGS, captured) : base.where(BINDINGS, captured))
                        .run(body);
            }
        }
    }

    /** The bindings in effect now, for a spawn to hand to its child; null when none. */
    static Object capture() {
        if (!everBound) {
            return null; // no TaskLocal bound yet in this JVM: skip the scoped-value lookup on every spawn
        }
        return BINDINGS.isBound() ? BINDINGS.get() : null;
    }

    /**
     * Set before {@link #BINDINGS} is first bound. A thread that sees the bindings bound got them
     * from the thread that bound them first (itself, or a parent through a spawn or a fork, which
     * happen-after the write), so it also sees this flag set.
     */
    private static volatile boolean everBound;

    /** Runs {@code body} under {@code base} (may be null) plus the bindings {@link #capture()} returned. */
    static void runWith(Object captured, ScopedValue.Carrier base, Runnable body) {
        Bindings.runWith((Bindings) captured, base, body);
    }

}
