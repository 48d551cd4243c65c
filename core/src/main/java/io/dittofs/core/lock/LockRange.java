package io.dittofs.core.lock;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;

/**
 * A byte range as the protocols send it: an unsigned 64-bit offset and length, where a length of
 * 0 (NLM) or all ones (NFSv4 {@code NFS4_UINT64_MAX}) means "to the end of the file, however large
 * it grows". Internally a range is normalized to a half-open interval {@code [start(), end())} of
 * signed longs, clamped to {@link Long#MAX_VALUE} the way Linux clamps to {@code OFFSET_MAX}
 * (knfsd's {@code nfs4_transform_lock_offset}).
 *
 * <p>An explicit length whose end overflows 64 bits unsigned is rejected with
 * {@link FsError#INVALID} (RFC 7530 section 16.10.4: NFS4ERR_INVAL). Immutable and thread-safe.
 *
 * @param offset first byte (unsigned)
 * @param length number of bytes (unsigned); 0 or ~0 = to EOF
 */
public record LockRange(long offset, long length) {
    /** Value reported as the length of a range that runs to the end of the file. */
    public static final long TO_EOF = ~0L;

    public LockRange {
        if (length != 0 && length != TO_EOF && Long.compareUnsigned(length, ~offset) > 0) {
            throw new FsException(FsError.INVALID, "lock range offset " + Long.toUnsignedString(offset)
                + " + length " + Long.toUnsignedString(length) + " overflows 64 bits");
        }
    }

    /** Whether the range runs to the end of the file. */
    public boolean toEof() {
        return length == 0 || length == TO_EOF || end() == Long.MAX_VALUE;
    }

    /** First byte, clamped to {@code Long.MAX_VALUE - 1} so that the range is never empty. */
    public long start() {
        return offset < 0 || offset == Long.MAX_VALUE ? Long.MAX_VALUE - 1 : offset;
    }

    /** Exclusive end; {@link Long#MAX_VALUE} for a range to EOF or one reaching past 2^63 - 1. */
    public long end() {
        if (length == 0 || length == TO_EOF || length < 0) {
            return Long.MAX_VALUE;
        }
        long e = offset + length;
        return offset < 0 || e < 0 ? Long.MAX_VALUE : e;
    }

    /** The range {@code [start, end)} of normalized values as a protocol-facing range. */
    static LockRange ofNormalized(long start, long end) {
        return new LockRange(start, end == Long.MAX_VALUE ? TO_EOF : end - start);
    }
}
