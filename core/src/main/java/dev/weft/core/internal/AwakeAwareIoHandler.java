package dev.weft.core.internal;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoRegistration;

/**
 * Wraps a transport's {@link IoHandler} so that {@link #wakeup()} (an eventfd write, a syscall)
 * is skipped while the carrier is awake. Netty calls {@code wakeup()} for every task submitted
 * from a thread that is not the loop's, and a task mounted on the carrier is such a thread: each
 * channel write from a task would otherwise cost a syscall even though the carrier will run the
 * write in its next turn anyway.
 *
 * <p>Correctness is the same Dekker pair as the carrier's own queue: the carrier sets
 * {@code sleeping} before the handler checks for queued tasks and blocks; a submitter adds its
 * task before it reads {@code sleeping}. One of them sees the other.
 */
final class AwakeAwareIoHandler implements IoHandler {
    private final IoHandler delegate;
    private final Carrier carrier;

    AwakeAwareIoHandler(IoHandler delegate, Carrier carrier) {
        this.delegate = delegate;
        this.carrier = carrier;
    }

    @Override
    public void initialize() {
        delegate.initialize();
    }

    @Override
    public int run(IoHandlerContext context) {
        // What the events wake (a socket's reader, an accept, a ring completion) runs first in
        // the carrier's next turn; tasks the loop's own task queue wakes keep their place.
        carrier.processingIo = true;
        try {
            return delegate.run(context);
        } finally {
            carrier.processingIo = false;
        }
    }

    @Override
    public void prepareToDestroy() {
        delegate.prepareToDestroy();
    }

    @Override
    public void destroy() {
        delegate.destroy();
    }

    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        return delegate.register(handle);
    }

    @Override
    public void wakeup() {
        if (carrier.mayBeBlocked()) {
            delegate.wakeup();
        }
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return delegate.isCompatible(handleType);
    }
}
