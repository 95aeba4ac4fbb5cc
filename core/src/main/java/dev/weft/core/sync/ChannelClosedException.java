package dev.weft.core.sync;

/**
 * Thrown by an operation on a closed channel: a send (the value that was not sent comes back in
 * {@link #getValue()}) or a receive once the channel is closed and drained. Unchecked, so loops
 * over channels read naturally; code branches on the type, never on the message.
 *
 * <p>Example (compiled and run in the tests as {@code dev.weft.core.snippets.TypeExamples}):
 * {@snippet :
 * Channel<String> ch = Channel.bounded(1);
 * ch.close();
 * try {
 *     ch.send("late");
 * } catch (ChannelClosedException e) {
 *     String back = (String) e.getValue();                   // "late": nothing is lost
 * }
 * }
 */
public class ChannelClosedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Object value;

    /** A closed-channel error for a receive (no value). */
    public ChannelClosedException() {
        this("channel closed", null);
    }

    /**
     * A closed-channel error for a send.
     *
     * @param value the value that was not sent, handed back to the caller
     */
    public ChannelClosedException(Object value) {
        this("channel closed", value);
    }

    /**
     * @param message a short stable message
     * @param value   the value that was not sent, or null
     */
    public ChannelClosedException(String message, Object value) {
        super(message, null, false, false);
        this.value = value;
    }

    /**
     * The value a send could not deliver, so no message is lost; null for a receive.
     *
     * @return the unsent value, or null
     */
    public Object getValue() {
        return value;
    }
}
