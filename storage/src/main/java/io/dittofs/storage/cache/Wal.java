package io.dittofs.storage.cache;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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
import java.util.zip.CRC32C;

/**
 * The write-ahead log: a sequence of memory-mapped {@link WalSegment}s. Each record is
 * <pre>
 *  0  magic u32 'DWAL'      4  total length u32 (header + data, 8-aligned)
 *  8  CRC-32C u32 of bytes 12..(48 + data length)
 * 12  type u8, 3 pad bytes 16  lsn u64   24 content id u64   32 offset (or size) u64
 * 40  data length u32, pad  48  data
 * </pre>
 * Each segment starts with a {@value #SEGMENT_HEADER}-byte header: magic 'DWSG', version, the
 * segment id and the first LSN it may hold. The record magic is stored last, so a record torn by
 * a crash fails its magic or checksum and ends the replay. Retired segment files are reused
 * (already allocated on disk); records left in them from their previous life are stale: they fail
 * the header's id, their LSN is below the header's base LSN or below the last LSN seen, which
 * ends the scan. After recovery appends go to a new segment, never behind a torn tail. Segments are recycled strictly oldest first, which keeps every record that
 * follows a surviving record alive too (replay order stays complete).
 *
 * <p>{@link #force} implements group commit: concurrent callers share one msync. When the log
 * is at its size limit, appends wait for the flusher to free the oldest segment (backpressure).
 * Thread-safe.
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
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final Path dir;
    private final long segmentSize;
    private final int maxSegments;
    private final Deque<WalSegment> segments = new ArrayDeque<>();
    private final Deque<java.nio.file.Path> spares = new ArrayDeque<>();
    private long nextSpareId;
    private final ReentrantLock appendLock = new ReentrantLock();
    private final Condition spaceFreed = appendLock.newCondition();
    private final ReentrantLock forceLock = new ReentrantLock();
    private final Runnable onPressure;
    private WalSegment current;
    private long nextLsn = 1;
    private volatile long durableLsn;
    /** A segment file was created or renamed into place since the directory was last forced. */
    private volatile boolean dirChanged;
    private final AtomicLong forces = new AtomicLong();
    /** Test hook run by the forcing caller under the group-commit lock, before it picks the LSN to cover. */
    volatile Runnable beforeForce = () -> { };
    private long nextSegmentId = 1;

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
        for (long id : ids) {
            WalSegment seg = WalSegment.open(dir, id, Math.max(segmentSize, Files.size(dir.resolve(WalSegment.name(id)))));
            segments.addLast(seg);
            lastLsn = scan(seg, out, lastLsn);
            nextSegmentId = id + 1;
        }
        nextLsn = lastLsn + 1;
        durableLsn = lastLsn;
        appendLock.lock();
        try {
            current = newSegment();
        } finally {
            appendLock.unlock();
        }
        return out;
    }

    /** Reads the valid records of a segment; stops at the first bad magic, length, order or checksum. */
    private static long scan(WalSegment seg, List<Replayed> out, long lastLsn) {
        MemorySegment m = seg.map;
        long pos = SEGMENT_HEADER;
        seg.writePos = pos;
        if (m.get(INT, 0) != SEGMENT_MAGIC || m.get(LONG, 8) != seg.id) {
            return lastLsn; // never initialised, or a reused file whose new header did not survive
        }
        long base = m.get(LONG, 16);
        lastLsn = Math.max(lastLsn, base - 1);
        while (pos + HEADER <= m.byteSize()) {
            if (m.get(INT, pos) != MAGIC) {
                break;
            }
            long total = m.get(INT, pos + 4) & 0xFFFF_FFFFL;
            long dataLen = m.get(INT, pos + 40) & 0xFFFF_FFFFL;
            if (total < HEADER || pos + total > m.byteSize() || HEADER + dataLen > total) {
                break;
            }
            if (m.get(INT, pos + 8) != crc(m, pos, (int) dataLen)) {
                break;
            }
            byte type = m.get(ValueLayout.JAVA_BYTE, pos + 12);
            long lsn = m.get(LONG, pos + 16);
            if (lsn <= lastLsn || type < WRITE || type > DELETE) {
                break;
            }
            out.add(new Replayed(seg, type, lsn, m.get(LONG, pos + 24), m.get(LONG, pos + 32), pos + HEADER, (int) dataLen));
            lastLsn = lsn;
            seg.lastLsn = lsn;
            pos += total;
        }
        seg.writePos = pos;
        return lastLsn;
    }

    private static int crc(MemorySegment m, long pos, int dataLen) {
        CRC32C c = new CRC32C();
        c.update(m.asSlice(pos + 12, HEADER - 12 + dataLen).asByteBuffer());
        return (int) c.getValue();
    }

    static long recordSize(long dataLen) {
        return (HEADER + dataLen + 7) & ~7L;
    }

    /**
     * Waits until a record of {@code dataLen} bytes fits without waiting (the current segment has
     * room or another segment may be started), asking the flusher to hurry meanwhile. Callers wait
     * here before taking any lock the flusher needs, then {@link #tryAppend}.
     */
    void awaitSpace(long dataLen) {
        long total = recordSize(dataLen);
        appendLock.lock();
        try {
            while (current.writePos + total > current.size() && segments.size() >= maxSegments) {
                onPressure.run();
                try {
                    spaceFreed.await(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new FsException(FsError.JUKEBOX, "interrupted while waiting for WAL space");
                }
            }
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Appends a record without ever waiting; {@code data} may be null for TRUNCATE/DELETE.
     * Returns null if the log is full (call {@link #awaitSpace} and try again).
     */
    Appended tryAppend(byte type, long contentId, long offset, MemorySegment data) {
        int dataLen = data == null ? 0 : (int) data.byteSize();
        long total = recordSize(dataLen);
        if (total > segmentSize) {
            throw new FsException(FsError.INVALID, "write of " + dataLen + " bytes exceeds the WAL segment size");
        }
        appendLock.lock();
        try {
            if (current.writePos + total > current.size()) {
                if (segments.size() >= maxSegments) {
                    return null;
                }
                current = newSegment();
            }
            WalSegment seg = current;
            long pos = seg.writePos;
            long lsn = nextLsn++;
            MemorySegment m = seg.map;
            if (dataLen > 0) {
                MemorySegment.copy(data, 0, m, pos + HEADER, dataLen);
            }
            m.set(INT, pos + 4, (int) total);
            m.set(ValueLayout.JAVA_BYTE, pos + 12, type);
            m.set(LONG, pos + 16, lsn);
            m.set(LONG, pos + 24, contentId);
            m.set(LONG, pos + 32, offset);
            m.set(INT, pos + 40, dataLen);
            m.set(INT, pos + 8, crc(m, pos, dataLen));
            m.set(INT, pos, MAGIC);
            seg.writePos = pos + total;
            seg.lastLsn = lsn;
            if (type == WRITE) {
                seg.liveBytes.addAndGet(dataLen);
            } else {
                seg.pendingChanges.incrementAndGet();
            }
            return new Appended(seg, pos + HEADER, lsn);
        } finally {
            appendLock.unlock();
        }
    }

    private WalSegment newSegment() {
        try {
            long id = nextSegmentId++;
            java.nio.file.Path spare = spares.pollFirst();
            WalSegment s = spare != null ? WalSegment.reuse(spare, dir, id, segmentSize) : WalSegment.open(dir, id, segmentSize);
            MemorySegment m = s.map;
            m.set(LONG, 8, id);
            m.set(LONG, 16, nextLsn); // records below this LSN are leftovers of the file's previous life
            m.set(INT, 4, 1);
            m.set(INT, 0, SEGMENT_MAGIC);
            s.writePos = SEGMENT_HEADER;
            // a stale record right behind the header must not look like this segment's first record
            m.set(INT, SEGMENT_HEADER, 0);
            segments.addLast(s);
            dirChanged = true; // its directory entry is durable only after the directory is forced
            return s;
        } catch (IOException e) {
            throw new FsException(FsError.NO_SPACE, "cannot create a WAL segment: " + e.getMessage(), e);
        }
    }

    /** The sequence number of the last appended record. */
    long lastLsn() {
        appendLock.lock();
        try {
            return nextLsn - 1;
        } finally {
            appendLock.unlock();
        }
    }

    /** Makes every record up to {@code lsn} durable; concurrent callers share one msync per segment. */
    void force(long lsn) {
        if (durableLsn >= lsn) {
            return;
        }
        forceLock.lock();
        try {
            if (durableLsn >= lsn) {
                return;
            }
            beforeForce.run();
            List<WalSegment> dirty = new ArrayList<>();
            long target;
            appendLock.lock();
            try {
                target = nextLsn - 1;
                for (WalSegment s : segments) {
                    if (s.lastLsn > durableLsn) {
                        dirty.add(s);
                    }
                }
            } finally {
                appendLock.unlock();
            }
            if (dirChanged) {
                dirChanged = false;
                forceDir();
            }
            for (WalSegment s : dirty) {
                s.force();
            }
            durableLsn = target;
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
        int n = 0;
        forceLock.lock(); // a concurrent force() must not msync a segment being unmapped
        appendLock.lock();
        try {
            while (segments.size() > 1 && segments.peekFirst() != current
                    && segments.peekFirst().liveBytes.get() == 0 && segments.peekFirst().pendingChanges.get() == 0) {
                WalSegment s = segments.pollFirst();
                try {
                    if (spares.size() < MAX_SPARES) {
                        java.nio.file.Path spare = dir.resolve("spare-" + (nextSpareId++) + ".seg");
                        s.retire(spare);
                        spares.addLast(spare);
                    } else {
                        s.delete();
                    }
                } catch (IOException e) {
                    throw new FsException(FsError.IO, "cannot remove WAL segment " + s.path, e);
                }
                n++;
            }
            if (n > 0) {
                spaceFreed.signalAll();
            }
        } finally {
            appendLock.unlock();
            forceLock.unlock();
        }
        return n;
    }

    int segmentCount() {
        appendLock.lock();
        try {
            return segments.size();
        } finally {
            appendLock.unlock();
        }
    }

    /** Group commits done so far (each forced every segment with records not yet durable). */
    long forces() {
        return forces.get();
    }

    /** Bytes of WRITE data in the log that have not reached the block store yet. */
    long liveBytes() {
        appendLock.lock();
        try {
            long n = 0;
            for (WalSegment s : segments) {
                n += s.liveBytes.get();
            }
            return n;
        } finally {
            appendLock.unlock();
        }
    }

    boolean underPressure() {
        return segmentCount() >= maxSegments - 1;
    }

    /** Unmaps every segment without forcing (crash simulation in tests). */
    void abandon() {
        appendLock.lock();
        try {
            for (WalSegment s : segments) {
                s.close();
            }
            segments.clear();
        } finally {
            appendLock.unlock();
        }
    }

    @Override
    public void close() {
        appendLock.lock();
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
        } finally {
            appendLock.unlock();
        }
    }
}
