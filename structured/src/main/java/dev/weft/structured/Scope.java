package dev.weft.structured;

import dev.weft.structured.internal.ScopeCore;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;

/**
 * A named structured scope: forks started in it are Weft tasks that cannot outlive it. Built on
 * the JDK's {@code StructuredTaskScope} (which Weft keeps out of its API while it is a preview).
 *
 * {@snippet :
 * try (Scope scope = Scope.open("fetch-user")) {
 *     Fork<String> name = scope.fork("name", () -> loadName(id));
 *     Fork<Integer> age = scope.fork("age", () -> loadAge(id));
 *     scope.forkDaemon("heartbeat", () -> { while (true) { ping(); Thread.sleep(1000); } });
 *     scope.join();                 // waits for name and age; the heartbeat is then cancelled
 *     return name.resultNow() + " " + age.resultNow();
 * }                                 // close: every fork has ended
 * }
 *
 * <p><b>Semantics</b> (Ox's {@code supervised}, the JDK's default joiner):
 * <ul>
 *   <li>{@link #join()} waits for the <em>user</em> forks; daemon forks do not keep the scope
 *       open and are cancelled once the user forks are done.</li>
 *   <li>The first fork (user or daemon) that fails cancels the scope: its other forks are
 *       interrupted and {@code join} throws a {@link ForkFailedException}.</li>
 *   <li>Deadlines nest: a scope's deadline is its own timeout or the enclosing scope's deadline,
 *       whichever is earlier. When it passes every fork is interrupted, so sleeps, receives and
 *       I/O inside fail fast, and {@code join} throws {@link DeadlineExceededException}.</li>
 *   <li>Cancellation is structured: {@link #cancel()}, or the owner being interrupted in
 *       {@code join}, interrupts every fork, and scopes opened inside the forks are cancelled in
 *       turn, as are scopes the owner opened inside this one, also once their {@code join} has
 *       returned or thrown. {@link #close()} returns only when every fork has ended.</li>
 *   <li>A fork's failure cancels the scopes the owner has open inside this one, until
 *       {@code join} has thrown it: from then on the owner (neither interrupted nor cancelled, as
 *       with the JDK's {@code StructuredTaskScope}) may open scopes inside this one to recover,
 *       and they run. After a cancellation or the deadline, such scopes start cancelled.</li>
 *   <li>Cancellation is sticky for forks: once a fork's scope is cancelled (deadline passed, a
 *       fork failed, {@link #cancel()}, an enclosing scope cancelled; for daemon forks also the
 *       user forks being done) or the fork itself is {@linkplain Fork#cancel() cancelled}, every
 *       later wait of that fork that would block (a sleep, a channel send or receive, a Weft sync
 *       primitive, a socket read or write) throws its interruption exception
 *       ({@code InterruptedException}, {@code InterruptedIOException}) at once, even if the fork
 *       caught and ignored the interrupt that cancelled it; its interrupt status is set again at
 *       each such wait. Operations that complete without waiting (a ready channel) still succeed,
 *       and so do waits outside Weft (the JDK's {@code Thread.sleep}, locks): those see only the
 *       first interrupt. A fork ignoring cancellation in a loop of waits thus spins until it
 *       returns: end the fork when a wait throws.</li>
 *   <li>The owner is the thread that opened the scope; only it may fork, join and close. The
 *       enclosing scope is the innermost open scope of the opening thread, or the scope of the
 *       fork the thread runs in.</li>
 *   <li>The scope shows in the JDK's JSON thread dump as a thread container with its name, its
 *       forks' threads (named after the forks) inside it, nested scopes as children.</li>
 * </ul>
 *
 * <p><b>Thread safety and memory consistency:</b> {@link #cancel()}, {@link #isCancelled()},
 * {@link #name()} and {@link #remaining()} may be called from any thread; the other methods only
 * by the owner. Actions of the owner before a fork happen-before the fork's body; actions of every
 * fork happen-before the return of {@link #join()}.
 */
