package io.dittofs.storage.cache;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * The write-ahead log: a sequence of memory-mapped {@link WalSegment}s. Each record is
 * <pre>
 *  0  magic u32 'DWAL'      4  total length u32 (header + data, 8-aligned)
 *  8  CRC-32C u32 of bytes 12..(48 + data length)
 * 12  type u8, 3 pad bytes 16  lsn u64   24 content id u64   32 offset (or size) u64
 * 40  data length u32, pad  48  data
 * </pre>
 * Types: 1 WRITE (data: the bytes), 2 TRUNCATE (offset: the size), 3 DELETE, 4 PAD (skipped),
 * 5 DEALLOCATE (offset, data: the length as u64).
 * Each segment starts with a {@value #SEGMENT_HEADER}-byte header: magic 'DWSG', version, the
 * segment id and its base LSN; in version 2 a record's LSN is the base LSN plus its position, and
 * each new segment's base lies past every LSN of the segments before it. The record magic is
 * stored last, so a record torn by a crash fails its magic or checksum and ends the replay of
 * its segment. Retired segment files are reused (already allocated on disk); records left in
 * them from their previous life are stale: they fail the header's id or their LSN is not the new
 * base plus their position. After recovery appends go to a new segment, never behind a torn
 * tail. Segments are recycled strictly oldest first, which keeps every record that follows a
 * surviving record alive too (replay order stays complete).
 *
 * <p><b>Appends take no lock</b> (claim/commit, as in Agrona's ring buffers): an appender claims
 * a byte range of the current segment with a compare-and-set, copies and checksums its record
 * there, and commits it by storing the magic. Only moving to a new segment takes the roll lock.
 * Appenders announce themselves in one of two phase counters for the span of a claim; a
 * {@link #force} reads the claimed ends, flips the phase and waits for the old phase to drain
 * ({@link AppendPhases}), so
 * every record claimed before the force started is complete before the msync, and a forced
 * record is never stranded behind an unfinished one (replay stops at the first gap). A crash
 * between claim and commit leaves such a gap: its segment's replay ends there, like at a torn
 * tail; no record behind it was forced. {@link #force} is a group commit: concurrent callers
 * share one msync. When the log is at its size limit, appends wait for the flusher to free the
 * oldest segment (backpressure). Thread-safe.
 */
final class Wal implements AutoCloseable {
    static final int MAGIC = 0x4C415744; // "DWAL" little-endian
    static final int HEADER = 48;
    static final int SEGMENT_HEADER = 64;
    static final int SEGMENT_MAGIC = 0x47535744; // "DWSG" little-endian
    private static final int MAX_SPARES = 4;
    static final byte WRITE = 1;
    static final byte TRUNCATE = 2;
    static final byte DELETE = 3;
    /** Fills a claimed range whose copy failed; replay skips it. */
    static final byte PAD = 4;
    /** A hole punched at the offset; its data is the length, 8 bytes little-endian. */
    static final byte DEALLOCATE = 5;

    private final Path dir;
    private final long segmentSize;
    private final int maxSegments;
    /** Guarded by {@link #rollLock}. */
    private final Deque<WalSegment> segments = new ArrayDeque<>();
    private final Deque<Path> spares = new ArrayDeque<>();
    private long nextSpareId;
    /** Taken to start a new segment, recycle, list segments: never while copying a record. */
    private final ReentrantLock rollLock = new ReentrantLock();
    private final Condition spaceFreed = rollLock.newCondition();
    private final ReentrantLock forceLock = new ReentrantLock();
    private final Runnable onPressure;
    private volatile WalSegment current;
    private volatile int segmentCount;
    /** Base LSN of the next new segment; guarded by {@link #rollLock}. */
    private long nextBase = 1;
    /** Every record with an LSN below this is durable. */
    private volatile long durableEnd;
    /** Appenders count in for the span of a claim; forces and recycling wait for earlier ones. */
    private final AppendPhases phases = new AppendPhases();
    /** A segment file was created or renamed into place since the directory was last forced. */
    private volatile boolean dirChanged;
    private final AtomicLong forces = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    final GroupSizes groupSizes = new GroupSizes();
    /** Test hook run by the forcing caller under the group-commit lock, before it picks the LSN to cover. */
    volatile Runnable beforeForce = () -> { };
    /** Test hook run by an appender between claiming its range and copying into it, outside any lock. */
    volatile Runnable afterClaim = () -> { };
    private long nextSegmentId = 1;
    /** Set by close/abandon under {@link #rollLock}: no new segment is started after it. */
    private boolean closed;

    /** A record found by replay. {@code dataPos} is the data's offset inside {@code segment}. */
    record Replayed(WalSegment segment, byte type, long lsn, long contentId, long offset, long dataPos, int dataLen) {
    }

    /** Where an appended record landed. */
    record Appended(WalSegment segment, long dataPos, long lsn) {
    }

    Wal(Path dir, long segmentSize, int maxSegments, Runnable onPressure) {
        this.dir = dir;
        this.segmentSize = segmentSize;
        this.maxSegments = Math.max(2, maxSegments);
        this.onPressure = onPressure;
    }

    /** Opens the existing segments and returns every valid record in log order; then starts a fresh segment. */
    List<Replayed> recover() throws IOException {
        io.dittofs.storage.PrivateFiles.createDirectories(dir);
        List<Long> ids = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            s.forEach(p -> {
                String n = p.getFileName().toString();
                long id = WalSegment.parseId(n);
                if (id > 0) {
                    ids.add(id);
                } else if (n.startsWith("spare-") && n.endsWith(".seg")) {
                    spares.add(p);
                }
            });
        }
        nextSpareId = System.nanoTime();
        ids.sort(Long::compare);
        List<Replayed> out = new ArrayList<>();
        long lastLsn = 0;
        rollLock.lock();
        try {
            for (long id : ids) {
                WalSegment seg = WalSegment.open(dir, id, Math.max(segmentSize, Files.size(dir.resolve(WalSegment.name(id)))), -1);
                segments.addLast(seg);
                lastLsn = WalRecords.scan(seg, out, lastLsn);
                nextBase = Math.max(nextBase, seg.baseLsn + seg.size());
                nextSegmentId = id + 1;
            }
            nextBase = Math.max(nextBase, lastLsn + 1);
            current = newSegment();
            durableEnd = current.baseLsn + SEGMENT_HEADER;
        } finally {
            rollLock.unlock();
        }
        return out;
    }

    static long recordSize(long dataLen) {
        return (HEADER + dataLen + 7) & ~7L;
    }

    /**
     * Waits until a record of {@code dataLen} bytes fits without waiting (the current segment has
     * room or another segment may be started), asking the flusher to hurry meanwhile. Callers wait
     * here before taking any lock the flusher needs, then {@link #tryAppend}. Lock-free when it fits.
     */
    void awaitSpace(long dataLen) {
        long total = recordSize(dataLen);
        if (!full(total)) {
            return;
        }
        rollLock.lock();
        try {
            while (full(total)) {
                onPressure.run();
                try {
                    spaceFreed.await(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new FsException(FsError.JUKEBOX, "interrupted while waiting for WAL space");
                }
            }
        } finally {
            rollLock.unlock();
        }
    }

    private boolean full(long total) {
        WalSegment c = current;
        return c.claimedEnd() + total > c.size() && segmentCount >= maxSegments;
    }

    /**
     * Appends a record without ever waiting and without a lock (unless it starts a new segment);
     * {@code data} may be null for TRUNCATE/DELETE. Returns null if the log is full (call
     * {@link #awaitSpace} and try again).
     */
    Appended tryAppend(byte type, long contentId, long offset, MemorySegment data) {
        int dataLen = data == null ? 0 : (int) data.byteSize();
        long total = recordSize(dataLen);
        if (total > segmentSize - SEGMENT_HEADER) {
            throw new FsException(FsError.INVALID, "write of " + dataLen + " bytes exceeds the WAL segment size");
        }
        while (true) {
            WalSegment seg = current; // may be sealed meanwhile: then the claim fails and we roll or retry
            int p = phases.enter();
            try {
                long pos = seg.claim(total);
                if (pos >= 0) {
                    long lsn = seg.baseLsn + pos;
                    afterClaim.run();
                    WalRecords.write(seg.map, pos, total, type, lsn, contentId, offset, data);
                    if (type == WRITE) {
                        seg.liveBytes.addAndGet(dataLen);
                    } else {
                        seg.pendingChanges.incrementAndGet();
                    }
                    return new Appended(seg, pos + HEADER, lsn);
                }
            } finally {
                phases.exit(p);
            }
            if (!roll(seg)) {
                return null;
            }
        }
    }

    /**
     * Moves appends on from {@code full} to a new segment (unless another appender already did);
     * false if the log is at its limit. The sealed segment's pages are dropped from memory: its
     * data stays in the page cache and the file.
     */
    private boolean roll(WalSegment full) {
        rollLock.lock();
        try {
            if (closed) {
                throw new FsException(FsError.IO, "WAL closed");
            }
            if (current != full) {
                return true;
            }
            if (segmentCount >= maxSegments) {
                return false;
            }
            WalSegment next = newSegment();
            full.seal();
            current = next;
            full.unload();
            return true;
        } finally {
            rollLock.unlock();
        }
    }

    /** A fresh segment at the end of the list; rollLock held. */
    private WalSegment newSegment() {
        try {
            long id = nextSegmentId++;
            long base = nextBase;
            Path spare = spares.pollFirst();
            WalSegment s = spare != null ? WalSegment.reuse(spare, dir, id, segmentSize, base)
                    : WalSegment.open(dir, id, segmentSize, base);
            nextBase = base + s.size();
            WalRecords.writeHeader(s.map, id, base);
            segments.addLast(s);
            segmentCount = segments.size();
            dirChanged = true; // its directory entry is durable only after the directory is forced
            return s;
        } catch (IOException e) {
            throw new FsException(FsError.NO_SPACE, "cannot create a WAL segment: " + e.getMessage(), e);
        }
    }

    /** The sequence number of the last record claimed so far. */
    long lastLsn() {
        WalSegment c = current;
        return c.baseLsn + c.claimedEnd() - 1;
    }

    /**
     * Makes every record up to {@code lsn} durable, and every record claimed before the call;
     * concurrent callers share one msync per segment (group commit).
     */
    void force(long lsn) {
        groupSizes.arrived();
        if (lsn < durableEnd) {
            return;
        }
        forceLock.lock();
        try {
            if (lsn < durableEnd) {
                return;
            }
            beforeForce.run();
            groupSizes.forcing(); // before the snapshot below: whoever arrived by now is covered
            List<WalSegment> list;
            WalSegment cur;
            rollLock.lock();
            try {
                list = new ArrayList<>(segments);
                cur = current;
            } finally {
                rollLock.unlock();
            }
            long[] ends = new long[list.size()];
            for (int i = 0; i < ends.length; i++) {
                ends[i] = list.get(i).claimedEnd();
            }
            phases.quiesce(); // every range claimed below those ends is now a complete record
            if (dirChanged) {
                dirChanged = false;
                forceDir();
            }
            long target = durableEnd;
            for (int i = 0; i < ends.length; i++) {
                WalSegment s = list.get(i);
                if (ends[i] > s.forcedEnd) {
                    s.force();
                    s.forcedEnd = ends[i];
                }
                if (s == cur) {
                    target = s.baseLsn + ends[i];
                }
            }
            durableEnd = Math.max(durableEnd, target);
            forces.incrementAndGet();
        } finally {
            forceLock.unlock();
        }
    }

    /** fsync of the WAL directory: new segment files (and renames of recycled ones) survive a power loss. */
    private void forceDir() {
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            throw new FsException(FsError.IO, "cannot sync the WAL directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes the oldest segments whose data has all reached the block store, oldest first,
     * never the current one (all their data, truncates and deletes are in the backing store and
     * synced there, so their records are no longer needed). Returns how many were recycled.
     */
    int recycle() {
        forceLock.lock(); // a concurrent force() must not msync a segment being unmapped
        try {
            if (freeAtHead() == 0) {
                return 0;
            }
            phases.quiesce(); // appends still finishing a record in a sealed segment have counted it
            int n = 0;
            rollLock.lock();
            try {
                for (int k = freeAtHead(); k > 0; k--) {
                    retireOrDelete(segments.pollFirst());
                    n++;
                }
                segmentCount = segments.size();
                evictions.addAndGet(n);
                if (n > 0) {
                    spaceFreed.signalAll();
                }
            } finally {
                rollLock.unlock();
            }
            return n;
        } finally {
            forceLock.unlock();
        }
    }

    /** How many segments at the head are sealed and free (no live data, no pending change). */
    private int freeAtHead() {
        rollLock.lock();
        try {
            int k = 0;
            for (WalSegment s : segments) {
                if (s == current || !s.sealed() || s.liveBytes.get() != 0 || s.pendingChanges.get() != 0) {
                    break;
                }
                k++;
            }
            return k;
        } finally {
            rollLock.unlock();
        }
    }

    private void retireOrDelete(WalSegment s) {
        try {
            if (spares.size() < MAX_SPARES) {
                Path spare = dir.resolve("spare-" + (nextSpareId++) + ".seg");
                s.retire(spare);
                spares.addLast(spare);
            } else {
                s.delete();
            }
        } catch (IOException e) {
            throw new FsException(FsError.IO, "cannot remove WAL segment " + s.path, e);
        }
    }

    /**
     * Drops the pages of every segment but the current one from this process's resident set (the
     * flusher calls it after a round, having read what it flushed; the current one is dropped when
     * appends leave it): the WAL's memory then stays near one segment plus what was read since,
     * instead of every mapped segment. Data is unaffected (shared file mappings).
     */
    void releaseMemory() {
        rollLock.lock();
        try {
            for (WalSegment s : segments) {
                if (s != current) {
                    s.unload();
                }
            }
        } finally {
            rollLock.unlock();
        }
    }

    int segmentCount() {
        return segmentCount;
    }

    /** Segments recycled so far: all their data had reached the block store, so they left the cache. */
    long evictions() {
        return evictions.get();
    }

    /** Group commits done so far (each forced every segment with records not yet durable). */
    long forces() {
        return forces.get();
    }

    /** Bytes of WRITE data in the log that have not reached the block store yet. */
    long liveBytes() {
        rollLock.lock();
        try {
            long n = 0;
            for (WalSegment s : segments) {
                n += s.liveBytes.get();
            }
            return n;
        } finally {
            rollLock.unlock();
        }
    }

    boolean underPressure() {
        return segmentCount >= maxSegments - 1;
    }

    /** Unmaps every segment without forcing (crash simulation in tests); appends in flight may be cut short. */
    void abandon() {
        rollLock.lock();
        try {
            closed = true;
            current.seal();
            for (WalSegment s : segments) {
                s.close();
            }
            segments.clear();
            segmentCount = 0;
        } finally {
            rollLock.unlock();
        }
    }

    @Override
    public void close() {
        forceLock.lock();
        try {
            rollLock.lock();
            try {
                closed = true;
                current.seal();
            } finally {
                rollLock.unlock();
            }
            phases.quiesce();
            rollLock.lock();
            try {
                if (dirChanged) {
                    dirChanged = false;
                    forceDir();
                }
                for (WalSegment s : segments) {
                    s.force();
                    s.close();
                }
                segments.clear();
                segmentCount = 0;
            } finally {
                rollLock.unlock();
            }
        } finally {
            forceLock.unlock();
        }
    }
}
