package io.dittofs.protocols.nfs.v4.state;

import io.dittofs.protocols.nfs.v4.SlotRef;
import java.lang.foreign.MemorySegment;

/**
 * The slot a COMPOUND runs in, as the framework sees it: hands the finished reply to the slot's
 * reply cache, and tells later ops of the compound which session (and so which client) they serve.
 *
 * <p>Thread-safe: immutable; the slot guards itself.
 */
public record SessionSlot(Session session, Slot slot) implements SlotRef {
    @Override
    public void cacheReply(MemorySegment wholeCompoundReply) {
        slot.complete(wholeCompoundReply);
    }

    @Override
    public boolean cacheThis() {
        return slot.cacheThis();
    }

    @Override
    public int maxResponseSize() {
        return session.fore().maxResponseSize();
    }

    @Override
    public int maxResponseSizeCached() {
        return session.fore().maxResponseSizeCached();
    }
}
