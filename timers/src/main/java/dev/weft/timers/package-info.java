/**
 * Time for Weft tasks (Tokio's {@code tokio::time}): {@link dev.weft.timers.Time#sleep sleep},
 * {@link dev.weft.timers.Time#timeout timeout}, nesting {@link dev.weft.timers.Deadline deadlines},
 * {@link dev.weft.timers.Interval intervals}, a {@link java.util.concurrent.ScheduledExecutorService}
 * on the timer wheels ({@link dev.weft.timers.Timers#newScheduledExecutor}), and a virtual
 * {@link dev.weft.timers.TestClock}.
 *
 * {@snippet :
 * try (WeftRuntime rt = WeftRuntime.builder().carriers(2).build()) {
 *     rt.run(() -> {
 *         Time.sleep(Duration.ofMillis(20));                      // parks on the carrier's wheel
 *         try {
 *             Time.timeout(Duration.ofMillis(50), () -> {
 *                 Time.sleep(Duration.ofSeconds(10));             // interrupted at 50 ms
 *                 return null;
 *             });
 *         } catch (TimeoutException e) {
 *             out.append("timed out\n");
 *         }
 *         String r = Deadline.within(Deadline.after(Duration.ofSeconds(1)), () ->
 *                 Time.timeout(Duration.ofSeconds(5), () -> "inner never outlives outer"));
 *         Interval every = Time.interval(Duration.ofMillis(10)).missedTickBehavior(MissedTickBehavior.SKIP);
 *         for (int i = 0; i < 3; i++) {
 *             every.tick();                                        // first tick at once
 *         }
 *         return null;
 *     });
 * }
 * }
 * (The same code is compiled and run as {@code dev.weft.timers.snippets.TimersExample} in the tests.)
 *
 * <h2>Where the time comes from</h2>
 * Every carrier owns a hierarchical timing wheel (O(1) arm and cancel, millisecond resolution,
 * never early) that its event loop fires between I/O and task runs. A sleeping task's virtual
 * thread parks and the wheel's timer unparks it: no carrier blocks, no timer thread exists.
 * The wheel reads the runtime's clock: the system clock, or a {@link dev.weft.timers.TestClock}.
 *
 * <h2>Cancellation</h2>
 * As everywhere in Weft, cancelling is interrupting. A {@code timeout} or {@code Deadline.within}
 * whose time is up interrupts its thread, and the body's waits end with
 * {@link java.lang.InterruptedException}; the scope then throws
 * {@link java.util.concurrent.TimeoutException}. A cancelled sleep's timer is removed at once.
 *
 * <h2>Virtual time: the pitfalls Tokio users hit, and what Weft does about them</h2>
 * <ul>
 *   <li><b>Auto-advance racing blocking work.</b> In Tokio, with time paused, the clock jumps as
 *   soon as the runtime has no ready task, even if a {@code spawn_blocking} job is about to send
 *   the message a task waits for; a timeout around that wait then fires "instantly" and the test
 *   fails or flakes (tokio-rs/tokio issues about {@code start_paused} and
 *   {@code spawn_blocking}). Weft's auto-advance jumps only when every live task is parked in a
 *   timed wait on a wheel, the carriers are idle and the blocking pool is idle and empty, checked
 *   twice in a row ~100 µs apart. A job on the blocking pool, a task waiting for I/O, a channel, a
 *   lock, a latch or a join without a time limit all hold time still.</li>
 *   <li><b>Real I/O with paused time.</b> In Tokio a timeout around a real socket read expires
 *   at once under auto-advance. In Weft a task parked in I/O is not a timed waiter, so time
 *   waits for the I/O (a timed I/O wait does count as timed, as it should: nothing else can wake
 *   it but the data).</li>
 *   <li><b>Waits outside Weft.</b> The JDK's own {@code Thread.sleep} and
 *   {@code LockSupport.parkNanos} are not seen as timed waits: they hold virtual time still and
 *   last their real duration. Use {@link dev.weft.timers.Time#sleep}; Weft's channels and
 *   synchronisers park through the wheel already.</li>
 *   <li><b>Threads that are not tasks.</b> A platform thread (the JUnit thread, a thread of some
 *   pool) that will wake a task is invisible to the runtime: if every task waits for time while
 *   such a thread is about to act, time may jump first. Run the test body as a task
 *   ({@link dev.weft.timers.testing.WeftTest} does) and put outside work on the blocking pool.</li>
 *   <li><b>Instants.</b> Virtual time moves {@link dev.weft.timers.Time#nanoTime()} and
 *   {@link dev.weft.timers.Deadline}s; {@link java.time.Instant#now()} stays the wall clock.</li>
 * </ul>
 * The rule, each pitfall and the tests that prove it are recorded in
 * {@code docs/adr/0002-test-clock-auto-advance.md}. {@link dev.weft.timers.TestClock} uses only
 * exported types in its API (it holds core's clock source rather than extending it), so it works
 * the same from a named module.
 *
 * <h2>Accuracy</h2>
 * A sleep is never early and, on the wheel's millisecond ticks, about 1 ms late at the median;
 * the tail depends on how busy the carrier is when the timer fires, since the woken task queues
 * behind the carrier's other runnable tasks. {@code java -jar weft-bench.jar timer-accuracy}
 * measures it next to {@code ScheduledThreadPoolExecutor} (figures in {@code docs/BENCHMARKS.md}).
 */
package dev.weft.timers;
