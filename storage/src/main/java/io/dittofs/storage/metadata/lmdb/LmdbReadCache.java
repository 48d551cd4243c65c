package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.DirEntry;
import io.dittofs.core.Inode;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Committed inodes and directory entries of an {@link LmdbMetadataStore}, in memory, so that
 * GETATTR, ACCESS and LOOKUP of recently used objects need no LMDB transaction and no hop to a
 * reader thread. It holds only what LMDB holds: never a pending write change; a name a read
 * transaction found missing is held as {@link #ABSENT}, so a LOOKUP of a missing name (what a
 * client asks before each CREATE, and a compiler per include path) is answered here too. A commit
 * that adds the name overwrites the absence like any other change.
 *
 * <p><b>Consistency.</b> A sequence number works as a seqlock: the writer thread makes it odd
 * before an LMDB commit and even again after applying the commit's changes here
 * ({@link #commitBegins}, {@link #commitEnds}). A read served from here takes the number before
 * and checks it after; if it was odd or moved, the read runs again in LMDB. So every read sees
 * the state of one commit, and no read sees an older state than a read that finished before it
 * began. A reader that fills the cache from an LMDB transaction begun at an even number
 * {@code s} inserts only where nothing is cached, and takes its values back out if the number
 * moved from {@code s} meanwhile (a commit may have changed them); a commit always overwrites.
 *
 * <p><b>Size.</b> Each map holds at most {@link #MAX} objects; beyond that an eighth of it is
 * dropped (in hash order, so about at random). Dropping is always safe.
 *
 * <p>Thread-safe.
 */
final class LmdbReadCache {
    /** Most inodes, and most directory entries, kept. */
    static final int MAX = 1 << 16;

    /** The value of a name known to be missing (compared by identity). */
    static final DirEntry ABSENT = new DirEntry("", 0, 0);

    /** A directory entry's key. */
    record Name(long dir, String name) {
    }

    private final ConcurrentHashMap<Long, Inode> inodes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Name, DirEntry> entries = new ConcurrentHashMap<>();
    private final AtomicLong seq = new AtomicLong();

    /** The current sequence number; odd while a commit is being applied. */
    long stamp() {
        return seq.get();
    }

    /** Whether what was read since {@code stamp} is the state of one commit. */
    boolean unchangedSince(long stamp) {
        return (stamp & 1) == 0 && seq.get() == stamp;
    }

    Inode inode(long id) {
        return inodes.get(id);
    }

    /** The cached entry, {@link #ABSENT} if the name is known missing, null if unknown. */
    DirEntry entry(long dir, String name) {
        return entries.get(new Name(dir, name));
    }

    // ------------------------------------------------------------ writer thread

    /** Writer thread, just before an LMDB commit: readers from now on go to LMDB. */
    void commitBegins() {
        seq.incrementAndGet();
    }

    /**
     * Writer thread, after the commit (or its failure; then both maps are null): applies the
     * changes (a null value is a removal) and lets readers back in.
     */
    void commitEnds(Map<Long, Inode> changedInodes, Map<Name, DirEntry> changedEntries) {
        try {
            if (changedInodes != null) {
                apply(inodes, changedInodes);
            }
            if (changedEntries != null) {
                apply(entries, changedEntries);
            }
        } finally {
            seq.incrementAndGet();
        }
    }

    private static <K, V> void apply(ConcurrentHashMap<K, V> map, Map<K, V> changes) {
        for (Map.Entry<K, V> e : changes.entrySet()) {
            if (e.getValue() == null) {
                map.remove(e.getKey());
            } else {
                map.put(e.getKey(), e.getValue());
            }
        }
        trim(map);
    }

    // ------------------------------------------------------------ readers filling the cache

    /** What an LMDB read transaction begun at {@code stamp} read; see the class comment. */
    void offer(long stamp, Map<Long, Inode> readInodes, Map<Name, DirEntry> readEntries) {
        if ((stamp & 1) != 0) {
            return;
        }
        if (readInodes != null) {
            offer(stamp, inodes, readInodes);
        }
        if (readEntries != null) {
            offer(stamp, entries, readEntries);
        }
    }

    private <K, V> void offer(long stamp, ConcurrentHashMap<K, V> map, Map<K, V> read) {
        for (Map.Entry<K, V> e : read.entrySet()) {
            V v = e.getValue();
            if (map.putIfAbsent(e.getKey(), v) == null && seq.get() != stamp) {
                map.remove(e.getKey(), v); // a commit may have changed it after our snapshot
                return;
            }
        }
        trim(map);
    }

    private static <K, V> void trim(ConcurrentHashMap<K, V> map) {
        if (map.size() <= MAX) {
            return;
        }
        int drop = MAX / 8;
        Iterator<K> it = map.keySet().iterator();
        while (drop-- > 0 && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    /** Objects cached now (for tests). */
    int size() {
        return inodes.size() + entries.size();
    }
}
