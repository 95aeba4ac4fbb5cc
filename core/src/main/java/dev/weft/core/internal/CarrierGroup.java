package dev.weft.core.internal;

import io.netty.channel.IoEventLoop;
import io.netty.channel.IoEventLoopGroup;
import io.netty.util.concurrent.AbstractEventExecutorGroup;
import io.netty.util.concurrent.DefaultPromise;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.Promise;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The carriers' event loops as one Netty {@link IoEventLoopGroup}, so bootstraps and channels use
 * them. The runtime owns the loops: shutting this group down through Netty's API is refused with
 * an exception saying to close the runtime instead.
 */
public final class CarrierGroup extends AbstractEventExecutorGroup implements IoEventLoopGroup {
    private final RuntimeCore runtime;
    private final AtomicInteger next = new AtomicInteger();
    private final Promise<?> termination = new DefaultPromise<Void>(GlobalEventExecutor.INSTANCE);

    CarrierGroup(RuntimeCore runtime) {
        this.runtime = runtime;
    }

    @Override
    public IoEventLoop next() {
        List<Carrier> cs = runtime.carriers();
        return cs.get(Math.floorMod(next.getAndIncrement(), cs.size())).loop;
    }

    @Override
    public Iterator<EventExecutor> iterator() {
        List<EventExecutor> loops = new ArrayList<>();
        for (Carrier c : runtime.carriers()) {
            loops.add(c.loop);
        }
        return loops.iterator();
    }

    @Override
    @Deprecated
    public io.netty.channel.ChannelFuture register(io.netty.channel.Channel channel, io.netty.channel.ChannelPromise promise) {
        return next().register(channel, promise);
    }

    void terminated() {
        termination.trySuccess(null);
    }

    private UnsupportedOperationException owned() {
        return new UnsupportedOperationException(
                "the event loops belong to Weft runtime '" + runtime.name + "': close the runtime instead");
    }

    @Override
    public boolean isShuttingDown() {
        return runtime.isClosed();
    }

    @Override
    public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
        throw owned();
    }

    @Override
    public Future<?> terminationFuture() {
        return termination;
    }

    @Override
    @Deprecated
    public void shutdown() {
        throw owned();
    }

    @Override
    public boolean isShutdown() {
        return runtime.isClosed();
    }

    @Override
    public boolean isTerminated() {
        return termination.isDone();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return termination.await(timeout, unit);
    }
}
