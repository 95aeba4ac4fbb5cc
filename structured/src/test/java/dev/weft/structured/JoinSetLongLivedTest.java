package dev.weft.structured;

import dev.weft.core.WeftRuntime;
import dev.weft.structured.internal.ScopeCore;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A join set may live as long as a server (Tokio's accept loop spawning each connection into one
 * {@code JoinSet} and reaping the ended ones), so it may start more than {@code Integer.MAX_VALUE}
 * tasks in its life. The count behind the default task names must not wrap: a wrapped count gave
 * negative indexes, and every spawn from then on threw ArrayIndexOutOfBoundsException.
 */
class JoinSetLongLivedTest {
    @AutoClose
    static final WeftRuntime rt = TestSupport.runtime();

    @Test
    void spawnKeepsWorkingPastIntMaxValueTasks() throws Exception {
        rt.run(() -> {
            // A set of this name opened before: its default names are kept (the shared table).
            new JoinSet<Integer>("server").close();
            try (JoinSet<Integer> set = new JoinSet<>("server")) {
                fastForwardTaskCount(set, Integer.MAX_VALUE);   // as after 2^31 - 1 tasks
                for (long i = Integer.MAX_VALUE; i < Integer.MAX_VALUE + 3L; i++) {
                    long n = i;
                    Fork<Integer> f = set.spawn(() -> 1);
                    assertEquals("server-" + n, f.name(), "task number " + n + " is named by its number");
                    assertEquals(new JoinResult.Success<>("server-" + n, 1), set.joinNext().orElseThrow());
                }
            }
            return null;
        });
    }

    /** Sets the set's count of tasks started, as if {@code count} tasks had been spawned. */
    private static void fastForwardTaskCount(JoinSet<?> set, long count) throws ReflectiveOperationException {
        Field coreField = JoinSet.class.getDeclaredField("core");
        coreField.setAccessible(true);
        ScopeCore core = (ScopeCore) coreField.get(set);
        Field countField = ScopeCore.class.getDeclaredField("forkCount");
        countField.setAccessible(true);
        if (countField.getType() == int.class) {
            countField.setInt(core, (int) count);
        } else {
            countField.setLong(core, count);
        }
    }
}
