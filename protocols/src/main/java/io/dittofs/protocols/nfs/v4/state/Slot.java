package io.dittofs.protocols.nfs.v4.state;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * One slot of a session's fore channel with its reply cache entry (RFC 8881 section 2.10.6.1).
 * The slot's sequence id starts at 0, so the first request carries 1.
 *
 * <p>Thread-safety: guarded by this object's monitor; a slot serves one request at a time.
 */
public final class Slot {
    /** How a SEQUENCE's (slot, sequenceid) was classified. */
    public sealed interface Outcome {
    }

    /** A new request: execute it, then {@link Slot#complete} with the reply. */
    public record Execute(Slot slot) implements Outcome {
    }

    /** A retry of the last request: send this reply again verbatim. */
    public record Replay(MemorySegment reply) implements Outcome {
    }

    private final int maxCached;
    private int seqid;
    private boolean inProgress;
    private boolean cacheThis;
    private byte[] cached;
    private int cachedLen = -1;

    Slot(int maxCached) {
        this.maxCached = maxCached;
    }

    /**
     * Classifies a request on this slot.
     *
     * @throws StateException SEQ_MISORDERED, DELAY (the original is still running) or
     *                        RETRY_UNCACHED_REP (a retry of a request whose reply was not kept)
     */
    public synchronized Outcome begin(int sequenceId, boolean cacheThis) {
        if (sequenceId == seqid + 1 && !inProgress) {
            seqid = sequenceId;
            inProgress = true;
            this.cacheThis = cacheThis;
            cachedLen = -1;
            return new Execute(this);
        }
        if (sequenceId == seqid) {
            if (inProgress) {
                throw new StateException(StateError.DELAY);
            }
            if (cachedLen < 0) {
                throw new StateException(StateError.RETRY_UNCACHED_REP);
            }
            return new Replay(MemorySegment.ofArray(cached).asSlice(0, cachedLen));
        }
        throw new StateException(StateError.SEQ_MISORDERED);
    }

    /** Whether the client asked this request's reply to be cached (sa_cachethis). */
    public synchronized boolean cacheThis() {
        return cacheThis;
    }

    /**
     * The request is answered: its whole COMPOUND4res is kept for a retry when the client asked for
     * it (sa_cachethis) and it fits {@code ca_maxresponsesize_cached}; the slot's buffer is reused.
     */
    public synchronized void complete(MemorySegment reply) {
        inProgress = false;
        if (!cacheThis || reply.byteSize() > maxCached) {
            cachedLen = -1;
            return;
        }
        int len = (int) reply.byteSize();
        if (cached == null || cached.length < len) {
            cached = new byte[Math.max(len, Math.min(maxCached, 1024))];
        }
        MemorySegment.copy(reply, ValueLayout.JAVA_BYTE, 0, cached, 0, len);
        cachedLen = len;
    }

    /** The request ended without a reply to keep (e.g. the call was dropped): a retry re-executes nothing. */
    public synchronized void abandon() {
        inProgress = false;
        cachedLen = -1;
    }

    public synchronized int sequenceId() {
        return seqid;
    }
}
