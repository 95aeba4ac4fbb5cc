package dev.weft.fs.internal;

import dev.weft.core.Task;
import dev.weft.core.Weft;
import dev.weft.core.WeftRuntime;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CancellationException;

/**
 * Runs one file operation off the carrier: the calling task takes a permit from its runtime's
 * {@link Gate}, hands the job to the blocking pool and parks in {@code join}. Where the caller is
 * not a task (a plain thread, a blocking-pool job) the job runs right there.
 *
 * <h2>Implementation overview</h2>
 * <ol>
 *   <li>Where: a virtual thread that is a Weft task offloads; a platform thread runs the job
 *       itself (it may block, that is what platform threads are for); a carrier thread outside
 *       any task is refused, since the call would stall the event loop.</li>
 *   <li>The job never throws to the pool: its outcome (value or {@link Failure}) is the task's
 *       result, so nothing is reported as "failed and never joined" when the caller walked away,
 *       and the caller rethrows the job's own exception, unwrapped, with its JDK type.</li>
 *   <li>Cancellation: an interrupt of the waiting caller {@linkplain Op#abandon() abandons} the
 *       op and throws {@link InterruptedIOException} (interrupt status kept set, as the net module
 *       does). The pool thread is not interrupted (that would close a shared
 *       {@code FileChannel}); the job stops at its next chunk boundary.</li>
 * </ol>
 */
public final class Offload {
    private Offload() {}

    /** A file operation; runs on a blocking-pool thread (or on the caller, outside a runtime). */
    @FunctionalInterface
    public interface Job<T> {
        T run(Op op) throws IOException;
    }

    /** A job's exception, carried as the pool task's (successful) result. */
    private record Failure(Throwable error) {}

    /**
     * {@link #call(Job)} for clean-up (close): an interrupt already pending does not stop it from
     * starting (it is restored afterwards); one arriving while it runs lets the caller go while the
     * job finishes in the background.
     */
    public static <T> T callEvenIfInterrupted(Job<T> job) throws IOException {
        boolean wasInterrupted = Thread.interrupted();
        try {
            return call(new Op(), job);
        } finally {
            if (wasInterrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** {@link #call(Op, Job)} with a fresh op. */
    public static <T> T call(Job<T> job) throws IOException {
        return call(new Op(), job);
    }

    /**
     * Runs {@code job} off the carrier and returns its result.
     *
     * @throws InterruptedIOException if the caller was interrupted (cancelled) before or while
     *                                waiting; {@code op.abandoned()} says whether the job goes on
     *                                in the background; interrupt status stays set
     * @throws IOException            what the job threw, unchanged
     * @throws IllegalStateException  if called on a carrier thread outside a task
     */
    @SuppressWarnings("unchecked")
    public static <T> T call(Op op, Job<T> job) throws IOException {
        WeftRuntime rt = offloadRuntime();
        if (rt == null) {
            try {
                return job.run(op);
            } finally {
                op.finish();
                op.ended();
            }
        }
        Thread me = Thread.currentThread();
        if (me.isInterrupted()) {
            op.abandon();
            op.ended();
            throw new InterruptedIOException("file operation interrupted before it started (nothing was done)");
        }
        Gate gate = Gate.of(rt);
        op.gate = gate;
        try {
            gate.acquire();
        } catch (InterruptedException e) {
            op.abandon();
            op.ended();
            me.interrupt();
            throw new InterruptedIOException("file operation interrupted while queued for the blocking pool (nothing was done)");
        }
        Task<Object> task;
        try {
            task = rt.spawnBlocking(() -> runJob(gate, op, job));
        } catch (RuntimeException | Error e) {
            gate.release();
            op.abandon();
            op.ended();
            throw e;
        }
        Object result;
        boolean interrupted = false;
        while (true) {
            try {
                result = task.join();
                break;
            } catch (InterruptedException e) {
                if (op.abandon()) {
                    me.interrupt();
                    InterruptedIOException ie = new InterruptedIOException(
                            "file operation cancelled; the blocking job stops at its next chunk boundary");
                    ie.bytesTransferred = (int) Math.min(Integer.MAX_VALUE, op.progress());
                    throw ie;
                }
                // The job finished first: its result stands; wait the last microseconds for it.
                interrupted = true;
            } catch (CancellationException e) {
                // Only a runtime shutdown cancels pool jobs.
                op.abandon();
                InterruptedIOException ie = new InterruptedIOException("file operation cancelled: the runtime is shutting down");
                ie.initCause(e);
                throw ie;
            }
        }
        if (interrupted) {
            me.interrupt();
        }
        if (result instanceof Failure(Throwable error)) {
            switch (error) {
                case IOException io -> throw io;
                case RuntimeException re -> throw re;
                case Error err -> throw err;
                default -> throw new IOException(error);
            }
        }
        return (T) result;
    }

    private static Object runJob(Gate gate, Op op, Job<?> job) {
        gate.started();
        long t0 = System.nanoTime();
        Object r = null;
        try {
            r = job.run(op);
            return r;
        } catch (UncheckedIOException e) {
            gate.failures.increment();
            return new Failure(e.getCause());
        } catch (Throwable t) {
            gate.failures.increment();
            return new Failure(t);
        } finally {
            gate.poolOps.increment();
            gate.poolNanos.add(System.nanoTime() - t0);
            if (!op.finish()) {
                closeDropped(r);
            }
            op.ended();
            gate.ended();
        }
    }

    /**
     * Closes what a job opened for a caller that has walked away (cancelled while the job was
     * queued or running): an open file or directory stream nobody will ever close would keep its
     * descriptor until the garbage collector's cleaner runs, or, for a raw descriptor, forever.
     */
    private static void closeDropped(Object result) {
        if (result instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception ignored) {
                // nobody to tell: the caller has gone; the resource is released as far as it can be
            }
        }
    }

    /**
     * The runtime to offload to, or null to run on the caller.
     *
     * @throws IllegalStateException on a carrier thread outside a task
     */
    static WeftRuntime offloadRuntime() {
        Thread me = Thread.currentThread();
        boolean inTask = Weft.currentTask().isPresent();
        if (me.isVirtual()) {
            return inTask ? WeftRuntime.current() : null;
        }
        if (inTask) {
            return null;    // a blocking-pool job: this thread may block
        }
        WeftRuntime rt;
        try {
            rt = WeftRuntime.current();
        } catch (IllegalStateException notInRuntime) {
            return null;    // a plain platform thread
        }
        throw new IllegalStateException("file operation on carrier thread " + me.getName() + " of runtime " + rt.name()
                + ": it would stall the event loop; call it from a task (WeftRuntime.spawn) instead");
    }
}
