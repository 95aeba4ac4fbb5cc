package dev.weft.timers;

/**
 * What an {@link Interval} does when {@link Interval#tick()} is called after one or more ticks
 * were due (Tokio's {@code MissedTickBehavior}). With period {@code p}, ticks scheduled at
 * {@code 0, p, 2p, ...} and a caller that comes back late at time {@code now}:
 *
 * <p>Example (compiled and run in the tests as {@code dev.weft.timers.snippets.TypeExamples}):
 * {@snippet :
 * Interval every = Time.interval(Duration.ofMillis(50)).missedTickBehavior(MissedTickBehavior.DELAY);
 * every.tick();                                       // the first tick is at once
 * Time.sleep(Duration.ofMillis(120));                 // two ticks missed
 * every.tick();                                       // at once, late
 * every.tick();                                       // DELAY: a full period later (BURST: at once)
 * }
 */
public enum MissedTickBehavior {
    /**
     * Tick as fast as possible until caught up: the missed ticks complete at once, then ticks
     * resume on the original schedule ({@code next = missed + p}). The default, as in Tokio.
     */
    BURST,
    /** Tick once now, then every {@code p} from now ({@code next = now + p}): the schedule shifts. */
    DELAY,
    /**
     * Tick once now, then on the next multiple of {@code p} of the original schedule
     * ({@code next = now + p - ((now - missed) % p)}): missed ticks are dropped.
     */
    SKIP
}
