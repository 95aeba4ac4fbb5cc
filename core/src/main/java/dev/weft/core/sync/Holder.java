package dev.weft.core.sync;

/** Shared instances of the stateless results. */
final class Holder {
    static final ReceiveResult.Empty<Object> EMPTY = new ReceiveResult.Empty<>();
    static final ReceiveResult.Closed<Object> CLOSED = new ReceiveResult.Closed<>();

    private Holder() {}
}
