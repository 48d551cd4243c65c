package io.dittofs.storage.cache;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FileSystem.CreateMode;
import io.dittofs.core.Inode;
import io.dittofs.core.SetAttr;
import io.dittofs.core.SetAttr.TimeSet;
import io.dittofs.core.Stability;
import io.dittofs.storage.block.fs.FsBlockStore;
import io.dittofs.storage.metadata.lmdb.LmdbMetadataStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * After a crash the block store may hold bytes past a file's recorded size: data of a write that
 * reached the WAL (or the block files) but whose size change was never committed, or content a
 * committed truncate had not cut yet. None of it may ever become visible when the file is later
 * extended. Runs {@link FileSystem} over the real persistent stores (LMDB metadata, WAL cache over
 * the local block store); the crash is {@link WriteBackCache#abandonForTest()} (nothing flushed).
 */
@Timeout(120)
class FileSystemEofRecoveryTest {
    private static final AuthContext ROOT = AuthContext.ROOT;
    private static final long MIB = 1L << 20;

    @TempDir
    Path dir;

    private record Stores(LmdbMetadataStore meta, WriteBackCache blocks, FileSystem fs) {
        /** The crash: the WAL is left as the OS has it, the metadata store keeps only what it committed. */
        void crash() {
            blocks.abandonForTest();
            meta.close();
        }

        void close() {
            blocks.close();
            meta.close();
        }
    }

    private Stores open() {
        LmdbMetadataStore meta = new LmdbMetadataStore(dir.resolve("meta"), 1L << 20, 1L << 30);
        // an idle flusher: what a crash leaves is only in the WAL, as after a kill -9 between flushes
        WriteBackCache blocks = new WriteBackCache(new FsBlockStore(dir.resolve("blocks"), true),
                new WriteBackCache.Options(dir.resolve("wal"), 8L << 20, 8, 3_600_000));
        return new Stores(meta, blocks, new FileSystem(meta, blocks, false));
    }

    private static MemorySegment pattern(long size, int seed) {
        MemorySegment m = Arena.ofAuto().allocate(size);
        for (long i = 0; i < size; i++) {
            m.set(ValueLayout.JAVA_BYTE, i, (byte) (1 + (i * 31 + seed) % 255));
        }
        return m;
    }

    private static SetAttr size(long s) {
        return new SetAttr(-1, -1, -1, s, TimeSet.DONT_CHANGE, TimeSet.DONT_CHANGE);
    }

    /** Offsets in {@code [from, to)} of the file that read as non-zero. */
    private static long nonZeroBytes(FileSystem fs, long id, long from, long to) {
        MemorySegment buf = Arena.ofAuto().allocate(to - from);
        int n = fs.read(ROOT, id, from, buf).count();
        assertEquals(to - from, n, "short read");
        long bad = 0;
        for (long i = 0; i < n; i++) {
            if (buf.get(ValueLayout.JAVA_BYTE, i) != 0) {
                bad++;
            }
        }
        return bad;
    }

    /** A crash between "data in the block store" and "size committed": the write was never acknowledged. */
    private long fileWithUnacknowledgedTail(Stores s, String name) {
        long id = s.fs().create(ROOT, s.fs().rootId(), name, SetAttr.NONE, CreateMode.GUARDED, 0).child().id();
        s.fs().write(ROOT, id, 0, pattern(MIB, 1), Stability.FILE_SYNC);
        s.blocks().write(id, MIB, pattern(MIB, 2)); // what WRITE does first...
        s.blocks().sync(id);                         // ...and the crash comes before the size commit
        return id;
    }

    @Test
    void shouldReadZerosPastOldSizeWhenWriteExtendsFileAfterCrash() {
        Stores s = open();
        long id = fileWithUnacknowledgedTail(s, "a");
        s.crash();

        s = open();
        long size = s.fs().getattr(id).size();
        assertEquals(MIB, size);
        s.fs().write(ROOT, id, size + 3 * MIB, pattern(1, 3), Stability.FILE_SYNC);
        assertEquals(0, nonZeroBytes(s.fs(), id, size, size + 3 * MIB),
                "bytes of an unacknowledged write resurfaced past the old size");
        s.crash(); // and the cut survives another crash with the WAL replayed again
        s = open();
        assertEquals(0, nonZeroBytes(s.fs(), id, size, size + 3 * MIB));
        s.close();
    }

    @Test
    void shouldReadZerosPastOldSizeWhenSetattrExtendsFileAfterCrash() {
        Stores s = open();
        long id = fileWithUnacknowledgedTail(s, "b");
        s.crash();

        s = open();
        long size = s.fs().getattr(id).size();
        s.fs().setattr(ROOT, id, size(size + 3 * MIB), -1);
        assertEquals(0, nonZeroBytes(s.fs(), id, size, size + 3 * MIB),
                "bytes of an unacknowledged write resurfaced past the old size");
        s.close();
    }

    @Test
    void shouldReadZerosWhenTruncateDownWasCommittedButContentNotCutBeforeCrash() {
        Stores s = open();
        long id = s.fs().create(ROOT, s.fs().rootId(), "c", SetAttr.NONE, CreateMode.GUARDED, 0).child().id();
        s.fs().write(ROOT, id, 0, pattern(2 * MIB, 4), Stability.FILE_SYNC);
        // SETATTR size=100 committed its metadata; the crash came before the content was cut
        s.meta().write(t -> {
            Inode n = t.get(id);
            t.put(n.withSize(100, n.mtimeNs() + 1, n.ctimeNs() + 1));
            return null;
        });
        s.meta().sync();
        s.crash();

        s = open();
        assertEquals(100, s.fs().getattr(id).size());
        s.fs().write(ROOT, id, 2 * MIB, pattern(10, 5), Stability.FILE_SYNC);
        assertEquals(0, nonZeroBytes(s.fs(), id, 100, 2 * MIB), "truncated content came back");
        s.close();
    }

    @Test
    void shouldReadZerosWhenFileIsTruncatedDownAndExtendedAcrossCrash() {
        Stores s = open();
        long id = s.fs().create(ROOT, s.fs().rootId(), "d", SetAttr.NONE, CreateMode.GUARDED, 0).child().id();
        s.fs().write(ROOT, id, 0, pattern(2 * MIB, 6), Stability.FILE_SYNC);
        s.fs().setattr(ROOT, id, size(4096), -1);
        s.fs().setattr(ROOT, id, size(3 * MIB), -1);
        assertEquals(0, nonZeroBytes(s.fs(), id, 4096, 3 * MIB));
        s.crash();

        s = open();
        assertEquals(3 * MIB, s.fs().getattr(id).size());
        assertEquals(0, nonZeroBytes(s.fs(), id, 4096, 3 * MIB), "truncated content came back after the crash");
        s.close();
    }
}
