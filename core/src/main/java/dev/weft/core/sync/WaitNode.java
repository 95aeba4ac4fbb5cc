package dev.weft.core.sync;

/**
 * One registration of a {@link SelectWaiter} in a primitive's wait list. Fields other than the
 * final ones are guarded by the owning primitive's lock.
 */
final class WaitNode {
    final SelectWaiter waiter;
    final int index;
    /** What the waiter offers (a value to send, a permit count), or null. */
    final Object payload;

    WaitNode prev;
    WaitNode next;
    WaitList list;

    WaitNode(SelectWaiter waiter, int index, Object payload) {
        this.waiter = waiter;
        this.index = index;
        this.payload = payload;
    }
}
