package io.dittofs.protocols.nfs.v4;

import java.lang.foreign.MemorySegment;

/**
 * The session slot a 4.1+ COMPOUND runs in, bound by SEQUENCE through
 * {@link CompoundContext#bindSlot}. After the compound the processor hands the encoded
 * {@code COMPOUND4res} to {@link #cacheReply}. Implementations are thread-safe.
 */
public interface SlotRef {
    /**
     * Called once after the compound ends with the whole encoded {@code COMPOUND4res}. The
     * segment is the reply buffer itself and valid only during the call: copy what you keep.
     */
    void cacheReply(MemorySegment wholeCompoundReply);

    /** The client's {@code sa_cachethis}. */
    boolean cacheThis();

    /** The session's {@code ca_maxresponsesize}: a longer reply is NFS4ERR_REP_TOO_BIG. */
    default int maxResponseSize() {
        return Integer.MAX_VALUE;
    }

    /** The session's {@code ca_maxresponsesize_cached}: a longer reply to cache is NFS4ERR_REP_TOO_BIG_TO_CACHE. */
    default int maxResponseSizeCached() {
        return Integer.MAX_VALUE;
    }
}
