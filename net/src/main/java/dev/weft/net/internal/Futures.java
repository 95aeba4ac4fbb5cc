package dev.weft.net.internal;

import dev.weft.core.spi.Parking;
import io.netty.util.concurrent.Future;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.function.BooleanSupplier;

/** Parks the calling task (or thread) until a Netty future completes. */
public final class Futures {
    private Futures() {}

    /**
     * Parks until {@code f} is done.
     *
     * @param deadline {@link Conduit#NO_DEADLINE} or a {@link Parking#nanoTime()} instant
     * @throws InterruptedIOException if the caller is interrupted first (status left set; {@code f} goes on)
     * @throws SocketTimeoutException if the deadline passes first ({@code f} goes on)
     * @throws IOException            if {@code f} failed: a {@code SocketException} whose cause is the failure
     */
    public static void await(Future<?> f, long deadline, String what) throws IOException {
        awaitDone(f, deadline, what);
        checkSuccess(f, what);
    }

    /**
     * Throws if the done future {@code f} failed.
     *
     * @throws IOException a {@code SocketException} whose cause is the failure
     */
    static void checkSuccess(Future<?> f, String what) throws IOException {
        if (!f.isSuccess()) {
            Throwable c = f.cause();
            java.net.SocketException e = new java.net.SocketException(what + " failed: " + Sockets.describe(c));
            e.initCause(c);
            throw e;
        }
    }

    /** Parks until {@code f} is done (success or failure); see {@link #await}. */
    public static void awaitDone(Future<?> f, long deadline, String what) throws IOException {
        awaitDone(f, deadline, what, () -> false);
    }

    /**
     * Parks until {@code f} is done or {@code abandon} says to stop waiting (it is asked before
     * every park; whoever makes it true must unpark the caller); see {@link #await}.
     *
     * @return whether {@code f} is done ({@code false}: abandoned first)
     */
    static boolean awaitDone(Future<?> f, long deadline, String what, BooleanSupplier abandon) throws IOException {
        if (!f.isDone()) {
            Thread me = Thread.currentThread();
            f.addListener(x -> Parking.unpark(me));
            while (!f.isDone()) {
                if (abandon.getAsBoolean()) {
                    return false;
                }
                if (me.isInterrupted()) {
                    throw new InterruptedIOException(what + " interrupted");
                }
                if (deadline == Conduit.NO_DEADLINE) {
                    Parking.park(f);
                } else {
                    long left = deadline - Parking.nanoTime();
                    if (left <= 0) {
                        throw new SocketTimeoutException(what + " timed out");
                    }
                    Waits.parkNanos(f, left);
                }
            }
        }
        return true;
    }
}
