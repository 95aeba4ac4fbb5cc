package dev.weft.demos;

import dev.weft.core.TaskInfo;
import dev.weft.demos.ThreadDump.Container;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Live tasks arranged by the structured scopes their threads own: a task's scopes are the thread
 * containers its thread owns, a scope's tasks are the tasks whose threads are in it. Immutable
 * once built.
 */
final class TaskTree {
    /** A scope a task owns and the tasks forked in it. */
    record Scope(String name, List<TaskInfo> tasks) {
    }

    private final List<TaskInfo> roots;
    private final Map<Long, List<Scope>> scopesByTask;

    private TaskTree(List<TaskInfo> roots, Map<Long, List<Scope>> scopesByTask) {
        this.roots = roots;
        this.scopesByTask = scopesByTask;
    }

    /**
     * Arranges {@code tasks} (in the order given, kept among siblings) by {@code containers}.
     * Containers owned by no listed task are left out: their tasks are roots.
     */
    static TaskTree of(List<TaskInfo> tasks, List<Container> containers) {
        Map<Long, TaskInfo> byThread = new HashMap<>();
        Map<Long, Integer> order = new HashMap<>();
        for (TaskInfo t : tasks) {
            if (t.threadId() >= 0) {
                byThread.put(t.threadId(), t);
            }
            order.put(t.id(), order.size());
        }
        Map<Long, List<Scope>> scopes = new HashMap<>();
        Set<Long> forked = new HashSet<>();
        for (Container c : containers) {
            TaskInfo owner = byThread.get(c.owner());
            if (owner == null) {
                continue;
            }
            List<TaskInfo> children = new ArrayList<>();
            for (long tid : c.threads()) {
                TaskInfo child = byThread.get(tid);
                // a thread is in one container, never one it owns; the check keeps a torn dump a tree
                if (child != null && child != owner && forked.add(child.id())) {
                    children.add(child);
                }
            }
            children.sort((a, b) -> Integer.compare(order.get(a.id()), order.get(b.id())));
            scopes.computeIfAbsent(owner.id(), k -> new ArrayList<>()).add(new Scope(c.name(), List.copyOf(children)));
        }
        List<TaskInfo> roots = tasks.stream().filter(t -> !forked.contains(t.id())).toList();
        return new TaskTree(roots, scopes);
    }

    /** The tasks forked in no listed task's scope. */
    List<TaskInfo> roots() {
        return roots;
    }

    /** The scopes {@code task}'s thread owns (empty if none). */
    List<Scope> scopes(TaskInfo task) {
        return scopesByTask.getOrDefault(task.id(), List.of());
    }
}
