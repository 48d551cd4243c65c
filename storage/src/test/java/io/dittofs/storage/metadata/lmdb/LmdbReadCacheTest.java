package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.FileSystem.CreateMode;
import io.dittofs.core.FileType;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.core.SetAttr;
import io.dittofs.core.spi.MetadataStore;
import io.dittofs.storage.block.memory.MemoryBlockStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reads of {@link LmdbMetadataStore} served from its {@link LmdbReadCache}: no hop, never stale. */
@Timeout(60)
class LmdbReadCacheTest {
    private static final AuthContext ROOT = AuthContext.ROOT;

    @TempDir
    Path tmp;

    private LmdbMetadataStore open() {
        return new LmdbMetadataStore(tmp.resolve("m"), 1L << 20, 1L << 30);
    }

    @Test
    void shouldServeGetattrAccessAndLookupOnCallersThread() throws Exception {
        try (LmdbMetadataStore meta = open()) {
            FileSystem fs = new FileSystem(meta, new MemoryBlockStore(), false);
            long dir = fs.mkdir(ROOT, fs.rootId(), "d", SetAttr.NONE).child().id();
            long id = fs.create(ROOT, dir, "f", SetAttr.NONE, CreateMode.GUARDED, 0).child().id();
            Thread[] ran = new Thread[3];
            Thread v = Thread.ofVirtual().start(() -> {
                ran[0] = meta.read(t -> {
                    t.get(id);
                    return Thread.currentThread();
                });
                ran[1] = meta.read(t -> {
                    t.lookup(dir, "f");
                    t.get(dir);
                    return Thread.currentThread();
                });
                ran[2] = Thread.currentThread();
            });
            v.join();
            assertSame(ran[2], ran[0], "GETATTR hopped to another thread");
            assertSame(ran[2], ran[1], "LOOKUP hopped to another thread");
            int bits = fs.access(ROOT, id);
            long hits = meta.cacheHits();
            for (int i = 0; i < 100; i++) {
                assertEquals(id, fs.lookup(ROOT, dir, "f").id());
                assertEquals(id, fs.getattr(id).id());
                assertEquals(bits, fs.access(ROOT, id));
            }
            assertTrue(meta.cacheHits() - hits >= 300, "cache hits " + (meta.cacheHits() - hits));
        }
    }

    @Test
    void shouldNeverServeRemovedRenamedOrChangedObjects() {
        try (LmdbMetadataStore meta = open()) {
            FileSystem fs = new FileSystem(meta, new MemoryBlockStore(), false);
            long root = fs.rootId();
            long id = fs.create(ROOT, root, "a", SetAttr.NONE, CreateMode.GUARDED, 0).child().id();
            assertEquals(id, fs.lookup(ROOT, root, "a").id());
            fs.setattr(ROOT, id, SetAttr.mode(0600), -1);
            assertEquals(0600, fs.getattr(id).mode());
            fs.rename(ROOT, root, "a", root, "b");
            assertEquals(FsError.NOT_FOUND, assertThrows(FsException.class, () -> fs.lookup(ROOT, root, "a")).error());
            assertEquals(id, fs.lookup(ROOT, root, "b").id());
            fs.remove(ROOT, root, "b");
            assertEquals(FsError.NOT_FOUND, assertThrows(FsException.class, () -> fs.lookup(ROOT, root, "b")).error());
            assertEquals(FsError.STALE, assertThrows(FsException.class, () -> fs.getattr(id)).error());
            assertNull(meta.read(t -> t.get(id)));
        }
    }

    private static Inode file(long id, long size) {
        return new Inode(id, FileType.REGULAR, 0644, 1, 0, 0, size, 1, 1, 1, 0, MetadataStore.ROOT_ID, 0, null);
    }

    /** Two inodes always change in one transaction; a read must never see them from two commits. */
    @Test
    void shouldShowReadersOnlyWholeCommitsWhileWritesRace() throws Exception {
        try (LmdbMetadataStore meta = open()) {
            meta.write(t -> {
                t.put(file(10, 0));
                t.put(file(11, 0));
                return null;
            });
            AtomicBoolean done = new AtomicBoolean();
            AtomicLong reads = new AtomicLong();
            try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
                List<Future<?>> readers = new ArrayList<>();
                for (int r = 0; r < 4; r++) {
                    readers.add(ex.submit(() -> {
                        while (!done.get()) {
                            long[] s = meta.read(t -> new long[] {t.get(10).size(), t.get(11).size()});
                            assertEquals(s[0], s[1], "a read saw two commits");
                            if (reads.incrementAndGet() % 64 == 0) {
                                Thread.yield();
                            }
                        }
                        return null;
                    }));
                }
                for (int i = 1; i <= 3000; i++) {
                    long size = i;
                    meta.write(t -> {
                        t.put(file(10, size));
                        t.put(file(11, size));
                        return null;
                    });
                }
                done.set(true);
                for (Future<?> f : readers) {
                    f.get();
                }
            }
            assertEquals(3000, meta.read(t -> t.get(11)).size());
            assertTrue(meta.cacheHits() > 0);
            System.out.printf("%d racing reads, %d from the cache%n", reads.get(), meta.cacheHits());
        }
    }

    @Test
    void shouldAnswerLookupOfMissingNameFromCacheUntilTheNameIsCreated() throws Exception {
        try (LmdbMetadataStore meta = open()) {
            FileSystem fs = new FileSystem(meta, new MemoryBlockStore(), false);
            long dir = fs.mkdir(ROOT, fs.rootId(), "d", SetAttr.NONE).child().id();
            FsException first = assertThrows(FsException.class, () -> fs.lookup(ROOT, dir, "x"));
            assertEquals(FsError.NOT_FOUND, first.error());
            long hits = meta.cacheHits();
            Thread[] ran = new Thread[2];
            Thread v = Thread.ofVirtual().start(() -> {
                ran[0] = meta.read(t -> {
                    assertNull(t.lookup(dir, "x"));
                    return Thread.currentThread();
                });
                ran[1] = Thread.currentThread();
            });
            v.join();
            assertSame(ran[1], ran[0], "LOOKUP of a known-missing name hopped to a reader thread");
            for (int i = 0; i < 100; i++) {
                assertThrows(FsException.class, () -> fs.lookup(ROOT, dir, "x"));
            }
            assertTrue(meta.cacheHits() - hits >= 101, "cache hits " + (meta.cacheHits() - hits));
            long id = fs.create(ROOT, dir, "x", SetAttr.NONE, CreateMode.GUARDED, 0).child().id();
            assertEquals(id, fs.lookup(ROOT, dir, "x").id(), "the created name after a cached absence");
            fs.remove(ROOT, dir, "x");
            assertEquals(FsError.NOT_FOUND, assertThrows(FsException.class, () -> fs.lookup(ROOT, dir, "x")).error());
        }
    }
}
