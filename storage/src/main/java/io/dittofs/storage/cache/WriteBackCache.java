package io.dittofs.storage.cache;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.spi.BlockStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A write-back cache in front of a block store, with a memory-mapped write-ahead log
 * ({@link Wal}) in {@code options.dir()}:
 * <ul>
 *   <li>{@link #write} appends the data to the WAL and indexes it as a dirty range; the caller can
 *       acknowledge an UNSTABLE write right away.</li>
 *   <li>{@link #sync} forces the WAL (group commit: concurrent callers share one msync), which is
 *       what FILE_SYNC/DATA_SYNC writes and COMMIT wait for.</li>
 *   <li>{@link #read} reads the backing store and overlays the dirty ranges from the WAL, so reads
 *       always see the newest data.</li>
 *   <li>A background flusher copies dirty ranges to the backing store, syncs it, drops the ranges
 *       and recycles WAL segments oldest first. When the WAL is full, writers wait (backpressure);
 *       data is never dropped.</li>
 *   <li>On start the WAL is replayed in order (WRITE re-indexed, TRUNCATE/DELETE re-applied); a torn
 *       tail record fails its checksum and is discarded.</li>
 * </ul>
 * Memory: no clean data is kept (reads of clean data go to the backing store), so the cache's
 * footprint is the WAL's mapped segments, bounded by {@code segmentSize * maxSegments}, plus the
 * dirty-range index. Thread-safe.
 */
public final class WriteBackCache implements BlockStore {
    private static final Logger LOG = LoggerFactory.getLogger(WriteBackCache.class);

    /**
     * @param dir             where WAL segments live ({@code DITTOFS_CACHE_PATH})
     * @param segmentSize     bytes per segment (at least 2 MiB: a record holds up to 1 MiB of data)
     * @param maxSegments     the WAL's size limit in segments; writers wait beyond it
     * @param flushIntervalMs how often the flusher looks for dirty data when not woken
     */
    public record Options(Path dir, long segmentSize, int maxSegments, long flushIntervalMs) {
        public static Options defaults(Path dir) {
            return new Options(dir, 64L << 20, 16, 50);
        }
    }

    private final BlockStore backing;
    private final Wal wal;
    private final Options options;
    private final Map<Long, DirtyFile> files = new ConcurrentHashMap<>();
    private final ReentrantLock wakeLock = new ReentrantLock();
    private final Condition wake = wakeLock.newCondition();
    private final Thread flusher;
    private volatile boolean running = true;
    private volatile Throwable flushFailure;
    private final AtomicLong flushes = new AtomicLong();
    private final AtomicLong flushedBytes = new AtomicLong();

    /**
     * Counters for monitoring, read without stopping writers or the flusher.
     *
     * @param dirtyBytes   bytes written but not yet in the backing store (the WAL's live data)
     * @param walSegments  WAL segments on disk
     * @param walForces    WAL group commits (msync rounds) since start
     * @param flushes      files flushed to the backing store since start (one write run + sync each)
     * @param flushedBytes bytes written to the backing store by the flusher since start
     */
    public record Stats(long dirtyBytes, int walSegments, long walForces, long flushes, long flushedBytes) {
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
        this.flusher = Thread.ofPlatform().name("cache-flusher").daemon(true).start(this::flushLoop);
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
                case Wal.TRUNCATE -> {
                    // a size past what the backing store holds (a log from another store or an older
                    // version) drops nothing more than its largest size does: never fail the start on it
                    long size = Math.min(Math.max(0, r.offset()), backing.maxFileSize());
                    f.punch(size, Long.MAX_VALUE);
                    backing.truncate(r.contentId(), size);
                }
                case Wal.DELETE -> {
                    f.punch(0, Long.MAX_VALUE);
                    backing.delete(r.contentId());
                }
                default -> throw new IllegalStateException("record type " + r.type());
            }
        }
        files.values().removeIf(f -> f.extents.isEmpty());
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
            backing.read(contentId, offset, dst);
            // no dirty byte lies at or past 2^63 - 1: overlay only the part of dst below it
            f.overlay(offset, dst.asSlice(0, Math.min(dst.byteSize(), Long.MAX_VALUE - offset)));
        } finally {
            f.rw.readLock().unlock();
        }
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
        long lsn = changeAndLog(contentId, Wal.TRUNCATE, size);
        wal.force(lsn);
    }

    @Override
    public void delete(long contentId) {
        checkHealthy();
        changeAndLog(contentId, Wal.DELETE, 0);
    }

    /** Logs a TRUNCATE/DELETE and applies it to the index and the backing store, excluding a concurrent flush of the file. */
    private long changeAndLog(long contentId, byte type, long size) {
        while (true) {
            wal.awaitSpace(0);
            long lsn = tryChangeAndLog(contentId, type, size);
            if (lsn > 0) {
                return lsn;
            }
        }
    }

    /** One attempt of {@link #changeAndLog}; 0 if the log was full. */
    private long tryChangeAndLog(long contentId, byte type, long size) {
        DirtyFile f;
        while (true) {
            f = files.computeIfAbsent(contentId, k -> new DirtyFile());
            f.flushLock.lock();
            f.rw.writeLock().lock();
            if (!f.removed) {
                break;
            }
            f.rw.writeLock().unlock();
            f.flushLock.unlock();
        }
        try {
            Wal.Appended a = wal.tryAppend(type, contentId, size, null);
            if (a == null) {
                return 0;
            }
            f.punch(type == Wal.DELETE ? 0 : size, Long.MAX_VALUE);
            if (type == Wal.DELETE) {
                backing.delete(contentId);
            } else {
                backing.truncate(contentId, size);
            }
            return a.lsn();
        } finally {
            f.rw.writeLock().unlock();
            f.flushLock.unlock();
        }
    }

    @Override
    public void sync(long contentId) {
        checkHealthy();
        wal.force(wal.lastLsn());
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
        return new Stats(wal.liveBytes(), wal.segmentCount(), wal.forces(), flushes.get(), flushedBytes.get());
    }

    private void wakeFlusher() {
        wakeLock.lock();
        try {
            wake.signalAll();
        } finally {
            wakeLock.unlock();
        }
    }

    /**
     * The flusher is stopped by clearing {@link #running} and signalling it, never by an interrupt:
     * an interrupt landing inside a flush round makes the backing store's client abort the upload
     * in flight (the AWS SDK throws {@code SdkInterruptedException}), which looked like a store
     * failure and left the last writes only in the WAL.
     */
    private void stopFlusher() {
        running = false;
        wakeFlusher();
    }

    private void flushLoop() {
        while (running) {
            try {
                wakeLock.lock();
                try {
                    if (running) {
                        wake.await(options.flushIntervalMs(), TimeUnit.MILLISECONDS);
                    }
                } finally {
                    wakeLock.unlock();
                }
                if (!running) {
                    return; // close() runs the last round itself; a simulated crash runs none
                }
                flushAll();
            } catch (InterruptedException e) {
                if (!running) {
                    return;
                }
            } catch (RuntimeException | Error e) {
                flushFailure = e;
                LOG.error("cache flush failed; writes are refused until restart (the WAL keeps the data)", e);
                return;
            }
        }
    }

    /** One flush round over every file with dirty data, then recycling of the WAL's oldest segments. */
    synchronized void flushAll() {
        for (Map.Entry<Long, DirtyFile> en : files.entrySet()) {
            flushFile(en.getKey(), en.getValue());
        }
        if (wal.segmentCount() > 1) {
            wal.recycle();
        }
    }

    private void flushFile(long id, DirtyFile f) {
        f.flushLock.lock();
        try {
            List<DirtyFile.Extent> snap;
            f.rw.readLock().lock();
            try {
                snap = new ArrayList<>(f.extents.values());
            } finally {
                f.rw.readLock().unlock();
            }
            if (!snap.isEmpty()) {
                writeCoalesced(id, snap);
                backing.sync(id);
                long n = 0;
                for (DirtyFile.Extent e : snap) {
                    n += e.len();
                }
                flushes.incrementAndGet();
                flushedBytes.addAndGet(n);
            }
            f.rw.writeLock().lock();
            try {
                for (DirtyFile.Extent e : snap) {
                    if (f.extents.get(e.off()) == e) {
                        f.extents.remove(e.off());
                        e.seg().liveBytes.addAndGet(-e.len());
                    }
                }
                if (f.extents.isEmpty() && !f.removed) {
                    f.removed = true;
                    files.remove(id, f);
                }
            } finally {
                f.rw.writeLock().unlock();
            }
        } finally {
            f.flushLock.unlock();
        }
    }

    /** Largest run of adjacent dirty extents written to the backing store in one call. */
    private static final long MAX_RUN = 8L << 20;
    /** The flusher's buffer for joining runs; only the flushing thread uses it (flushAll is not concurrent). */
    private MemorySegment runBuffer;

    private MemorySegment runBuffer() {
        if (runBuffer == null) {
            runBuffer = java.lang.foreign.Arena.ofAuto().allocate(MAX_RUN, 64);
        }
        return runBuffer;
    }

    /**
     * Writes the extents (in offset order) to the backing store, joining runs of adjacent extents
     * into one write so a block store gets whole blocks instead of many small read-modify-writes.
     */
    private void writeCoalesced(long id, List<DirtyFile.Extent> extents) {
        int i = 0;
        while (i < extents.size()) {
            DirtyFile.Extent first = extents.get(i);
            int j = i + 1;
            long end = first.end();
            while (j < extents.size() && extents.get(j).off() == end && end - first.off() + extents.get(j).len() <= MAX_RUN) {
                end = extents.get(j).end();
                j++;
            }
            if (j == i + 1) {
                backing.write(id, first.off(), first.seg().map.asSlice(first.pos(), first.len()));
            } else {
                MemorySegment run = runBuffer().asSlice(0, end - first.off());
                for (int k = i; k < j; k++) {
                    DirtyFile.Extent e = extents.get(k);
                    MemorySegment.copy(e.seg().map, e.pos(), run, e.off() - first.off(), e.len());
                }
                backing.write(id, first.off(), run);
            }
            i = j;
        }
    }

    private void checkHealthy() {
        if (!running) {
            throw new FsException(FsError.IO, "cache closed");
        }
        if (flushFailure != null) {
            throw new FsException(FsError.IO, "cache flusher failed: " + flushFailure);
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
        stopFlusher();
        try {
            flusher.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        wal.abandon();
    }

    /** Flushes everything dirty, stops the flusher, closes the WAL and the backing store. */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        stopFlusher();
        try {
            flusher.join(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (flushFailure == null) {
                flushAll();
            }
        } finally {
            wal.close();
            backing.close();
        }
    }
}
