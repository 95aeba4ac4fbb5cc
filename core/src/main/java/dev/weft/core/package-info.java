/**
 * Weft's runtime: tasks are virtual threads scheduled by carriers, platform threads that each
 * drive one Netty event loop and one timer wheel.
 *
 * <pre>{@code
 * try (WeftRuntime rt = WeftRuntime.builder().build()) {
 *     String both = rt.run(() -> {
 *         Task<String> a = Weft.spawn("a", () -> { Thread.sleep(Duration.ofMillis(100)); return "a"; });
 *         Task<String> b = Weft.spawn("b", () -> { Thread.sleep(Duration.ofMillis(100)); return "b"; });
 *         return a.join() + b.join();   // both sleep at once: ~100 ms, not 200
 *     });
 * }
 * }</pre>
 * (The same code is {@code ReadmeExample} in the tests, compiled and run by the suite.)
 *
 * <h2>The types</h2>
 * <ul>
 *   <li>{@link dev.weft.core.WeftRuntime}: carriers, the blocking pool, spawn, run (Tokio's
 *       {@code block_on}), shutdown with a report.</li>
 *   <li>{@link dev.weft.core.Task}: the handle: join, cancel (interruption plus a mark), state.</li>
 *   <li>{@link dev.weft.core.Weft}: static spawn/yield for code inside a task, and the drop-in
 *       {@link java.util.concurrent.ExecutorService}.</li>
 *   <li>{@link dev.weft.core.TaskLocal}: values inherited by spawned tasks.</li>
 * </ul>
 *
 * <h2>Rules that follow from sharing carriers with event loops</h2>
 * A task never preempts: a loop that does not park starves its carrier's I/O and timers (call
 * {@link dev.weft.core.Weft#yieldNow()}, or use {@code spawnBlocking}). Blocking calls the JDK does
 * not turn into parks (file I/O, DNS through {@code InetAddress}, native calls) block the carrier:
 * use the {@code fs} module, Netty's resolver, or {@code spawnBlocking}.
 */
package dev.weft.core;
