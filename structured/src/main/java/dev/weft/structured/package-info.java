/**
 * Structured concurrency on Weft: scopes whose tasks cannot outlive them, the verbs
 * {@link dev.weft.structured.Structured#join join}, {@link dev.weft.structured.Structured#tryJoin tryJoin},
 * {@link dev.weft.structured.Structured#race race}, {@link dev.weft.structured.Structured#timeout timeout}
 * and a lossless {@link dev.weft.structured.Structured#select select}, and Tokio's
 * {@link dev.weft.structured.JoinSet JoinSet}.
 *
 * {@snippet file="dev/weft/structured/snippets/StructuredExample.java" region="example"}
 *
 * <p>Built on the JDK 25 {@code StructuredTaskScope} (a preview API: run with
 * {@code --enable-preview}); no JDK preview type appears in this package, so Weft can follow the
 * API as it changes in JDK 26 and 27. Every fork is a Weft task on the owner's runtime, and every
 * scope and fork has a name that the JDK's JSON thread dump
 * ({@code jcmd <pid> Thread.dump_to_file -format=json <file>}) shows as a tree of thread containers.
 *
 * <p><b>Fan-out.</b> Forks of a task start on the owner's carrier (local wake-ups, see
 * {@code docs/adr/0001-task-placement.md}) and spill to other carriers once it is busy. An owner
 * that is a task yields its carrier after every 64th fork, so the forks already queued run while
 * it keeps forking: a scope with thousands of forks then has only a few dozen alive at a time.
 * Cancellation finds the live forks in an owner-appended array rather than a concurrent set, so
 * this module adds no hashing to a fork. {@code java -jar weft-bench.jar fanout}
 * measures it against a raw {@code StructuredTaskScope} and Tokio's {@code JoinSet}
 * ({@code docs/BENCHMARKS.md}).
 *
 * <p>Interruption is cancellation: interrupting a thread that waits in any method here cancels
 * what it started, and the method returns only once that has ended.
 */
package dev.weft.structured;
