package dev.weft.core.snippets;

import dev.weft.core.ShutdownReport;
import dev.weft.core.Task;
import dev.weft.core.TaskFailedException;
import dev.weft.core.TaskInfo;
import dev.weft.core.WeftRuntime;
import dev.weft.core.sync.Channel;
import dev.weft.core.sync.ChannelClosedException;
import dev.weft.core.sync.Semaphore;
import dev.weft.core.sync.SemaphoreClosedException;

import java.time.Duration;
import java.util.List;

/** The examples in the class comments of dev.weft.core (compiled and run by TypeExamplesTest). */
public final class TypeExamples {
    private TypeExamples() {}

    /** {@code ShutdownReport}'s and {@code TaskInfo}'s example; returns the names of the cancelled tasks. */
    public static List<String> shutdownReport() throws Exception {
        WeftRuntime rt = WeftRuntime.builder().build();
        rt.spawn("forever", () -> {
            Thread.sleep(Long.MAX_VALUE);                          // interruptible: shutdown cancels it
            return null;
        });
        ShutdownReport report = rt.shutdown(Duration.ofMillis(100));
        for (TaskInfo t : report.cancelled()) {
            System.err.println("cancelled " + t.name() + " after " + t.age() + " at " + t.stack());
        }
        return report.cancelled().stream().map(TaskInfo::name).toList();
    }

    /** {@code TaskFailedException}'s example; returns what the handler saw. */
    public static String taskFailed() throws Exception {
        try (WeftRuntime rt = WeftRuntime.builder().build()) {
            Task<Integer> parse = rt.spawn("parse", () -> Integer.parseInt("x"));
            try {
                return "parsed " + parse.join();
            } catch (TaskFailedException e) {
                return e.taskName() + ": " + e.getCause().getClass().getSimpleName();
            }
        }
    }

    /** {@code ChannelClosedException}'s example; returns the value that came back. */
    public static String channelClosed() throws Exception {
        Channel<String> ch = Channel.bounded(1);
        ch.close();
        try {
            ch.send("late");
            return "sent";
        } catch (ChannelClosedException e) {
            return (String) e.getValue();                           // nothing is lost: the value comes back
        }
    }

    /** {@code SemaphoreClosedException}'s example; returns what the waiter saw. */
    public static String semaphoreClosed() throws Exception {
        Semaphore permits = new Semaphore(0);
        permits.close();                                           // wakes every waiter, refuses new ones
        try {
            permits.acquire();
            return "acquired";
        } catch (SemaphoreClosedException e) {
            return "closed";
        }
    }
}
