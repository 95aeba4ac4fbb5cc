package dev.weft.core.sync;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A value set at most once, lazily, like Tokio's {@code OnceCell}. Concurrent
 * {@link #getOrInit(Callable)} calls run the initialiser once: the others park (the virtual thread,
 * not its carrier) until it finishes. If the initialiser fails, one of the waiters tries its own.
 *
 * {@snippet :
 * OnceCell<Config> config = new OnceCell<>();
 * Config c = config.getOrInit(() -> loadConfigFromDisk()); // loaded once, by one caller
 * }
 *
 * <p><b>Thread safety and memory consistency:</b> thread-safe; the initialisation (and
 * everything before a successful {@link #set}) happens-before every read that returns the value.
 *
 * @param <T> the value type
 */
public final class OnceCell<T> {
    private final ReentrantLock lock = new ReentrantLock();
    private final WaitList waiters = new WaitList();
    private volatile T value;
    private boolean initialising;

    /** An empty cell. */
    public OnceCell() {}

    /**
     * The value, if set; never parks.
     *
     * @return the value or empty
     */
    public Optional<T> get() {
        return Optional.ofNullable(value);
    }

    /**
     * Whether the value is set.
     *
     * @return true once set
     */
    public boolean isInitialized() {
        return value != null;
    }

    /**
     * Sets the value if the cell is empty and no initialiser is running; never parks.
     *
     * @param v the value, not null
     * @return {@code true} if this call set it
     * @throws NullPointerException if {@code v} is null
     */
    public boolean set(T v) {
        Objects.requireNonNull(v, "value");
        lock.lock();
        try {
            if (value != null || initialising) {
                return false;
            }
            value = v;
            wakeAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the value, running {@code init} in the calling thread first if the cell is empty and
     * no other initialiser is running; otherwise parks until the running one finishes.
     *
     * <p><b>Cancel safety:</b> an interrupt while parked throws with nothing changed. An interrupt
     * of the initialising thread is up to {@code init}: if it throws, the cell stays empty and a
     * waiter takes over.
     *
     * @param init computes the value; must not return null
     * @return the value
     * @throws InterruptedException if interrupted before or while waiting, or if {@code init} threw
     *                              it; a value already set is returned even to an interrupted
     *                              caller, whose interrupt status stays set (as {@code FutureTask.get})
     * @throws ExecutionException   if {@code init} threw any other exception (the cause, even
     *                              when it is itself an {@code ExecutionException}), or returned
     *                              null (cause: {@link NullPointerException}); the cell stays empty
     */
    public T getOrInit(Callable<? extends T> init) throws InterruptedException, ExecutionException {
        return doGetOrInit(Objects.requireNonNull(init, "init"), false, 0).orElseThrow();
    }

    /**
     * As {@link #getOrInit(Callable)}, parking at most {@code timeout} for another initialiser
     * (an initialiser run by this call is not interrupted by the timeout).
     *
     * @param init    computes the value
     * @param timeout how long to wait for another caller's initialiser
     * @return the value, or empty on timeout
     * @throws InterruptedException if interrupted before or while waiting, or if {@code init} threw it
     * @throws ExecutionException   if {@code init} failed
     */
    public Optional<T> getOrInit(Callable<? extends T> init, Duration timeout)
            throws InterruptedException, ExecutionException {
        return doGetOrInit(Objects.requireNonNull(init, "init"), true, Timeouts.deadline(timeout));
    }

    /**
     * Parks until the value is set (by another thread).
     *
     * @return the value
     * @throws InterruptedException if interrupted before or while waiting, unless the value is
     *                              already set: it is then returned and the interrupt status stays
     *                              set (as {@code FutureTask.get})
     */
    public T await() throws InterruptedException {
        try {
            return doGetOrInit(null, false, 0).orElseThrow();
        } catch (ExecutionException e) {
            throw new AssertionError(e); // no initialiser, cannot happen
        }
    }

    /**
     * As {@link #await()}, waiting at most {@code timeout}.
     *
     * @param timeout how long to wait
     * @return the value, or empty on timeout
     * @throws InterruptedException if interrupted before or while waiting
     */
    public Optional<T> await(Duration timeout) throws InterruptedException {
        try {
            return doGetOrInit(null, true, Timeouts.deadline(timeout));
        } catch (ExecutionException e) {
            throw new AssertionError(e); // no initialiser, cannot happen
        }
    }

    private Optional<T> doGetOrInit(Callable<? extends T> init, boolean timed, long deadline)
            throws InterruptedException, ExecutionException {
        T v = value;
        if (v != null) {
            return Optional.of(v);
        }
        Timeouts.checkInterrupt();
        for (;;) {
            WaitNode node;
            lock.lock();
            try {
                v = value;
                if (v != null) {
                    return Optional.of(v);
                }
                if (init != null && !initialising) {
                    initialising = true;
                    node = null;
                } else {
                    node = new WaitNode(new SelectWaiter(), 0, null);
                    waiters.add(node);
                }
            } finally {
                lock.unlock();
            }
            if (node == null) {
                return Optional.of(runInit(init));
            }
            SelectWaiter.Won won;
            try {
                won = node.waiter.await(timed, deadline);
            } catch (InterruptedException e) {
                unlink(node);
                throw e;
            }
            if (won == null) {
                unlink(node);
                v = value;
                return Optional.ofNullable(v);
            }
        }
    }

    private T runInit(Callable<? extends T> init) throws InterruptedException, ExecutionException {
        T v = null;
        try {
            v = init.call();
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            // an ExecutionException of init's own is wrapped too: the cause is always what init threw
            throw new ExecutionException(e);
        } finally {
            lock.lock();
            try {
                initialising = false;
                if (v != null) {
                    value = v;
                }
                // on success all waiters return the value; on failure they all retry and one
                // of them becomes the next initialiser
                wakeAll();
            } finally {
                lock.unlock();
            }
        }
        if (v == null) {
            throw new ExecutionException(new NullPointerException("initialiser returned null"));
        }
        return v;
    }

    private void wakeAll() {
        WaitNode n;
        while ((n = waiters.poll()) != null) {
            n.waiter.tryWin(0, null);
        }
    }

    private void unlink(WaitNode node) {
        lock.lock();
        try {
            waiters.remove(node);
        } finally {
            lock.unlock();
        }
    }
}
