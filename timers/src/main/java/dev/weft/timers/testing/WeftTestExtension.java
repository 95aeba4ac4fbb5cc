package dev.weft.timers.testing;

import dev.weft.core.Task;
import dev.weft.core.TaskFailedException;
import dev.weft.core.WeftRuntime;
import dev.weft.timers.TestClock;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * Gives a test method a {@link WeftRuntime} built on a fresh, paused {@link TestClock} (with
 * auto-advance unless {@link WeftTest#autoAdvance()} says otherwise), runs the body as a task of
 * it, and shuts the runtime down afterwards, cancelling the tasks the test left running. Used through {@link WeftTest}; also usable with
 * {@code @ExtendWith(WeftTestExtension.class)} on a plain {@code @Test} (defaults then apply).
 *
 * <pre>{@code
 * @WeftTest
 * void retriesAfterThirtySeconds(WeftRuntime rt) throws Exception {
 *     Time.sleep(Duration.ofSeconds(30));   // virtual: takes milliseconds
 * }
 * }</pre>
 *
 * <p>Each test gets its own clock and runtime: tests may run in parallel.
 */
public final class WeftTestExtension implements ParameterResolver, InvocationInterceptor, AfterEachCallback {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(WeftTestExtension.class);

    private record Env(TestClock clock, WeftRuntime runtime) {}

    /** Creates the extension (JUnit does). */
    public WeftTestExtension() {}

    private static WeftTest config(ExtensionContext ctx) {
        WeftTest t = ctx.getRequiredTestMethod().getAnnotation(WeftTest.class);
        return t != null ? t : Defaults.class.getDeclaredMethods()[0].getAnnotation(WeftTest.class);
    }

    private static final class Defaults {
        @WeftTest
        @SuppressWarnings("unused")
        void defaults() {}
    }

    private static Env env(ExtensionContext ctx) {
        return ctx.getStore(NS).getOrComputeIfAbsent("env", k -> {
            WeftTest cfg = config(ctx);
            TestClock clock = new TestClock();
            WeftRuntime rt = clock.newRuntime(WeftRuntime.builder()
                    .name("weft-test").carriers(cfg.carriers()).closeTimeout(Duration.ofSeconds(5)));
            clock.setAutoAdvance(cfg.autoAdvance());
            return new Env(clock, rt);
        }, Env.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext ctx) {
        Class<?> type = p.getParameter().getType();
        return type == WeftRuntime.class || type == TestClock.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext ctx) {
        Env env = env(ctx);
        return p.getParameter().getType() == WeftRuntime.class ? env.runtime() : env.clock();
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> call,
                                    ExtensionContext ctx) throws Throwable {
        WeftTest cfg = config(ctx);
        if (!cfg.inTask()) {
            invocation.proceed();
            return;
        }
        Env env = env(ctx);
        Throwable[] failure = new Throwable[1];
        Task<Void> task = env.runtime().spawn("test:" + ctx.getDisplayName(), () -> {
            try {
                invocation.proceed();
            } catch (Throwable t) {
                failure[0] = t;
            }
            return null;
        });
        try {
            task.join(Duration.ofSeconds(cfg.realTimeLimitSeconds()));
        } catch (TimeoutException stuck) {
            StringBuilder dump = new StringBuilder("@WeftTest body still running after " + cfg.realTimeLimitSeconds()
                    + " s of real time (virtual time holds still while a task waits for something other than"
                    + " time: I/O, a latch, a join without timeout, the blocking pool). Live tasks:");
            env.runtime().liveTaskInfos().forEach(i -> dump.append("\n  ").append(i));
            task.cancel();
            throw new AssertionError(dump.toString());
        } catch (TaskFailedException | CancellationException e) {
            throw e;
        }
        if (failure[0] != null) {
            throw failure[0];
        }
    }

    @Override
    public void afterEach(ExtensionContext ctx) {
        Env env = ctx.getStore(NS).remove("env", Env.class);
        if (env != null) {
            // Tasks the test left behind are cancelled at once (as dropping a Tokio runtime does),
            // not waited for: in virtual time a periodic task would never end by itself.
            env.runtime().shutdown(Duration.ZERO);
            env.clock().setAutoAdvance(false);
        }
    }
}
