package io.dittofs.protocols.smb;

/**
 * One byte-range lock an SMB open holds (MS-SMB2 3.3.1.10 Open.LockSequenceArray's ranges):
 * the range as the client sent it (unlock must name it exactly) and its normalized half-open
 * interval {@code [start, end)} of signed longs (offsets past 2^63 - 1 are clamped, as the core
 * lock manager does). A zero-length lock has {@code start == end} and conflicts with nothing.
 * Immutable; thread-safe.
 *
 * @param offset    offset as sent (unsigned)
 * @param length    length as sent (unsigned)
 * @param exclusive SMB2_LOCKFLAG_EXCLUSIVE_LOCK (else shared)
 */
public record ByteLock(long offset, long length, boolean exclusive) {
    /** First byte, clamped to {@code Long.MAX_VALUE - 1} for offsets past 2^63 - 1. */
    public long start() {
        return offset < 0 || offset == Long.MAX_VALUE ? Long.MAX_VALUE - 1 : offset;
    }

    /** Exclusive end: {@link #start()} for a zero-length lock, clamped to {@link Long#MAX_VALUE}. */
    public long end() {
        if (length == 0) {
            return start();
        }
        long e = offset + length;
        return offset < 0 || length < 0 || e < 0 ? Long.MAX_VALUE : e;
    }

    /** Whether the two (non-empty) ranges share a byte. */
    public boolean overlaps(long s, long e) {
        return start() < e && s < end();
    }
}
