package dev.weft.core.sync;

/**
 * An intrusive FIFO of {@link WaitNode}s with O(1) removal, so a waiter that gives up (interrupt,
 * deadline, a select won elsewhere) takes its node out at once instead of leaving garbage behind.
 * Not thread-safe: every call happens under the owning primitive's lock.
 */
final class WaitList {
    private WaitNode head;
    private WaitNode tail;
    private int size;

    void add(WaitNode n) {
        n.list = this;
        n.prev = tail;
        n.next = null;
        if (tail == null) {
            head = n;
        } else {
            tail.next = n;
        }
        tail = n;
        size++;
    }

    /** Removes and returns the first node, or null. */
    WaitNode poll() {
        WaitNode n = head;
        if (n != null) {
            remove(n);
        }
        return n;
    }

    WaitNode peek() {
        return head;
    }

    /** Removes {@code n} if it is still in this list; returns whether it was. */
    boolean remove(WaitNode n) {
        if (n.list != this) {
            return false;
        }
        if (n.prev == null) {
            head = n.next;
        } else {
            n.prev.next = n.next;
        }
        if (n.next == null) {
            tail = n.prev;
        } else {
            n.next.prev = n.prev;
        }
        n.prev = null;
        n.next = null;
        n.list = null;
        size--;
        return true;
    }

    boolean isEmpty() {
        return head == null;
    }

    int size() {
        return size;
    }
}
