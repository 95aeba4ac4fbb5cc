package dev.weft.structured.snippets;

// @start region="example"
import dev.weft.core.WeftRuntime;
import dev.weft.core.sync.Channel;
import dev.weft.structured.Clauses;
import dev.weft.structured.Scope;
import dev.weft.structured.Structured;
import dev.weft.structured.Tuple2;

import java.time.Duration;

public class StructuredExample {
    public static void main(String[] args) throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().carriers(2).build()) {
            String out = rt.run(() -> {
                // Both run at once; the result is typed.
                Tuple2<String, Integer> both = Structured.join(() -> "weft", () -> 42);
                // First success wins; the loser is cancelled and has ended on return.
                String fast = Structured.race(
                        () -> { Thread.sleep(Duration.ofSeconds(10)); return "slow"; },
                        () -> "fast");
                // A scope: forks cannot outlive it; a daemon fork does not keep it open.
                Channel<String> ticks = Channel.bounded(16);
                String picked;
                try (Scope scope = Scope.open("example")) {
                    scope.forkDaemon("ticker", () -> { while (true) { ticks.send("tick"); } });
                    // Lossless select: only the winning branch takes a message.
                    picked = Structured.select(ticks.onReceive(),
                            Clauses.after(Duration.ofSeconds(1)).map(d -> "timeout"));
                    scope.join();
                }
                return both.first() + both.second() + " " + fast + " " + picked;
            });
            System.out.println(out);   // weft42 fast tick
        }
    }
}
// @end region="example"
