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
 * One WAL segment: a fixed-size file mapped into memory as a {@link MemorySegment}. Records are
 * appended at {@link #writePos}; {@link #liveBytes} counts the bytes of its WRITE records that
 * are still dirty (not yet in the block store) and {@link #pendingChanges} its TRUNCATE/DELETE
 * records not yet applied to the block store and synced there, so the segment can be recycled
 * when both are zero.
 *
 * <p>Appends are serialised by the {@link Wal}; the mapping stays valid until {@link #delete()}.
 */
final class WalSegment {
    final long id;
    final Path path;
    final MemorySegment map;
    private final Arena arena;
    /** Next append position; written under the WAL's append lock. */
    long writePos;
    /** Highest record sequence number in this segment. */
    volatile long lastLsn;
    final AtomicLong liveBytes = new AtomicLong();
    /** TRUNCATE/DELETE records of this segment that the block store has not yet applied and synced. */
    final AtomicInteger pendingChanges = new AtomicInteger();

    private WalSegment(long id, Path path, Arena arena, MemorySegment map) {
        this.id = id;
        this.path = path;
        this.arena = arena;
        this.map = map;
    }

    /** Creates (zero-filled, sparse) or opens an existing segment file of {@code size} bytes. */
    static WalSegment open(Path dir, long id, long size) throws IOException {
        Path p = dir.resolve(name(id));
        Arena arena = Arena.ofShared();
        try (FileChannel ch = io.dittofs.storage.PrivateFiles.open(p, java.util.Set.of(StandardOpenOption.CREATE,
                StandardOpenOption.READ, StandardOpenOption.WRITE))) {
            if (ch.size() < size) {
                ch.truncate(size);
                ch.write(java.nio.ByteBuffer.allocate(1), size - 1);
            }
            MemorySegment m = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
            return new WalSegment(id, p, arena, m);
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
    static WalSegment reuse(Path spare, Path dir, long id, long size) throws IOException {
        java.nio.file.Files.move(spare, dir.resolve(name(id)), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return open(dir, id, size);
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
