package io.dittofs.storage.cache;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.ContentRegion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A write-back cache in front of a block store, with a memory-mapped write-ahead log
 * ({@link Wal}) in {@code options.dir()}:
 * <ul>
 *   <li>{@link #write} appends the data to the WAL and indexes it as a dirty range; the caller can
 *       acknowledge an UNSTABLE write right away.</li>
 *   <li>{@link #sync} forces the WAL (group commit: concurrent callers share one msync), which is
 *       what FILE_SYNC/DATA_SYNC writes and COMMIT wait for.</li>
 *   <li>{@link #truncate}, {@link #delete} and {@link #deallocate} (a hole) are logged and applied to the index at once, and to
 *       the block store too while it works; while it fails the flusher applies them later, so they
 *       are accepted like writes. Either way they stay in the WAL until the store synced them.</li>
 *   <li>{@link #read} reads the backing store (skipped when dirty data and pending truncates cover
 *       the range) and overlays the dirty ranges from the WAL, so reads always see the newest data.</li>
 *   <li>A background {@link Flusher} applies truncates/deletes and copies dirty ranges to the
 *       backing store, syncs it, drops the ranges and recycles WAL segments oldest first. A failing
 *       store is retried with capped exponential backoff, forever; when the WAL is full, writers
 *       wait (backpressure); data is never dropped.</li>
 *   <li>On start the WAL is replayed in order (WRITE re-indexed, TRUNCATE/DELETE made pending again);
 *       a torn tail record fails its checksum and is discarded.</li>
 * </ul>
 * Memory: no clean data is kept (reads of clean data go to the backing store). The WAL's
 * segments are mapped ({@code segmentSize * maxSegments} of address space) but not kept
 * resident: a segment's pages leave the process's resident set when appends move on to the next
 * segment, after the flusher has read what it flushes, and after every flusher round (the data
 * stays in the files and the page cache). What stays resident is about the current segment plus
 * the dirty-range index. Appends take no cache-wide lock: the WAL claims space with a
 * compare-and-set, and a file's dirty state is locked per file. Thread-safe.
 */
public final class WriteBackCache implements BlockStore {
    private static final Logger LOG = LoggerFactory.getLogger(WriteBackCache.class);
    /** The length in a DEALLOCATE record's data. */
    private static final ValueLayout.OfLong LEN = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * @param dir             where WAL segments live ({@code DITTOFS_CACHE_PATH})
     * @param segmentSize     bytes per segment (at least 2 MiB: a record holds up to 1 MiB of data)
     * @param maxSegments     the WAL's size limit in segments; writers wait beyond it
     * @param flushIntervalMs how often the flusher looks for dirty data when not woken
     * @param backoffBaseMs   the flusher's first wait after a failed round; doubled per further failure
     * @param backoffCapMs    the longest wait between retries of a failing block store
     */
    public record Options(Path dir, long segmentSize, int maxSegments, long flushIntervalMs, long backoffBaseMs,
                          long backoffCapMs) {
        /** Default retry backoff: 100 ms, doubling up to 30 s. */
        public Options(Path dir, long segmentSize, int maxSegments, long flushIntervalMs) {
            this(dir, segmentSize, maxSegments, flushIntervalMs, 100, 30_000);
        }

        /**
         * 64 MiB segments, at most 16 (1 GiB of log). 16 MiB x 64 kept even less resident but
         * appended 1 MiB records at about half the rate (WalBenchmark: new segment files, churn).
         */
        public static Options defaults(Path dir) {
            return new Options(dir, 64L << 20, 16, 50);
        }
    }

    private final BlockStore backing;
    private final Wal wal;
    private final Options options;
    private final Map<Long, DirtyFile> files = new ConcurrentHashMap<>();
    private final Flusher flusher;
    private volatile boolean running = true;

    /**
     * Counters for monitoring, read without stopping writers or the flusher.
     *
     * @param dirtyBytes   bytes written but not yet in the backing store (the WAL's live data)
     * @param walSegments  WAL segments on disk
     * @param walForces    WAL group commits (msync rounds) since start
     * @param flushes      files flushed to the backing store since start (one write run + sync each)
     * @param flushedBytes bytes written to the backing store by the flusher since start
     * @param flushErrors  failed flush rounds since start (each is retried)
     * @param failingSinceMs when the current flush failure began (epoch ms), 0 while flushing works
     * @param lastError    the latest flush failure's message ("" if none yet)
     * @param retryDelayMs the wait before the flusher's next retry while failing, else 0
     * @param evictions    WAL segments evicted since start: all their data had reached the backing
     *                     store, so the segment was recycled or deleted (the cache's unit of residency)
     * @param walGroupCounts group commits by how many force requests each served, per bucket of
     *                     {@link WriteBackCache#walGroupBounds()} (not cumulative; the last bucket is past the largest bound)
     * @param walGroupSum  force requests served by all group commits
     */
    public record Stats(long dirtyBytes, int walSegments, long walForces, long flushes, long flushedBytes,
                        long flushErrors, long failingSinceMs, String lastError, long retryDelayMs,
                        long evictions, long[] walGroupCounts, long walGroupSum) {
        /** Whether the flusher cannot currently reach the block store. */
        public boolean failing() {
            return failingSinceMs != 0;
        }
    }

    /** Upper bounds of the WAL group-size buckets in {@link Stats#walGroupCounts()}. */
    public static long[] walGroupBounds() {
        return GroupSizes.BOUNDS.clone();
    }

    /** Opens the cache: replays the WAL onto {@code backing}'s view, then starts the flusher. Owns {@code backing}. */
    public WriteBackCache(BlockStore backing, Options options) {
        if (options.segmentSize() < (2L << 20)) {
            throw new IllegalArgumentException("WAL segment size below 2 MiB");
        }
        this.backing = backing;
        this.options = options;
        this.wal = new Wal(options.dir(), options.segmentSize(), options.maxSegments(), this::wakeFlusher);
        try {
            replay(wal.recover());
        } catch (IOException e) {
            throw new FsException(FsError.IO, "cannot open the WAL in " + options.dir() + ": " + e.getMessage(), e);
        }
        this.flusher = new Flusher(backing, wal, files, options);
        flusher.start();
    }

    private void replay(List<Wal.Replayed> records) {
        long writes = 0;
        for (Wal.Replayed r : records) {
            DirtyFile f = files.computeIfAbsent(r.contentId(), k -> new DirtyFile());
            switch (r.type()) {
                case Wal.WRITE -> {
                    r.segment().liveBytes.addAndGet(r.dataLen());
                    f.insert(new DirtyFile.Extent(r.offset(), r.dataLen(), r.segment(), r.dataPos(), r.lsn()));
                    writes++;
                }
                case Wal.TRUNCATE, Wal.DELETE -> {
                    // a size past what the backing store holds (a log from another store or an older
                    // version) drops nothing more than its largest size does: never fail the start on it
                    long size = r.type() == Wal.DELETE ? 0 : Math.min(Math.max(0, r.offset()), backing.maxFileSize());
                    f.punch(size, Long.MAX_VALUE);
                    f.changes.add(new DirtyFile.Change(r.type(), size, r.segment()));
                    r.segment().pendingChanges.incrementAndGet();
                }
                case Wal.DEALLOCATE -> {
                    long len = r.dataLen() == Long.BYTES ? r.segment().map.get(LEN, r.dataPos()) : 0;
                    long off = Math.max(0, r.offset());
                    len = Math.max(0, Math.min(len, Long.MAX_VALUE - off));
                    f.punch(off, off + len);
                    f.changes.add(new DirtyFile.Change(r.type(), off, len, r.segment()));
                    r.segment().pendingChanges.incrementAndGet();
                }
                default -> throw new IllegalStateException("record type " + r.type());
            }
        }
        files.values().removeIf(DirtyFile::isClean);
        if (!records.isEmpty()) {
            LOG.info("WAL replay: {} records ({} writes), {} files with dirty data", records.size(), writes, files.size());
        }
    }

    /** The table entry of a file, locked for writing; never one that was removed meanwhile. */
    private DirtyFile lockForWrite(long id) {
        while (true) {
            DirtyFile f = files.computeIfAbsent(id, k -> new DirtyFile());
            f.rw.writeLock().lock();
            if (!f.removed) {
                return f;
            }
            f.rw.writeLock().unlock();
        }
    }

    @Override
    public void read(long contentId, long offset, MemorySegment dst) {
        checkHealthy();
        DirtyFile f = files.get(contentId);
        if (f == null) {
            backing.read(contentId, offset, dst);
            return;
        }
        f.rw.readLock().lock();
        try {
            // no dirty byte lies at or past 2^63 - 1: look only at the part of dst below it
            MemorySegment below = dst.asSlice(0, Math.min(dst.byteSize(), Long.MAX_VALUE - offset));
            long end = offset + below.byteSize();
            if (f.covers(offset, end)) {
                dst.fill((byte) 0); // all dirty or truncated: works while the block store is unreachable
            } else {
                backing.read(contentId, offset, dst);
                long zeroFrom = f.zeroFrom();
                if (zeroFrom < end) {
                    dst.asSlice(Math.max(zeroFrom, offset) - offset).fill((byte) 0); // truncated, not yet in the store
                }
                f.zeroDeallocated(offset, below); // punched, not yet in the store
            }
            f.overlay(offset, below);
        } finally {
            f.rw.readLock().unlock();
        }
    }

    /**
     * The backing store's region when the cache holds nothing of the file (no dirty range, no
     * pending truncate or delete); null otherwise, and {@link #read} overlays the cache's data.
     * A write that lands meanwhile is concurrent with the READ the region serves.
     */
    @Override
    public ContentRegion region(long contentId, long offset, long length) {
        checkHealthy();
        return files.get(contentId) == null ? backing.region(contentId, offset, length) : null;
    }

    /** Largest record payload: bigger writes are logged as several records. */
    static final long MAX_RECORD_DATA = 1L << 20;

    @Override
    public void write(long contentId, long offset, MemorySegment src) {
        checkHealthy();
        checkRange(offset, src.byteSize()); // before logging: the flusher could never store it
        for (long done = 0; done < src.byteSize(); done += MAX_RECORD_DATA) {
            long n = Math.min(MAX_RECORD_DATA, src.byteSize() - done);
            writeRecord(contentId, offset + done, src.asSlice(done, n));
        }
        if (wal.underPressure()) {
            wakeFlusher();
        }
    }

    private void writeRecord(long contentId, long offset, MemorySegment src) {
        while (true) {
            wal.awaitSpace(src.byteSize()); // never wait for space while holding a lock the flusher needs
            DirtyFile f = lockForWrite(contentId);
            try {
                Wal.Appended a = wal.tryAppend(Wal.WRITE, contentId, offset, src);
                if (a != null) {
                    f.insert(new DirtyFile.Extent(offset, src.byteSize(), a.segment(), a.dataPos(), a.lsn()));
                    return;
                }
            } finally {
                f.rw.writeLock().unlock();
            }
        }
    }

    @Override
    public void truncate(long contentId, long size) {
        checkHealthy();
        checkRange(size, 0);
        changeAndLog(contentId, Wal.TRUNCATE, size, true);
    }

    @Override
    public void delete(long contentId) {
        checkHealthy();
        changeAndLog(contentId, Wal.DELETE, 0, false);
    }

    /**
     * Logs a TRUNCATE/DELETE (forced if {@code force}) and applies it to the index, then to the
     * backing store while that works; the flusher applies it otherwise (before any data written
     * after it) and syncs it there before the record may be recycled.
     */
    private void changeAndLog(long contentId, byte type, long size, boolean force) {
        changeAndLog(contentId, type, size, 0, force);
    }

    /** {@link #changeAndLog(long, byte, long, boolean)}; a DEALLOCATE punches {@code [size, size + length)}. */
    private void changeAndLog(long contentId, byte type, long size, long length, boolean force) {
        long cut = type == Wal.DELETE ? 0 : size;
        long cutEnd = type == Wal.DEALLOCATE ? size + length : Long.MAX_VALUE;
        MemorySegment data = null;
        if (type == Wal.DEALLOCATE) {
            data = MemorySegment.ofArray(new byte[Long.BYTES]);
            data.set(LEN, 0, length);
        }
        while (true) {
            wal.awaitSpace(0);
            long lsn = 0;
            DirtyFile f = lockForWrite(contentId);
            try {
                Wal.Appended a = wal.tryAppend(type, contentId, size, data);
                if (a != null) {
                    f.punch(cut, cutEnd);
                    f.changes.add(new DirtyFile.Change(type, cut, length, a.segment()));
                    lsn = a.lsn();
                }
            } finally {
                f.rw.writeLock().unlock();
            }
            if (lsn > 0) {
                if (force) {
                    wal.force(lsn);
                }
                flusher.applyEagerly(contentId, f); // frees the space now while the store works
                return;
            }
        }
    }

    /**
     * Logs the hole (forced, like a truncate) and punches the dirty data it covers, so nothing
     * older is flushed over it; the block store gets it before any later data, now while it
     * works, else from the flusher. Reads zero the range meanwhile.
     */
    @Override
    public void deallocate(long contentId, long offset, long length) {
        checkHealthy();
        if (length < 0 || length > Long.MAX_VALUE - Math.max(0, offset)) {
            throw new FsException(FsError.INVALID, "range " + offset + "+" + length);
        }
        checkRange(offset, 0);
        if (length > 0) {
            changeAndLog(contentId, Wal.DEALLOCATE, offset, length, true);
        }
    }

    /** A reservation in the block store below (the WAL needs none: it waits for space instead of failing). */
    @Override
    public void allocate(long contentId, long offset, long length) {
        checkHealthy();
        backing.allocate(contentId, offset, length);
    }

    /** The earlier of the block store's next data and the next dirty byte (pending holes may still count as data). */
    @Override
    public long nextData(long contentId, long offset) {
        checkHealthy();
        DirtyFile f = files.get(contentId);
        if (f == null) {
            return backing.nextData(contentId, offset);
        }
        f.rw.readLock().lock();
        try {
            return Math.min(backing.nextData(contentId, offset), f.nextDirty(offset));
        } finally {
            f.rw.readLock().unlock();
        }
    }

    /** The first hole of the block store at or after {@code offset} that no dirty data covers. */
    @Override
    public long nextHole(long contentId, long offset) {
        checkHealthy();
        DirtyFile f = files.get(contentId);
        if (f == null) {
            return backing.nextHole(contentId, offset);
        }
        f.rw.readLock().lock();
        try {
            long pos = offset;
            while (true) {
                long hole = backing.nextHole(contentId, pos);
                long dirtyEnd = hole == Long.MAX_VALUE ? -1 : f.dirtyEnd(hole);
                if (dirtyEnd < 0) {
                    return hole;
                }
                pos = dirtyEnd;
            }
        } finally {
            f.rw.readLock().unlock();
        }
    }

    @Override
    public void sync(long contentId) {
        checkHealthy();
        wal.force(wal.lastLsn());
    }

    /**
     * The backing store's space for the file plus its data written but not flushed yet, at most
     * the larger of the two estimates (dirty data may overwrite bytes already below). A hole
     * punched here shows once the flusher has applied it below.
     */
    @Override
    public long spaceUsed(long contentId, long size) {
        long below = backing.spaceUsed(contentId, size);
        DirtyFile f = files.get(contentId);
        if (f == null) {
            return below;
        }
        long dirty = 0;
        f.rw.readLock().lock();
        try {
            for (DirtyFile.Extent e : f.extents.values()) {
                dirty += e.len();
            }
        } finally {
            f.rw.readLock().unlock();
        }
        return Math.min(below + dirty, Math.max(below, BlockStore.roundUpToSpaceUnit(size)));
    }

    /** Bytes of data written but not yet in the backing store. */
    public long dirtyBytes() {
        long n = 0;
        for (DirtyFile f : files.values()) {
            f.rw.readLock().lock();
            try {
                for (DirtyFile.Extent e : f.extents.values()) {
                    n += e.len();
                }
            } finally {
                f.rw.readLock().unlock();
            }
        }
        return n;
    }

    int walSegments() {
        return wal.segmentCount();
    }

    /** A snapshot of the monitoring counters; cheap (no walk over the dirty ranges). */
    public Stats stats() {
        return new Stats(wal.liveBytes(), wal.segmentCount(), wal.forces(), flusher.flushes(), flusher.flushedBytes(),
                flusher.errors(), flusher.failingSinceMs(), flusher.lastError(), flusher.retryDelayMs(),
                wal.evictions(), wal.groupSizes.counts(), wal.groupSizes.sum());
    }

    private void wakeFlusher() {
        flusher.wake();
    }

    /** One flush round by hand (tests); throws what the backing store threw. */
    void flushAll() {
        flusher.flushAll();
    }

    /** Whether the flusher thread runs (it must survive any failure of the backing store). */
    boolean flusherAlive() {
        return flusher.isAlive();
    }

    /** Test hook run under the WAL's group-commit lock before a force picks the records it covers. */
    void beforeWalForceForTest(Runnable hook) {
        wal.beforeForce = hook;
    }

    /** Test hook run by an appender after claiming its WAL range and before copying into it. */
    void afterWalClaimForTest(Runnable hook) {
        wal.afterClaim = hook;
    }

    private void checkHealthy() {
        if (!running) {
            throw new FsException(FsError.IO, "cache closed");
        }
    }

    @Override
    public long usedBytes() {
        return backing.usedBytes() + dirtyBytes();
    }

    @Override
    public long capacityBytes() {
        return backing.capacityBytes();
    }

    /**
     * The backing store's limit: the WAL records offsets and sizes as 64-bit values (any
     * non-negative {@code long}), and a write is only logged when the backing store can take it.
     */
    @Override
    public long maxFileSize() {
        return backing.maxFileSize();
    }

    /** Refuses a range that does not end at or below {@link #maxFileSize()} (offset + len, overflow-safe). */
    private void checkRange(long offset, long len) {
        long max = maxFileSize();
        if (offset < 0) {
            throw new FsException(FsError.INVALID, "negative offset " + offset);
        }
        if (len > max || offset > max - len) {
            throw new FsException(FsError.FILE_TOO_LARGE, "range " + offset + "+" + len + " past " + max);
        }
    }

    @Override
    public String kind() {
        return "wal+" + backing.kind();
    }

    /**
     * Simulates a crash for tests: stops the flusher and unmaps the WAL without flushing or
     * forcing anything (what the OS already has of the mapped pages stays in the files).
     */
    void abandonForTest() {
        running = false;
        flusher.stop(10_000);
        wal.abandon();
    }

    /** Flushes everything dirty, stops the flusher, closes the WAL and the backing store. */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        flusher.stop(30_000);
        try {
            flusher.flushAll();
        } catch (RuntimeException e) {
            LOG.warn("final cache flush to the {} block store failed; the WAL keeps the data and the next start flushes it",
                    backing.kind(), e);
        } finally {
            wal.close();
            backing.close();
        }
    }
}
