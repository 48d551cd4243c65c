package io.dittofs.storage.cache;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One WAL segment: a fixed-size file mapped into memory as a {@link MemorySegment}. Appenders
 * {@link #claim} byte ranges with a compare-and-set on {@link #tail} (no lock), then fill them;
 * once the {@link Wal} moves on to a newer segment it {@link #seal}s this one, after which no
 * claim succeeds. A record's LSN is {@link #baseLsn} plus its position, so LSNs grow in log
 * order across segments. {@link #liveBytes} counts the bytes of its WRITE records that are still
 * dirty (not yet in the block store) and {@link #pendingChanges} its TRUNCATE/DELETE records not
 * yet applied to the block store and synced there, so the segment can be recycled when both are
 * zero.
 *
 * <p>Thread-safe for claims; the mapping stays valid until {@link #delete()}, {@link #retire} or
 * {@link #close()}, which the {@link Wal} calls only once no append can touch it.
 */
final class WalSegment {
    /** Set in {@link #tail} by {@link #seal}: larger than any segment, so every claim fails. */
    private static final long SEALED = 1L << 62;

    final long id;
    final Path path;
    final MemorySegment map;
    private final Arena arena;
    /** LSN of position 0: a record at position {@code p} has LSN {@code baseLsn + p}. */
    final long baseLsn;
    /** End of the claimed bytes, with {@link #SEALED} set once sealed. */
    private final AtomicLong tail = new AtomicLong(Wal.SEGMENT_HEADER);
    /** End of what the last force covered; only touched under the WAL's force lock. */
    long forcedEnd = Wal.SEGMENT_HEADER;
    final AtomicLong liveBytes = new AtomicLong();
    /** TRUNCATE/DELETE records of this segment that the block store has not yet applied and synced. */
    final AtomicInteger pendingChanges = new AtomicInteger();

    private WalSegment(long id, Path path, Arena arena, MemorySegment map, long baseLsn) {
        this.id = id;
        this.path = path;
        this.arena = arena;
        this.map = map;
        this.baseLsn = baseLsn;
    }

    /**
     * Creates (zero-filled, sparse) or opens an existing segment file of {@code size} bytes.
     * {@code baseLsn} is the LSN of position 0, or negative to take it from the file's header.
     */
    static WalSegment open(Path dir, long id, long size, long baseLsn) throws IOException {
        Path p = dir.resolve(name(id));
        Arena arena = Arena.ofShared();
        try (FileChannel ch = io.dittofs.storage.PrivateFiles.open(p, java.util.Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE))) {
            if (ch.size() < size) {
                ch.truncate(size);
                ch.write(java.nio.ByteBuffer.allocate(1), size - 1);
            }
            MemorySegment m = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            return new WalSegment(id, p, arena, m, baseLsn >= 0 ? baseLsn : WalRecords.headerBase(m, id));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Reuses a recycled segment file (its pages are allocated and likely cached, so appending does
     * not pay for block allocation again): renames it to {@code id}'s name and maps it. The caller
     * writes a fresh segment header; old records behind it are stale and replay skips them.
     */
    static WalSegment reuse(Path spare, Path dir, long id, long size, long baseLsn) throws IOException {
        java.nio.file.Files.move(spare, dir.resolve(name(id)), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return open(dir, id, size, baseLsn);
    }

    /** Unmaps and renames the file to {@code spare} for later {@link #reuse}. */
    void retire(Path spare) throws IOException {
        arena.close();
        java.nio.file.Files.move(path, spare, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static String name(long id) {
        return String.format("wal-%016x.seg", id);
    }

    static long parseId(String fileName) {
        if (!fileName.startsWith("wal-") || !fileName.endsWith(".seg") || fileName.length() != 4 + 16 + 4) {
            return -1;
        }
        try {
            return Long.parseUnsignedLong(fileName.substring(4, 20), 16);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    long size() {
        return map.byteSize();
    }

    /** Claims {@code total} bytes; returns their position, or -1 if they do not fit or the segment is sealed. */
    long claim(long total) {
        while (true) {
            long t = tail.get();
            if (t + total > map.byteSize()) {
                return -1;
            }
            if (tail.compareAndSet(t, t + total)) {
                return t;
            }
        }
    }

    /** Ends claiming here: every later claim fails. Idempotent. */
    void seal() {
        long t;
        do {
            t = tail.get();
        } while ((t & SEALED) == 0 && !tail.compareAndSet(t, t | SEALED));
    }

    /** Seals the segment with {@code end} as the end of its records (recovery: nothing is appended to old segments). */
    void sealAt(long end) {
        tail.set(end | SEALED);
        forcedEnd = end;
    }

    boolean sealed() {
        return (tail.get() & SEALED) != 0;
    }

    /** End of the bytes claimed so far (all of them once sealed). */
    long claimedEnd() {
        return tail.get() & ~SEALED;
    }

    /**
     * Drops the mapping's pages from this process's resident set ({@code madvise(MADV_DONTNEED)}
     * of a shared file mapping): the data stays in the file and the page cache, a later access
     * faults it back in, and a later msync still writes back what is dirty.
     */
    void unload() {
        map.unload();
    }

    /** msync of the mapping: everything appended so far reaches the storage device. */
    void force() {
        map.force();
    }

    /** Unmaps and removes the file (the segment must hold no live data). */
    void delete() throws IOException {
        arena.close();
        Files.deleteIfExists(path);
    }

    /** Unmaps without removing (shutdown). */
    void close() {
        arena.close();
    }
}
