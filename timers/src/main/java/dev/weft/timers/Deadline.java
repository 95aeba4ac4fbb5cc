package dev.weft.timers;

import dev.weft.core.Task;
import dev.weft.core.Weft;
import dev.weft.core.WeftRuntime;
import dev.weft.core.spi.RuntimeAccess;
import dev.weft.core.spi.RuntimeClock;
import dev.weft.core.spi.TimerHandle;
import dev.weft.timers.internal.Clocks;
import dev.weft.timers.internal.TimeoutScope;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;

/**
 * A point in time on a runtime's clock by which something must be done; deadlines nest.
 *
 * <pre>{@code
 * String body = Deadline.within(Deadline.after(Duration.ofSeconds(2)), () -> {
 *     var meta = Time.timeout(Duration.ofSeconds(5), this::fetchMeta);  // effectively 2 s at most
 *     return fetchBody(meta);                                          // shares what is left
 * });
 * }</pre>
 *
 * <p>A deadline is read on the clock of the runtime it was created in (a test clock's virtual
 * time inside a test runtime; the system clock outside any runtime), whatever thread reads it.
 *
 * <p><b>Nesting.</b> {@link #within(Deadline, Callable)} binds a current deadline for the body (a
 * {@link ScopedValue}, so it is also seen by {@code StructuredTaskScope} forks). The effective
 * deadline of a nested scope is the earlier of its own and its enclosing one: an inner timeout
 * never outlives an outer one. When the effective deadline passes, the thread is interrupted
 * (cancellation is interruption everywhere in Weft) and the innermost scope whose effective
 * deadline it was throws {@link TimeoutException}; the enclosing scope that owns that deadline
 * throws {@link TimeoutException} too when the exception (or any other) reaches it.
 *
 * <p>Immutable and thread-safe.
 */
public final class Deadline implements Comparable<Deadline> {
    /** What a thread runs under: its effective deadline and the timer that enforces it. */
    record Frame(Deadline effective, TimeoutScope owner) {}

    static final ScopedValue<Frame> CURRENT = ScopedValue.newInstance();

    private final RuntimeClock clock;
    private final long nanos;

    private Deadline(RuntimeClock clock, long nanos) {
        this.clock = clock;
        this.nanos = nanos;
    }

    /**
     * The deadline {@code timeout} from now on the current runtime's clock. A negative timeout
     * gives a deadline that has already passed; a huge one saturates (practically never).
     *
     * @throws NullPointerException if {@code timeout} is null
     */
    public static Deadline after(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        RuntimeClock clock = Clocks.clockHere();
        return new Deadline(clock, Clocks.plus(clock.nanoTime(), Clocks.saturatedNanos(timeout)));
    }

    /** The effective deadline of the enclosing {@link #within} scopes, if any. */
    public static Optional<Deadline> current() {
        return CURRENT.isBound() ? Optional.of(CURRENT.get().effective()) : Optional.empty();
    }

    /** The time left until this deadline; zero or negative once it has passed. */
    public Duration remaining() {
        return Duration.ofNanos(remainingNanos());
    }

    /** The time left in nanoseconds (negative once passed), saturated. */
    long remainingNanos() {
        return Clocks.minus(nanos, clock.nanoTime());
    }

    /** Whether this deadline has passed. */
    public boolean isExpired() {
        return remainingNanos() <= 0;
    }

    /** The earlier of this deadline and {@code other} (this one on a tie). */
    public Deadline min(Deadline other) {
        return compareTo(other) <= 0 ? this : other;
    }

    /** Orders by time left, so deadlines of different clocks compare sensibly. */
    @Override
    public int compareTo(Deadline other) {
        if (clock == other.clock) {
            long now = clock.nanoTime();
            return Long.compare(Clocks.minus(nanos, now), Clocks.minus(other.nanos, now));
        }
        return Long.compare(remainingNanos(), other.remainingNanos());
    }

    @Override
    public String toString() {
        return "Deadline[remaining=" + remaining() + "]";
    }

    /**
     * Runs {@code body} in the current thread under {@code deadline} (made no later than the
     * current deadline) and returns its result.
     *
     * <p>If the effective deadline passes while the body runs, the thread is interrupted: a
     * parking body wakes with {@link InterruptedException} (Weft's cancellation), and this method
     * throws {@link TimeoutException} whatever the body then did (its exception, if any, is the
     * cause). If the effective deadline has already passed on entry, the body is not run.
     * The interrupt this method sent is cleared before it returns or throws; an interrupt from
     * elsewhere (a {@link Task#cancel()} of the current task) is kept.
     *
     * <p>The body's own exceptions pass through unchanged when the deadline did not pass.
     *
     * @throws TimeoutException     if the effective deadline passed before the body ended
     * @throws NullPointerException if an argument is null
     * @throws java.util.concurrent.RejectedExecutionException if the current runtime is closed
     * @throws Exception            what {@code body} threw
     */
    public static <T> T within(Deadline deadline, Callable<T> body) throws Exception {
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(body, "body");
        Thread me = Thread.currentThread();
        Frame outer = CURRENT.isBound() ? CURRENT.get() : null;
        Frame frame;
        TimerHandle timer = null;
        boolean owner;
        Deadline effective = outer != null ? deadline.min(outer.effective()) : deadline;
        // The enclosing deadline comes first: its timer enforces this scope too.
        boolean reuseOuter = outer != null && outer.owner().thread() == me && outer.effective().compareTo(deadline) <= 0;
        // Passed already (for an enclosing one: also its timer run and its interrupt swallowed):
        // the body is not run.
        if (effective.isExpired() || reuseOuter && outer.owner().fired()) {
            throw new TimeoutException("deadline passed before the body started");
        }
        if (reuseOuter) {
            frame = outer;
            owner = false;
        } else {
            TimeoutScope scope = new TimeoutScope(me);
            frame = new Frame(effective, scope);
            owner = true;
            WeftRuntime rt = Clocks.timerRuntime();
            long at = Clocks.plus(RuntimeAccess.nanoTime(rt), effective.remainingNanos());
            timer = RuntimeAccess.schedule(rt, at, scope);
        }
        T result = null;
        Throwable thrown = null;
        try {
            result = ScopedValue.where(CURRENT, frame).call(body::call);
        } catch (Throwable t) {
            thrown = t;
        }
        boolean timedOut;
        if (owner) {
            timer.cancel();
            timedOut = frame.owner().finish();
            if (timedOut) {
                Thread.interrupted(); // ours: do not leak it to the caller
                Optional<Task<?>> task = Weft.currentTask();
                if (task.isPresent() && task.get().isCancelled()) {
                    me.interrupt(); // a real cancellation also happened: keep it
                }
            }
        } else {
            timedOut = frame.owner().fired();
        }
        if (timedOut) {
            TimeoutException e = new TimeoutException("deadline passed");
            if (thrown != null) {
                e.initCause(thrown);
            }
            throw e;
        }
        if (thrown != null) {
            throw Deadline.<RuntimeException>sneaky(thrown);
        }
        return result;
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E sneaky(Throwable t) throws E {
        throw (E) t;
    }
}
