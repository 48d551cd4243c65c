package io.dittofs.core.lock;

/**
 * A lock held by another owner that stands in the way of a request (NLM4 {@code nlm4_holder},
 * NFSv4 {@code LOCK4denied}). Immutable.
 *
 * @param owner  the holder
 * @param type   its mode
 * @param offset its first byte
 * @param length its length; {@link LockRange#TO_EOF} (all ones) when it runs to the end of file
 */
public record Conflict(LockOwner owner, LockType type, long offset, long length) {
    /** Whether the conflicting lock runs to the end of the file. */
    public boolean toEof() {
        return length == LockRange.TO_EOF;
    }
}
