package io.dittofs.storage;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FileSystem.CreateMode;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Results.Read;
import io.dittofs.core.SetAttr;
import io.dittofs.core.SetAttr.TimeSet;
import io.dittofs.core.Stability;
import io.dittofs.core.spi.BlockStore;
import io.dittofs.core.spi.SizeLimitedBlockStore;
import io.dittofs.storage.block.fs.FsBlockStore;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import io.dittofs.storage.cache.WriteBackCache;
import io.dittofs.storage.metadata.lmdb.LmdbMetadataStore;
import io.dittofs.storage.metadata.memory.MemoryMetadataStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Huge sizes and offsets through {@link FileSystem}, on persistent stores (LMDB and the fs block
 * store, directly and behind the write-back cache) across a restart, and on a store with a
 * smaller limit: metadata and content agree and nothing overflows.
 */
@Timeout(60)
class FileSystemSizesTest {
    private static final AuthContext ROOT = AuthContext.ROOT;
    private static final long GIB4 = 1L << 32;
    private static final byte[] HEAD = "hello, large world".getBytes();

    @TempDir
    Path dir;

    private record Opened(FileSystem fs, LmdbMetadataStore meta, BlockStore blocks) implements AutoCloseable {
        @Override
        public void close() {
            blocks.close();
            meta.close();
        }
    }

    private Opened open(boolean cached) {
        LmdbMetadataStore meta = new LmdbMetadataStore(dir.resolve("meta"));
        FsBlockStore fsBlocks = new FsBlockStore(dir.resolve("blocks"), cached);
        BlockStore blocks = cached
                ? new WriteBackCache(fsBlocks, new WriteBackCache.Options(dir.resolve("wal"), 4L << 20, 8, 5))
                : fsBlocks;
        return new Opened(new FileSystem(meta, blocks, false), meta, blocks);
    }

    private static SetAttr size(long size) {
        return new SetAttr(-1, -1, -1, size, TimeSet.DONT_CHANGE, TimeSet.DONT_CHANGE);
    }

    private static byte[] read(FileSystem fs, long id, long offset, int len, boolean eof) {
        byte[] buf = new byte[len];
        Read r = fs.read(ROOT, id, offset, MemorySegment.ofArray(buf));
        assertEquals(eof, r.eof(), "eof at " + offset + "+" + len);
        byte[] out = new byte[r.count()];
        System.arraycopy(buf, 0, out, 0, r.count());
        return out;
    }

    private static void assertFsError(FsError expected, Executable op) {
        FsException e = assertThrows(FsException.class, op);
        assertEquals(expected, e.error(), e.getMessage());
    }

    @Test
    void shouldKeepContentWhenSizeSetToLargestThenRestarted() {
        shouldKeepContentAcrossHugeSizeAndRestart(false);
    }

    @Test
    void shouldKeepContentWhenSizeSetToLargestThenRestartedBehindCache() {
        shouldKeepContentAcrossHugeSizeAndRestart(true);
    }

    private void shouldKeepContentAcrossHugeSizeAndRestart(boolean cached) {
        long id;
        byte[] far = new byte[1000];
        java.util.Arrays.fill(far, (byte) 0x42);
        long max;
        try (Opened o = open(cached)) {
            FileSystem fs = o.fs();
            max = fs.maxFileSize();
            assertEquals(Long.MAX_VALUE, max, "fs blocks hold any size a long can express");
            id = fs.create(ROOT, fs.rootId(), "big", SetAttr.mode(0644), CreateMode.GUARDED, 0).child().id();
            fs.write(ROOT, id, 0, MemorySegment.ofArray(HEAD), Stability.FILE_SYNC);
            fs.write(ROOT, id, GIB4 - 500, MemorySegment.ofArray(far), Stability.FILE_SYNC);
            assertEquals(GIB4 + 500, fs.getattr(id).size());
            fs.setattr(ROOT, id, size(max), -1);
            checkHugeFile(fs, id, far, max);
        }
        try (Opened o = open(cached)) {
            checkHugeFile(o.fs(), id, far, max);
            FileSystem fs = o.fs();
            fs.setattr(ROOT, id, size(GIB4 + 1), -1); // cut inside the content at 4 GiB, then grow again
            fs.setattr(ROOT, id, size(GIB4 + 1000), -1);
            assertArrayEquals(HEAD, read(fs, id, 0, HEAD.length, false));
            byte[] cut = read(fs, id, GIB4 - 500, 1500, true);
            assertArrayEquals(java.util.Arrays.copyOf(far, 501), java.util.Arrays.copyOf(cut, 501));
            assertArrayEquals(new byte[999], java.util.Arrays.copyOfRange(cut, 501, 1500));
        }
    }

