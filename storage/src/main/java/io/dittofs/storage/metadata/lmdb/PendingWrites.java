package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.Inode;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The size/mtime changes of WRITEs that {@link LmdbMetadataStore#noteWrite} accepted but no
 * LMDB transaction holds yet, one {@link Pending} per inode. Every transaction overlays them on
 * the inodes it reads ({@link LmdbTxn#get}), so they are visible at once; a write transaction
 * that read an inode with its overlay and then wrote or deleted it has persisted the overlay,
 * and {@link #persisted} drops it after the commit. A flush ({@link LmdbWriteTxn#applyPending})
 * writes all of them in one transaction.
 *
 * <p>An entry is only ever replaced by a merge that keeps what it held, and removed only if it is
 * still the very object that was persisted, so a WRITE noted while a transaction runs is never
 * lost. Commits and removals both happen on the store's writer thread, so no transaction ever
 * sees an entry that an earlier commit already persisted and overrode (a truncate).
 *
 * <p>Thread-safe.
 */
final class PendingWrites {

    /**
     * What WRITEs did to one inode since its last persisted state.
     *
     * @param minSize the size is at least this (the end of the furthest write)
     * @param timeNs  mtime and ctime of the latest write
     */
    record Pending(long minSize, long timeNs) {
        Inode applyTo(Inode n) {
            return n.withSize(Math.max(n.size(), minSize), timeNs, timeNs);
        }
    }

    private final ConcurrentHashMap<Long, Pending> map = new ConcurrentHashMap<>();
    /** Entries removed so far: a read whose LMDB snapshot predates a removal must run again. */
    private final AtomicLong removals = new AtomicLong();

    /** Notes a write of {@code id} up to {@code end} at {@code timeNs}; returns how many inodes are pending. */
    int note(long id, long end, long timeNs) {
        map.merge(id, new Pending(end, timeNs), (a, b) -> new Pending(Math.max(a.minSize, b.minSize), b.timeNs));
        return map.size();
    }

    /** The pending change of {@code id}, or null. */
    Pending get(long id) {
        return map.isEmpty() ? null : map.get(id);
    }

    boolean isEmpty() {
        return map.isEmpty();
    }

    int size() {
        return map.size();
    }

    /** A weakly consistent view for a flush. */
    Iterable<Map.Entry<Long, Pending>> entries() {
        return map.entrySet();
    }

    /** {@code p} of {@code id} is now in a committed transaction: forget it unless a later write replaced it. */
    void persisted(long id, Pending p) {
        if (map.remove(id, p)) {
            removals.incrementAndGet();
        }
    }

    /**
     * How many entries were removed so far. A reader takes it before its LMDB snapshot and checks
     * it after: if it moved, the snapshot may predate a commit whose change the reader then no
     * longer found here, and it could have seen a size smaller than an acknowledged write's end.
     */
    long removals() {
        return removals.get();
    }
}
