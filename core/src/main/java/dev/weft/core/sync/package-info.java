/**
 * Channels and synchronisation primitives for tasks (virtual threads), after Tokio's
 * {@code sync} module. Every waiting operation parks the virtual thread through
 * {@link dev.weft.core.spi.Parking}, never its carrier; each has a timed form and throws
 * {@link java.lang.InterruptedException} when interrupted before or while it waits, losing no
 * data (see each method's "Cancel safety").
 *
 * {@snippet :
 * Channel<Integer> jobs = Channel.bounded(128);
 * Thread producer = Thread.ofVirtual().start(() -> {
 *     try (jobs) {
 *         for (int i = 0; i < 1000; i++) {
 *             jobs.send(i);                      // parks while 128 are buffered
 *         }
 *     } catch (InterruptedException e) {
 *         Thread.currentThread().interrupt();
 *     }
 * });
 * long sum = jobs.stream().mapToLong(Integer::longValue).sum(); // until closed and drained
 * }
 *
 * <ul>
 *   <li>{@link dev.weft.core.sync.Channel}: bounded or unbounded multi-producer multi-consumer
 *       FIFO, with {@link dev.weft.core.sync.Permit reservations} and select clauses;
 *   <li>{@link dev.weft.core.sync.Select}: commit exactly one of several clauses: a channel's
 *       receive or send, a oneshot's receive, a broadcast receiver's receive, a watch receiver's
 *       {@code onChanged}, a semaphore's {@code onAcquire}, a notify's {@code onNotified}, a
 *       cancellation token's {@code onCancelled} (and, in module {@code structured}, timers and
 *       task completion); a clause that loses takes nothing;
 *   <li>{@link dev.weft.core.sync.Oneshot}, {@link dev.weft.core.sync.Broadcast},
 *       {@link dev.weft.core.sync.Watch}: one value, every value to every receiver, latest value;
 *   <li>{@link dev.weft.core.sync.Semaphore}, {@link dev.weft.core.sync.Notify},
 *       {@link dev.weft.core.sync.Barrier}, {@link dev.weft.core.sync.CancellationToken},
 *       {@link dev.weft.core.sync.OnceCell}.
 * </ul>
 *
 * <p>Channels, broadcasts and watches created with a name ({@code Channel.bounded("jobs", 64)})
 * report their depth, capacity, parked senders and receivers and (broadcast) lag to metrics
 * through {@link dev.weft.core.spi.NamedChannels} until they are closed.
 *
 * <p><b>Linearizability.</b> The non-parking operations of {@code Channel} (try-send, try-receive,
 * reservations and their permits, close, size), {@code Broadcast} (send, each receiver's
 * try-receive and close, receiver count, close) and {@code Semaphore} (try-acquire, returning or
 * forgetting permits, release, available permits, close) are linearizable: each takes effect at one
 * instant inside its call. The tests check this with Lincheck's model checker and stress mode
 * ({@code *LincheckTest}); the parking forms share the same critical sections.
 */
package dev.weft.core.sync;