    private static void checkHugeFile(FileSystem fs, long id, byte[] far, long max) {
        assertEquals(max, fs.getattr(id).size());
        assertArrayEquals(HEAD, read(fs, id, 0, HEAD.length, false));
        assertArrayEquals(far, read(fs, id, GIB4 - 500, far.length, false));
        assertArrayEquals(new byte[4096], read(fs, id, 1L << 40, 4096, false));
        assertArrayEquals(new byte[10], read(fs, id, max - 10, 100, true));
        assertEquals(0, read(fs, id, max, 100, true).length);
        assertEquals(0, read(fs, id, Long.MAX_VALUE, 100, true).length);
    }

    @Test
    void shouldWriteLastBytesBelowLargestSizeAndRefuseRangesPastIt() {
        try (Opened o = open(false)) {
            FileSystem fs = o.fs();
            long id = fs.create(ROOT, fs.rootId(), "top", SetAttr.mode(0644), CreateMode.GUARDED, 0).child().id();
            assertFsError(FsError.FILE_TOO_LARGE,
                    () -> fs.write(ROOT, id, Long.MAX_VALUE - 1, MemorySegment.ofArray(new byte[2]), Stability.UNSTABLE));
            assertEquals(0, fs.getattr(id).size());
            fs.write(ROOT, id, Long.MAX_VALUE - 2, MemorySegment.ofArray(new byte[] {7, 8}), Stability.FILE_SYNC);
            assertEquals(Long.MAX_VALUE, fs.getattr(id).size());
            assertArrayEquals(new byte[] {0, 7, 8}, read(fs, id, Long.MAX_VALUE - 3, 64, true));
        }
    }

    @Test
    void shouldRefuseSizesAndWritesPastTheStoreLimit() {
        long limit = 1L << 40;
        MemoryMetadataStore meta = new MemoryMetadataStore();
        try (BlockStore blocks = new SizeLimitedBlockStore(new MemoryBlockStore(), limit)) {
            FileSystem fs = new FileSystem(meta, blocks, false);
            assertEquals(limit, fs.maxFileSize());
            long id = fs.create(ROOT, fs.rootId(), "f", SetAttr.mode(0644), CreateMode.GUARDED, 0).child().id();
            fs.write(ROOT, id, 0, MemorySegment.ofArray(HEAD), Stability.UNSTABLE);
            assertFsError(FsError.FILE_TOO_LARGE, () -> fs.setattr(ROOT, id, size(limit + 1), -1));
            assertFsError(FsError.FILE_TOO_LARGE, () -> fs.setattr(ROOT, id, size(Long.MAX_VALUE), -1));
            assertFsError(FsError.FILE_TOO_LARGE,
                    () -> fs.write(ROOT, id, limit - 1, MemorySegment.ofArray(new byte[2]), Stability.UNSTABLE));
            assertFsError(FsError.FILE_TOO_LARGE,
                    () -> fs.write(ROOT, id, Long.MAX_VALUE - 1, MemorySegment.ofArray(new byte[1]), Stability.UNSTABLE));
            assertEquals(HEAD.length, fs.getattr(id).size(), "refused calls change nothing");
            fs.setattr(ROOT, id, size(limit), -1);
            fs.write(ROOT, id, limit - 1, MemorySegment.ofArray(new byte[] {9}), Stability.UNSTABLE);
            assertEquals(limit, fs.getattr(id).size());
            assertArrayEquals(new byte[] {0, 9}, read(fs, id, limit - 2, 10, true));
            assertArrayEquals(HEAD, read(fs, id, 0, HEAD.length, false));
        } finally {
            meta.close();
        }
    }

    @Test
    void shouldReportConsistentSpaceFigures() {
        try (Opened o = open(false)) {
            FileSystem fs = o.fs();
            long id = fs.create(ROOT, fs.rootId(), "f", SetAttr.mode(0644), CreateMode.GUARDED, 0).child().id();
            fs.write(ROOT, id, GIB4, MemorySegment.ofArray(HEAD), Stability.FILE_SYNC);
            var s = fs.fsstat();
            long used = o.blocks().usedBytes();
            assertTrue(used > 0 && s.totalBytes() >= used, s + " used " + used);
            assertTrue(s.freeBytes() >= 0 && s.freeBytes() <= s.totalBytes() - used, s.toString());
            long usable = dir.toFile().getUsableSpace();
            // free is the space the file system still has for blocks (within what others wrote meanwhile)
            assertTrue(Math.abs(s.freeBytes() - usable) < (256L << 20), s + " usable " + usable);
            assertFalse(s.totalFiles() < s.freeFiles(), s.toString());
        }
    }
}
