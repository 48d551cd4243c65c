package io.dittofs.storage.cache;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The dirty state of one file: non-overlapping extents, each pointing at the data of a WAL
 * record, newest data winning, and the TRUNCATE/DELETE changes logged but not yet applied to the
 * block store, in log order. Every surviving extent lies below the size of each change logged
 * after it (a change punches what it cuts), so applying the changes first and then writing the
 * extents gives the block store the logged result. {@code rw} guards both (readers overlay under
 * the read lock); {@code flushLock} keeps two flushes of this file apart. A file with neither
 * extents nor changes is {@link #removed} from the cache's table and must not be used.
 */
final class DirtyFile {
    /** Data at file offset {@code off}, {@code len} bytes, stored at {@code pos} in {@code seg}. */
    record Extent(long off, long len, WalSegment seg, long pos, long lsn) {
        long end() {
            return off + len;
        }
    }

    final ReentrantReadWriteLock rw = new ReentrantReadWriteLock();
    final ReentrantLock flushLock = new ReentrantLock();
    final NavigableMap<Long, Extent> extents = new TreeMap<>();
    /**
     * A logged TRUNCATE to {@code size}, DELETE (size 0) or DEALLOCATE of {@code [size, size +
     * length)} whose record lives in {@code seg}.
     */
    record Change(byte type, long size, long length, WalSegment seg) {
        Change(byte type, long size, WalSegment seg) {
            this(type, size, 0, seg);
        }
    }

    /** Changes not yet applied to the block store, oldest first; the flusher removes the ones it applied and synced. */
    final List<Change> changes = new ArrayList<>();
    /** Set under the write lock when the entry leaves the table. */
    boolean removed;

    /** Adds {@code e} over whatever it overlaps (caller holds the write lock; e's bytes are already counted live). */
    void insert(Extent e) {
        punch(e.off(), e.end());
        extents.put(e.off(), e);
    }

    /** Removes coverage of {@code [from, to)}, keeping the parts of extents outside it. Write lock held. */
    void punch(long from, long to) {
        List<Extent> hit = overlapping(from, to);
        for (Extent x : hit) {
            extents.remove(x.off());
            x.seg().liveBytes.addAndGet(-x.len());
            if (x.off() < from) {
                Extent left = new Extent(x.off(), from - x.off(), x.seg(), x.pos(), x.lsn());
                extents.put(left.off(), left);
                x.seg().liveBytes.addAndGet(left.len());
            }
            if (x.end() > to) {
                Extent right = new Extent(to, x.end() - to, x.seg(), x.pos() + (to - x.off()), x.lsn());
                extents.put(right.off(), right);
                x.seg().liveBytes.addAndGet(right.len());
            }
        }
    }

    /** Extents intersecting {@code [from, to)}, in offset order. A lock is held. */
    List<Extent> overlapping(long from, long to) {
        List<Extent> out = new ArrayList<>();
        Map.Entry<Long, Extent> before = extents.lowerEntry(from);
        if (before != null && before.getValue().end() > from) {
            out.add(before.getValue());
        }
        out.addAll(extents.subMap(from, true, to, false).values());
        return out;
    }

    boolean isClean() {
        return extents.isEmpty() && changes.isEmpty();
    }

    /** Where the block store's bytes stop counting: past the smallest pending truncate they read as zeros. A lock is held. */
    long zeroFrom() {
        long z = Long.MAX_VALUE;
        for (Change c : changes) {
            if (c.type() != Wal.DEALLOCATE) {
                z = Math.min(z, c.size());
            }
        }
        return z;
    }

    /**
     * Zeros the parts of {@code dst} (file bytes {@code [offset, offset + size)}, read from the
     * block store) that pending DEALLOCATEs punched, before dirty data is overlaid. Read lock held.
     */
    void zeroDeallocated(long offset, MemorySegment dst) {
        long end = offset + dst.byteSize();
        for (Change c : changes) {
            if (c.type() == Wal.DEALLOCATE) {
                long from = Math.max(offset, c.size());
                long to = Math.min(end, c.size() + c.length());
                if (from < to) {
                    dst.asSlice(from - offset, to - from).fill((byte) 0);
                }
            }
        }
    }

    /** The start of the first dirty byte at or after {@code offset}, or {@link Long#MAX_VALUE}. A lock is held. */
    long nextDirty(long offset) {
        Map.Entry<Long, Extent> before = extents.floorEntry(offset);
        if (before != null && before.getValue().end() > offset) {
            return offset;
        }
        Long after = extents.higherKey(offset);
        return after == null ? Long.MAX_VALUE : after;
    }

    /** The end of the dirty extent holding {@code pos}, or -1 if none does. A lock is held. */
    long dirtyEnd(long pos) {
        Map.Entry<Long, Extent> e = extents.floorEntry(pos);
        return e != null && e.getValue().end() > pos ? e.getValue().end() : -1;
    }

    /** Whether {@code [from, to)} is fully given by extents and pending truncates, so the block store need not be read. */
    boolean covers(long from, long to) {
        long limit = Math.min(to, zeroFrom());
        long pos = from;
        if (pos >= limit) {
            return true;
        }
        for (Extent x : overlapping(from, limit)) {
            if (x.off() > pos) {
                return false;
            }
            pos = Math.max(pos, x.end());
        }
        return pos >= limit;
    }

    /** Copies dirty data over {@code dst}, which holds file bytes {@code [offset, offset + size)}. Read lock held. */
    void overlay(long offset, MemorySegment dst) {
        long end = offset + dst.byteSize();
        for (Extent x : overlapping(offset, end)) {
            long from = Math.max(offset, x.off());
            long to = Math.min(end, x.end());
            MemorySegment.copy(x.seg().map, x.pos() + (from - x.off()), dst, from - offset, to - from);
        }
    }
}
