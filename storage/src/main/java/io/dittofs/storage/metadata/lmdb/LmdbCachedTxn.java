package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.DirEntry;
import io.dittofs.core.Inode;
import io.dittofs.core.spi.ReadOnlyMetadataTxn;

import java.util.List;

/**
 * A read transaction of {@link LmdbMetadataStore} served from its {@link LmdbReadCache} on the
 * caller's thread. Anything the cache cannot answer (an object not cached, an absent name, a
 * listing) marks the transaction as missed and ends the work with an exception; the store then
 * runs the work again in a real LMDB read transaction. Pending write changes are overlaid as in
 * {@link LmdbTxn#get}.
 *
 * <p>Not thread-safe: used by the thread running the work, and only while it runs.
 */
final class LmdbCachedTxn implements ReadOnlyMetadataTxn {
    /** Thrown to stop a work the cache cannot serve; no stack trace, shared. */
    private static final RuntimeException MISS = new RuntimeException("not cached", null, false, false) {
    };

    private final LmdbReadCache cache;
    private final PendingWrites pending;
    private boolean missed;
    private boolean active = true;

    LmdbCachedTxn(LmdbReadCache cache, PendingWrites pending) {
        this.cache = cache;
        this.pending = pending;
    }

    /** Whether the cache could not answer a call (even if the work swallowed the exception). */
    boolean missed() {
        return missed;
    }

    void end() {
        active = false;
    }

    private RuntimeException miss() {
        missed = true;
        return MISS;
    }

    private void checkActive() {
        if (!active) {
            throw new IllegalStateException("transaction has ended");
        }
    }

    @Override
    public Inode get(long id) {
        checkActive();
        Inode n = cache.inode(id);
        if (n == null) {
            throw miss();
        }
        PendingWrites.Pending p = pending.get(id);
        return p == null ? n : p.applyTo(n);
    }

    @Override
    public DirEntry lookup(long dir, String name) {
        checkActive();
        DirEntry e = cache.entry(dir, name);
        if (e == null) {
            throw miss();
        }
        return e == LmdbReadCache.ABSENT ? null : e;
    }

    @Override
    public List<DirEntry> list(long dir, long afterCookie, int max) {
        checkActive();
        throw miss();
    }

    @Override
    public boolean isEmpty(long dir) {
        checkActive();
        throw miss();
    }

    @Override
    public byte[] getXattr(long id, String name) {
        checkActive();
        throw miss();
    }

    @Override
    public List<String> listXattrs(long id) {
        checkActive();
        throw miss();
    }
}
