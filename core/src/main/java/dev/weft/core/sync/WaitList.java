package dev.weft.core.sync;

/**
 * An intrusive FIFO of {@link WaitNode}s with O(1) removal, so a waiter that gives up (interrupt,
 * deadline, a select won elsewhere) takes its node out at once instead of leaving garbage behind.
 * Not thread-safe: every call happens under the owning primitive's lock.
 */
final class WaitList {
    /**
     * The payload of a select registration that may only be decided when its primitive has
     * something for it in particular (a broadcast receiver with an unread value, a watch receiver
     * with an unseen version), so a wake-up cannot simply decide it.
     */
    @FunctionalInterface
    interface Offer {
        /**
         * Under the primitive's lock: if there is something to take, tries to win {@code waiter}
         * and takes it only if that won.
         *
         * @return false if there was nothing to take (stay registered); true otherwise (the
         *     waiter is decided, by this call or earlier: drop the registration)
         */
        boolean tryCommit(SelectWaiter waiter, int index);
    }

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

    /**
     * After a change that may concern every waiter (a send to every receiver, a close): decides
     * each plain waiter (payload not an {@link Offer}) with a null value so it wakes and re-checks,
     * and lets each {@link Offer} commit if it now can. Offers that still have nothing to take stay
     * registered, so a select parked on a receiver that another thread served first is not woken
     * in vain and loses nothing.
     */
    void wakeAll() {
        WaitNode n = head;
        while (n != null) {
            WaitNode next = n.next;
            if (n.payload instanceof Offer o) {
                if (o.tryCommit(n.waiter, n.index)) {
                    remove(n);
                }
            } else {
                remove(n);
                n.waiter.tryWin(n.index, null);
            }
            n = next;
        }
    }

    boolean isEmpty() {
        return head == null;
    }

    int size() {
        return size;
    }
}