public final class Scope implements AutoCloseable {
    private final ScopeCore core;

    private Scope(ScopeCore core) {
        this.core = core;
    }

    /**
     * Opens a scope owned by the calling thread; its forks run on the caller's runtime (the
     * shared runtime when called outside one). Use it in try-with-resources.
     *
     * @param name the scope's name (thread dumps, errors)
     * @return the open scope
     * @throws IllegalArgumentException if {@code name} is blank
     * @throws NullPointerException     if {@code name} is null
     */
    public static Scope open(String name) {
        return new Scope(ScopeCore.open(name, ScopeCore.Policy.FAIL_FAST, null, null));
    }

    /**
     * Opens a scope with a time limit: when {@code timeout} (or an enclosing scope's earlier
     * deadline) has passed, the scope is cancelled and {@link #join()} throws
     * {@link DeadlineExceededException}. Measured on the runtime's clock.
     *
     * @param name    the scope's name
     * @param timeout the time limit; zero or negative: the deadline has already passed
     * @return the open scope
     * @throws NullPointerException if an argument is null
     */
    public static Scope open(String name, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        return new Scope(ScopeCore.open(name, ScopeCore.Policy.FAIL_FAST, timeout, null));
    }

    /**
     * Starts {@code body} as a user fork named {@code <scope>-<n>}. Never parks; an owner that is
     * a virtual thread (a Weft task) yields its carrier after every 64th fork, so that the forks
     * queued on that carrier start running while it goes on forking. If the scope is
     * already cancelled, the body does not run and the fork is {@link Fork.State#CANCELLED}.
     *
     * @param body what the fork runs
     * @return the fork's handle; its result is available after {@link #join()}
     * @throws WrongThreadException         if the caller does not own the scope
     * @throws IllegalStateException        if the scope is closed or already joined, or the caller
     *                                      is inside a {@code TaskLocal} (or {@code ScopedValue})
     *                                      binding made after the scope was opened: forks see the
     *                                      bindings the scope was opened with, so open it inside the
     *                                      binding instead
     * @throws java.util.concurrent.RejectedExecutionException if the runtime is closed
     */
    public <T> Fork<T> fork(Callable<? extends T> body) {
        return core.fork(null, body, false);
    }

    /**
     * Starts a named user fork; see {@link #fork(Callable)}.
     *
     * @param name the fork's name (its thread's name)
     * @param body what the fork runs
     * @return the fork's handle
     * @throws WrongThreadException  if the caller does not own the scope
     * @throws IllegalStateException if the scope is closed or already joined, or the caller is
     *                               inside a binding made after the scope was opened (see
     *                               {@link #fork(Callable)})
     */
    public <T> Fork<T> fork(String name, Callable<? extends T> body) {
        return core.fork(Objects.requireNonNull(name, "name"), body, false);
    }

    /**
     * Starts a daemon fork: it does not keep {@link #join()} waiting and is cancelled (interrupted)
     * once the user forks are done. Its failure still fails the scope.
     *
     * @param body what the fork runs
     * @return the fork's handle
     * @throws WrongThreadException  if the caller does not own the scope
     * @throws IllegalStateException if the scope is closed or already joined, or the caller is
     *                               inside a binding made after the scope was opened (see
     *                               {@link #fork(Callable)})
     */
    public <T> Fork<T> forkDaemon(Callable<? extends T> body) {
        return core.fork(null, body, true);
    }

    /**
     * Starts a named daemon fork; see {@link #forkDaemon(Callable)}.
     *
     * @param name the fork's name
     * @param body what the fork runs
     * @return the fork's handle
     * @throws WrongThreadException  if the caller does not own the scope
     * @throws IllegalStateException if the scope is closed or already joined, or the caller is
     *                               inside a binding made after the scope was opened (see
     *                               {@link #fork(Callable)})
     */
    public <T> Fork<T> forkDaemon(String name, Callable<? extends T> body) {
        return core.fork(Objects.requireNonNull(name, "name"), body, true);
    }

