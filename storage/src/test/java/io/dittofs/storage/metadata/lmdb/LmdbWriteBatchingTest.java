package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FileSystem.CreateMode;
import io.dittofs.core.Inode;
import io.dittofs.core.SetAttr;
import io.dittofs.core.SetAttr.TimeSet;
import io.dittofs.core.Stability;
import io.dittofs.core.spi.MetadataStore;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Size/mtime changes of UNSTABLE WRITEs on LMDB are batched: visible at once, written in one
 * transaction per flush, durable after COMMIT. "What a crash keeps" is a copy of the LMDB files
 * taken while the store is open (with {@code MDB_NOSYNC} that is the page cache, as after kill -9).
 */
@Timeout(60)
class LmdbWriteBatchingTest {
    private static final AuthContext ROOT = AuthContext.ROOT;
    private static final int WRITES = 1000;

    @TempDir
    Path tmp;

    private final AtomicLong time = new AtomicLong(1_000_000_000L);
    private final MemorySegment page = Arena.ofAuto().allocate(4096);

    private FileSystem fs(LmdbMetadataStore meta) {
        return new FileSystem(meta, new MemoryBlockStore(), false, () -> time.addAndGet(1000));
    }

    /** The store a kill -9 right now would leave behind, opened from a copy. */
    private LmdbMetadataStore crashCopy(Path from, String name) throws IOException {
        Path to = tmp.resolve(name);
        Files.createDirectories(to);
        Files.copy(from.resolve("data.mdb"), to.resolve("data.mdb"));
        return new LmdbMetadataStore(to, 1L << 20, 1L << 30);
    }

    private static long create(FileSystem fs, String name) {
        return fs.create(ROOT, fs.rootId(), name, SetAttr.NONE, CreateMode.GUARDED, 0).child().id();
    }

    @Test
    void shouldRunFarFewerWriteTransactionsThanUnstableWrites() {
        try (LmdbMetadataStore meta = new LmdbMetadataStore(tmp.resolve("m"), 1L << 20, 1L << 30)) {
            FileSystem fs = fs(meta);
            long id = create(fs, "f");
            long before = meta.commits();
            for (int i = 0; i < WRITES; i++) {
                long t0 = time.get();
                var w = fs.write(ROOT, id, (long) i * 4096, page, Stability.UNSTABLE);
                Inode now = fs.getattr(id);
                assertEquals((i + 1) * 4096L, now.size(), "GETATTR right after WRITE " + i);
                assertTrue(now.mtimeNs() > t0 && now.ctimeNs() > t0, "mtime/ctime moved");
                assertEquals(now.size(), w.file().after().size());
            }
            long txns = meta.commits() - before;
            System.out.printf("%d UNSTABLE writes: %d LMDB write transactions%n", WRITES, txns);
            assertTrue(txns <= 3, WRITES + " UNSTABLE writes ran " + txns + " write transactions");
            fs.commit(ROOT, id);
            assertEquals(0, meta.pendingInodes());
            assertEquals((long) WRITES * 4096, fs.getattr(id).size());
        }
    }

    @Test
    void shouldKeepSizeOfCommittedWritesAfterCrash() throws IOException {
        Path where = tmp.resolve("m");
        long id;
        long mtime;
        try (LmdbMetadataStore meta = new LmdbMetadataStore(where, 1L << 20, 1L << 30)) {
            FileSystem fs = fs(meta);
            id = create(fs, "f");
            for (int i = 0; i < 10; i++) {
                fs.write(ROOT, id, (long) i * 4096, page, Stability.UNSTABLE);
            }
            fs.commit(ROOT, id);
            mtime = fs.getattr(id).mtimeNs();
            try (LmdbMetadataStore crashed = crashCopy(where, "crash")) {
                Inode n = fs(crashed).getattr(id);
                assertEquals(10 * 4096, n.size(), "size of committed writes lost by a crash");
                assertEquals(mtime, n.mtimeNs());
            }
        }
    }

    @Test
    void shouldKeepTruncateWhenItFollowsPendingWrites() throws IOException {
        Path where = tmp.resolve("m");
        try (LmdbMetadataStore meta = new LmdbMetadataStore(where, 1L << 20, 1L << 30)) {
            FileSystem fs = fs(meta);
            long id = create(fs, "f");
            for (int i = 0; i < 25; i++) {
                fs.write(ROOT, id, (long) i * 4096, page, Stability.UNSTABLE);
            }
            fs.setattr(ROOT, id, new SetAttr(-1, -1, -1, 10, TimeSet.DONT_CHANGE, TimeSet.DONT_CHANGE), -1);
            assertEquals(10, fs.getattr(id).size());
            assertEquals(0, meta.pendingInodes(), "the truncate persisted the pending change it read");
            meta.sync();
            assertEquals(10, fs.getattr(id).size(), "a flush must not bring the old size back");
            fs.write(ROOT, id, 8192, page, Stability.UNSTABLE);
            assertEquals(8192 + 4096, fs.getattr(id).size());
            fs.commit(ROOT, id);
            try (LmdbMetadataStore crashed = crashCopy(where, "crash")) {
                assertEquals(8192 + 4096, fs(crashed).getattr(id).size());
            }
        }
    }

    /** A read whose LMDB snapshot predates a flush must not lose the flushed size (it runs again). */
    @Test
    void shouldNeverShowSizeBelowAcknowledgedWriteWhenFlushOverlapsRead() throws Exception {
        try (LmdbMetadataStore meta = new LmdbMetadataStore(tmp.resolve("m"), 1L << 20, 1L << 30)) {
            FileSystem fs = fs(meta);
            long id = create(fs, "f");
            fs.write(ROOT, id, 0, page, Stability.UNSTABLE);
            java.util.concurrent.atomic.AtomicBoolean flushed = new java.util.concurrent.atomic.AtomicBoolean();
            long size = meta.read(t -> {
                t.isEmpty(MetadataStore.ROOT_ID); // not cached: the work runs in an LMDB snapshot
                if (flushed.compareAndSet(false, true)) {
                    Thread flusher = Thread.ofPlatform().start(meta::sync); // commits the size, drops it from memory
                    try {
                        flusher.join();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                    assertEquals(0, meta.pendingInodes());
                }
                return t.get(id).size();
            });
            assertEquals(4096, size, "a read saw the size of neither its snapshot's pending change nor the flush");
        }
    }

    @Test
    void shouldPersistPendingChangesWithoutCommitWithinSeconds() throws InterruptedException {
        try (LmdbMetadataStore meta = new LmdbMetadataStore(tmp.resolve("m"), 1L << 20, 1L << 30)) {
            FileSystem fs = fs(meta);
            long id = create(fs, "f");
            fs.write(ROOT, id, 0, page, Stability.UNSTABLE);
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (meta.pendingInodes() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(0, meta.pendingInodes(), "an idle store keeps write changes in memory only");
        }
    }

    @Test
    void shouldKeepPendingSizeWhenStoreIsClosed() {
        Path where = tmp.resolve("m");
        long id;
        try (LmdbMetadataStore meta = new LmdbMetadataStore(where, 1L << 20, 1L << 30)) {
            FileSystem fs = fs(meta);
            id = create(fs, "f");
            fs.write(ROOT, id, 0, page, Stability.UNSTABLE);
        }
        try (LmdbMetadataStore meta = new LmdbMetadataStore(where, 1L << 20, 1L << 30)) {
            assertEquals(4096, fs(meta).getattr(id).size());
        }
    }
}
