package dev.weft.core.snippets;

// @start region="readme"
import dev.weft.core.Task;
import dev.weft.core.Weft;
import dev.weft.core.WeftRuntime;

import java.time.Duration;

public class ReadmeExample {
    public static void main(String[] args) throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().build()) {
            String both = rt.run(() -> {
                Task<String> a = Weft.spawn("a", () -> { Thread.sleep(Duration.ofMillis(100)); return "a"; });
                Task<String> b = Weft.spawn("b", () -> { Thread.sleep(Duration.ofMillis(100)); return "b"; });
                return a.join() + b.join();   // both sleep at once: ~100 ms, not 200
            });
            System.out.println(both);         // ab
        }
    }
}
// @end region="readme"