    /**
     * Parks until every user fork has ended (or the scope is cancelled), then cancels the daemon
     * forks. When it returns normally, cancelled daemon forks may still be ending: {@link #close()}
     * waits for them, and reports one that fails as it ends. Before it throws a failure, a cancellation or the deadline, it waits for
     * every fork (daemons too) to end, so that a fork failing in reaction to the cancellation (say,
     * one that catches the interrupt and throws its own exception) is among the suppressed
     * exceptions; a fork ended by the cancellation itself ({@code InterruptedException},
     * {@code CancellationException}, a nested scope's {@link DeadlineExceededException} and the
     * like) is cancelled, not failed, and not reported.
     * Once per scope.
     *
     * <p><b>Interruption:</b> interrupting the owner while it waits (or before) cancels the scope
     * and throws {@link InterruptedException} without waiting further; {@code close} then waits
     * for the forks.
     *
     * <p>An owner that is a platform thread spins for up to 50 µs before it blocks (as the JDK's
     * {@code SynchronousQueue} does on a multiprocessor): forks that return at once then cost it
     * no sleep and wake-up in the kernel. Virtual threads and tasks park at once.
     *
     * <p>An owner that is a task of the scope's runtime waits here (and in {@code close}) only on
     * that runtime, so under a test clock's auto-advance virtual time still moves for the forks
     * (their sleeps end, the scope's deadline passes).
     *
     * @throws InterruptedException       if the owner was interrupted
     * @throws ForkFailedException        for the first fork that failed (other failures suppressed)
     * @throws DeadlineExceededException  if the scope's deadline passed first
     * @throws CancellationException      if the scope was cancelled ({@link #cancel()}, or an
     *                                    enclosing scope was)
     * @throws WrongThreadException       if the caller does not own the scope
     * @throws IllegalStateException      if the scope is closed or already joined
     */
    public void join() throws InterruptedException {
        core.join();
    }

    /**
     * Cancels the scope from any thread: every fork is interrupted and scopes opened inside them
     * are cancelled in turn; {@link #join()} then throws {@link CancellationException}. Does not
     * wait. Idempotent; no effect once the scope completed.
     */
    public void cancel() {
        core.cancel();
    }

    /** Whether the scope was cancelled, failed or timed out (not: completed normally). Never blocks. */
    public boolean isCancelled() {
        return core.isCancelledAbnormally();
    }

    /** The scope's name. */
    public String name() {
        return core.name();
    }

    /**
     * The time left before this scope's deadline (its own or an enclosing one), on the runtime's
     * clock; empty if it has none. Zero once passed.
     */
    public Optional<Duration> remaining() {
        return Optional.ofNullable(core.remaining());
    }

    /**
     * Cancels whatever is still running (if {@link #join()} did not complete) and waits, without
     * being interruptible, until every fork has ended. Idempotent. An interrupt that arrives
     * meanwhile is kept as the thread's interrupt status.
     *
     * <p>After a {@code join} that returned normally, a daemon fork can still fail: it is cancelled
     * then, and may throw something other than an interruption as it ends (say, it catches the
     * interrupt and reports that its connection was lost). Nothing else would see that failure, so
     * {@code close} throws it, once every fork has ended and the scope is closed (in
     * try-with-resources after a body that threw, it is suppressed by the body's exception). A
     * daemon ended by the cancellation itself ({@code InterruptedException} and the like) is not
     * a failure.
     *
     * @throws ForkFailedException  for the first daemon fork that failed after a normal
     *                              {@code join} (the others suppressed); the scope is closed
     * @throws WrongThreadException if the caller does not own the scope
     * @throws IllegalStateException if a scope opened inside this one by its owner is still open:
     *                               it is cancelled and closed with this one (after the forks of
     *                               both have ended)
     */
    @Override
    public void close() {
        core.close();
    }

    @Override
    public String toString() {
        return "Scope[" + core.name() + "]";
    }
}
