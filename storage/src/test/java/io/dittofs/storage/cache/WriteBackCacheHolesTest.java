package io.dittofs.storage.cache;

import io.dittofs.core.spi.BlockStore;
import io.dittofs.storage.block.file.FileBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * DEALLOCATE and SEEK through the write-back cache over the in-place file store: a hole punched
 * over dirty data is never filled again by a later flush or by the replay after a crash, and
 * SEEK sees data that is still only in the WAL.
 */
@Timeout(60)
class WriteBackCacheHolesTest {
    private static final long SEG = 4L << 20;
    private static final long K64 = 64 * 1024;

    @TempDir
    Path dir;

    /** A cache whose flusher stays idle (one-hour interval), so dirty data stays in the WAL until flushed by hand. */
    private static WriteBackCache idle(Path root, FileBlockStore backing) {
        return new WriteBackCache(backing, new WriteBackCache.Options(root.resolve("wal"), SEG, 8, 3_600_000));
    }

    private static MemorySegment pattern(long size, int seed) {
        MemorySegment m = Arena.ofAuto().allocate(size);
        for (long i = 0; i < size; i++) {
            m.set(ValueLayout.JAVA_BYTE, i, (byte) (i * 31 + seed + 1));
        }
        return m;
    }

    private static byte[] read(BlockStore s, long id, long off, int len) {
        MemorySegment m = Arena.ofAuto().allocate(len);
        m.fill((byte) 0x5A);
        s.read(id, off, m);
        return m.toArray(ValueLayout.JAVA_BYTE);
    }

    private static byte[] punched(MemorySegment data, int from, int to) {
        byte[] b = data.toArray(ValueLayout.JAVA_BYTE);
        java.util.Arrays.fill(b, from, to, (byte) 0);
        return b;
    }

    @Test
    void shouldNeverFlushDirtyDataThatADeallocationCovered() {
        Path root = dir.resolve("flush");
        FileBlockStore backing = new FileBlockStore(root.resolve("blocks"));
        try (WriteBackCache c = idle(root, backing)) {
            MemorySegment data = pattern(1_000_000, 1);
            c.write(1, 0, data); // dirty: only in the WAL
            c.deallocate(1, 100_000, 500_000);
            byte[] expect = punched(data, 100_000, 600_000);
            assertArrayEquals(expect, read(c, 1, 0, 1_000_000), "the cache reads the hole at once");
            c.flushAll();
            assertArrayEquals(expect, read(backing, 1, 0, 1_000_000), "the flush left the hole a hole");
        }
    }

    @Test
    void shouldKeepHoleOverDirtyDataAfterCrashAndReplay() {
        Path root = dir.resolve("crash");
        FileBlockStore first = new FileBlockStore(root.resolve("blocks"));
        WriteBackCache c = idle(root, first);
        MemorySegment data = pattern(800_000, 2);
        c.write(2, 0, data);
        c.sync(2);
        c.deallocate(2, 200_000, 300_000);
        c.abandonForTest(); // crash: the WAL still holds the WRITE, which replay re-indexes
        first.close();
        FileBlockStore again = new FileBlockStore(root.resolve("blocks"));
        try (WriteBackCache r = idle(root, again)) {
            byte[] expect = punched(data, 200_000, 500_000);
            assertArrayEquals(expect, read(r, 2, 0, 800_000), "replayed: the hole is still there");
            r.flushAll();
            assertArrayEquals(expect, read(again, 2, 0, 800_000), "and in the store after the flush");
        }
    }

    @Test
    void shouldReadHoleOverStoreDataWhileTheStoreHasNotPunchedIt() {
        Path root = dir.resolve("pending");
        FaultyBlockStore backing = new FaultyBlockStore(new FileBlockStore(root.resolve("blocks")));
        try (WriteBackCache c = new WriteBackCache(backing,
                new WriteBackCache.Options(root.resolve("wal"), SEG, 8, 3_600_000))) {
            MemorySegment data = pattern(600_000, 3);
            c.write(3, 0, data);
            c.flushAll(); // in the store now
            backing.fail(io.dittofs.core.FsError.IO, FaultyBlockStore.Op.WRITE); // its hole (zeros written) fails
            c.deallocate(3, 1000, 200_000);
            byte[] expect = punched(data, 1000, 201_000);
            assertArrayEquals(data.toArray(ValueLayout.JAVA_BYTE), read(backing.inner(), 3, 0, 600_000),
                    "the store still holds the old bytes");
            assertArrayEquals(expect, read(c, 3, 0, 600_000), "the cache reads the pending hole as zeros");
            backing.heal();
            c.flushAll();
            assertArrayEquals(expect, read(backing.inner(), 3, 0, 600_000), "the flusher applied it later");
        }
    }

    @Test
    void shouldSeeDirtyDataWhenSeeking() {
        Path root = dir.resolve("seek");
        FileBlockStore backing = new FileBlockStore(root.resolve("blocks"));
        try (WriteBackCache c = idle(root, backing)) {
            c.write(4, 0, pattern(K64, 4));
            c.flushAll(); // [0, 64K) in the store
            c.write(4, 1 << 20, pattern(K64, 5)); // [1M, 1M + 64K) only in the WAL
            c.write(4, K64, pattern(4096, 6)); // dirty data right after the stored data
            assertEquals(K64 + 4096, c.nextHole(4, 0), "the hole starts after the dirty data that joins the stored data");
            assertEquals(1 << 20, c.nextData(4, K64 + 4096), "dirty data is data");
            assertEquals((1 << 20) + K64, c.nextHole(4, 1 << 20));
            assertEquals(Long.MAX_VALUE, c.nextData(4, (1 << 20) + K64));
            c.flushAll();
            assertEquals(1 << 20, c.nextData(4, K64 + 4096), "the same once flushed");
            assertEquals(K64 + 4096, c.nextHole(4, 0));
        }
    }
}
