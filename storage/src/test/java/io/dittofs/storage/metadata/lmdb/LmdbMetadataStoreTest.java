package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.DirEntry;
import io.dittofs.core.FileType;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.core.spi.MetadataStore;
import io.dittofs.core.spi.MetadataStoreContract;
import io.dittofs.core.spi.MetadataTxn;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LmdbMetadataStoreTest extends MetadataStoreContract {
    private static final long ROOT = MetadataStore.ROOT_ID;

    @TempDir
    Path tmp;

    @Override
    protected MetadataStore newStore() {
        // small initial map, so the contract suite also exercises growth
        return new LmdbMetadataStore(tmp.resolve("meta"), 1L << 20, 1L << 30);
    }

    private static Inode inode(long id, FileType type, String symlink) {
        return new Inode(id, type, 0644, 1, 1000, 1000, id * 3, 10, 20, 30, 0, ROOT, 0, symlink);
    }

    private static Inode dir(long id) {
        return new Inode(id, FileType.DIRECTORY, 0755, 2, 0, 0, 4096, 1, 1, 1, 0, ROOT, 0, null);
    }

    private void put(MetadataStore s, Inode... inodes) {
        s.write(t -> {
            for (Inode n : inodes) {
                t.put(n);
            }
            return null;
        });
    }

    @Test
    void shouldStartIdsRightAfterRootAndCookiesAtOne() {
        assertEquals(ROOT + 1, store.write(MetadataTxn::allocateId));
        assertEquals(1, store.write(t -> t.addEntry(ROOT, "a", 2)).cookie());
        assertEquals(2, store.write(t -> t.addEntry(ROOT, "b", 3)).cookie());
        assertEquals("lmdb", store.kind());
    }

    @Test
    void shouldCountInodesInStats() {
        put(store, inode(5, FileType.REGULAR, null), inode(6, FileType.REGULAR, null));
        MetadataStore.StoreStats s = store.stats();
        assertEquals(2, s.files());
        assertTrue(s.freeFiles() > 1000, "free files " + s.freeFiles());
    }

    @Test
    void shouldRefuseUseOfEscapedTxn() {
        MetadataTxn[] leaked = new MetadataTxn[2];
        store.read(t -> leaked[0] = t);
        store.write(t -> leaked[1] = t);
        assertThrows(IllegalStateException.class, () -> leaked[0].get(1));
        assertThrows(IllegalStateException.class, () -> leaked[1].put(inode(3, FileType.REGULAR, null)));
    }

    @Test
    void shouldFailWithIoWhenClosedAndCloseTwice() {
        store.close();
        store.close();
        assertEquals(FsError.IO, assertThrows(FsException.class, () -> store.read(t -> t.get(1))).error());
        assertEquals(FsError.IO, assertThrows(FsException.class, () -> store.write(t -> t.get(1))).error());
        assertEquals(FsError.IO, assertThrows(FsException.class, () -> store.stats()).error());
    }

    @Test
    void shouldPropagateExceptionOfWorkUnchanged() {
        FsException boom = new FsException(FsError.NOT_EMPTY, "x");
        assertSame(boom, assertThrows(FsException.class, () -> store.write(t -> {
            throw boom;
        })));
        assertEquals(FsError.EXISTS, assertThrows(FsException.class, () -> store.write(t -> {
            t.addEntry(ROOT, "a", 2);
            return t.addEntry(ROOT, "a", 3);
        })).error());
        assertNull(store.read(t -> t.lookup(ROOT, "a")));
    }

    @Test
    void shouldRunEveryWriteOnOnePlatformThread() throws Exception {
        Set<Thread> seen = ConcurrentHashMap.newKeySet();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                fs.add(ex.submit(() -> store.write(t -> seen.add(Thread.currentThread()))));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        assertEquals(1, seen.size());
        assertFalse(seen.iterator().next().isVirtual());
    }

    @Test
    void shouldRejectWriteInsideWrite() {
        assertThrows(IllegalStateException.class, () -> store.write(t -> store.write(u -> null)));
        assertEquals(ROOT + 1, store.write(MetadataTxn::allocateId));
    }

    @Test
    void shouldFlushOnlyWhenSomethingWasCommittedAndShareFlushes() throws Exception {
        LmdbMetadataStore s = (LmdbMetadataStore) store;
        s.sync();
        assertEquals(0, s.flushes(), "nothing committed yet");
        put(s, dir(ROOT));
        s.sync();
        s.sync();
        assertEquals(1, s.flushes());
        int callers = 32;
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                int k = i;
                fs.add(ex.submit(() -> {
                    s.write(t -> t.addEntry(ROOT, "s" + k, 5));
                    s.sync();
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        long flushes = s.flushes() - 1;
        assertTrue(flushes >= 1 && flushes <= callers, "flushes " + flushes);
        s.close();
        assertEquals(FsError.IO, assertThrows(FsException.class, s::sync).error());
    }

    @Test
    void shouldServeOverlappingCommitsAndSyncsWithFewerFlushesThanCallers() throws Exception {
        Path where = tmp.resolve("group");
        int callers = 16;
        long flushes;
        try (LmdbMetadataStore s = new LmdbMetadataStore(where, 1L << 20, 1L << 30)) {
            put(s, dir(ROOT));
            s.sync();
            long before = s.flushes();
            // like a slow disk: the first flush (on the writer thread) starts only once every other caller
            // has committed or queued its work behind it, so they overlap for sure
            CountDownLatch committed = new CountDownLatch(callers);
            AtomicBoolean first = new AtomicBoolean(true);
            s.beforeFlush = () -> {
                if (first.getAndSet(false)) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (callers - committed.getCount() + s.queuedWrites() < callers && System.nanoTime() < deadline) {
                        LockSupport.parkNanos(1_000_000);
                    }
                }
            };
            CyclicBarrier start = new CyclicBarrier(callers);
            try (ExecutorService ex = Executors.newFixedThreadPool(callers)) {
                List<Future<?>> fs = new ArrayList<>();
                for (int i = 0; i < callers; i++) {
                    int k = i;
                    fs.add(ex.submit(() -> {
                        start.await();
                        s.write(t -> t.addEntry(ROOT, "g" + k, 100 + k));
                        committed.countDown();
                        s.sync(); // each caller waits for its commit to be durable, as a COMMIT or stable write does
                        return null;
                    }));
                }
                for (Future<?> f : fs) {
                    f.get(60, TimeUnit.SECONDS);
                }
            }
            flushes = s.flushes() - before;
        }
        assertTrue(flushes >= 1 && flushes < callers, "flushes " + flushes + " for " + callers + " callers");
        try (LmdbMetadataStore s = new LmdbMetadataStore(where, 1L << 20, 1L << 30)) {
            for (int i = 0; i < callers; i++) {
                int k = i;
                assertEquals(100 + k, s.read(t -> t.lookup(ROOT, "g" + k)).child(), "caller " + k);
            }
        }
    }

    @Test
    void shouldKeepEverythingAcrossReopen() {
        Path where = tmp.resolve("reopen");
        List<DirEntry> listed;
        long lastId;
        long lastCookie;
        try (LmdbMetadataStore s = new LmdbMetadataStore(where, 1L << 20, 1L << 30)) {
            put(s, dir(ROOT));
            for (int i = 0; i < 500; i++) {
                int k = i;
                s.write(t -> {
                    long id = t.allocateId();
                    t.put(inode(id, k == 7 ? FileType.SYMLINK : FileType.REGULAR, k == 7 ? "../target/ü" : null));
                    return t.addEntry(ROOT, "f" + k, id);
                });
            }
            for (int i = 0; i < 500; i += 5) {
                int k = i;
                s.write(t -> t.removeEntry(ROOT, "f" + k));
            }
            DirEntry last = s.write(t -> t.addEntry(ROOT, "late", 99));
            lastCookie = last.cookie();
            s.write(t -> t.removeEntry(ROOT, "late"));
            listed = s.read(t -> t.list(ROOT, 0, 10_000));
            lastId = s.write(MetadataTxn::allocateId);
            s.sync();
        }
        try (LmdbMetadataStore s = new LmdbMetadataStore(where, 1L << 20, 1L << 30)) {
            assertEquals(listed, s.read(t -> t.list(ROOT, 0, 10_000)));
            assertEquals(400, listed.size());
            for (DirEntry e : listed) {
                assertEquals(e, s.read(t -> t.lookup(ROOT, e.name())));
                Inode n = s.read(t -> t.get(e.child()));
                assertNotNull(n, e.name());
                assertEquals(e.name().equals("f7") ? FileType.SYMLINK : FileType.REGULAR, n.type());
            }
            assertEquals("../target/ü", s.read(t -> t.get(t.lookup(ROOT, "f7").child())).symlink());
            assertEquals(dir(ROOT), s.read(t -> t.get(ROOT)));
            assertTrue(s.write(MetadataTxn::allocateId) > lastId);
            assertTrue(s.write(t -> t.addEntry(ROOT, "after", 100)).cookie() > lastCookie);
            assertEquals(501, s.stats().files());
        }
    }

    @Test
    void shouldReportNoSpaceAtMaxMapAndStayUsable() {
        Path where = tmp.resolve("tiny");
        List<Long> committed = new ArrayList<>();
        String target = "t".repeat(200);
        FsException full;
        try (LmdbMetadataStore s = new LmdbMetadataStore(where, 1L << 20, 2L << 20)) {
            put(s, dir(ROOT));
            while (true) {
                long[] batch = new long[20];
                try {
                    s.write(t -> {
                        for (int i = 0; i < batch.length; i++) {
                            batch[i] = t.allocateId();
                            t.put(inode(batch[i], FileType.SYMLINK, target + batch[i]));
                            t.addEntry(ROOT, "n" + batch[i], batch[i]);
                        }
                        return null;
                    });
                } catch (FsException e) {
                    full = e;
                    break;
                }
                for (long id : batch) {
                    committed.add(id);
                }
                assertTrue(committed.size() < 100_000, "the map never filled");
            }
            assertEquals(FsError.NO_SPACE, full.error());
            assertEquals(2L << 20, s.mapSize());
            assertTrue(committed.size() > 1000, "only " + committed.size() + " fitted");
            long after = committed.getLast() + 1;
            assertNull(s.read(t -> t.get(after)), "nothing of the failed write is visible");
            verifyAll(s, committed, target);
            // deletes still work (one per transaction, like REMOVE), and free space for new writes
            List<Long> gone = committed.subList(0, committed.size() / 2);
            for (long id : gone) {
                s.write(t -> {
                    assertTrue(t.removeEntry(ROOT, "n" + id));
                    t.delete(id);
                    return null;
                });
            }
            long fresh = s.write(t -> {
                long id = t.allocateId();
                t.put(inode(id, FileType.REGULAR, null));
                t.addEntry(ROOT, "fresh", id);
                return id;
            });
            assertTrue(fresh > after);
            committed = new ArrayList<>(committed.subList(committed.size() / 2, committed.size()));
        }
        try (LmdbMetadataStore s = new LmdbMetadataStore(where, 1L << 20, 2L << 20)) {
            verifyAll(s, committed, target);
            assertEquals(committed.size() + 2, s.stats().files());
        }
    }

    private static void verifyAll(MetadataStore s, List<Long> ids, String target) {
        s.read(t -> {
            for (long id : ids) {
                Inode n = t.get(id);
                assertNotNull(n, "inode " + id);
                assertEquals(target + id, n.symlink());
                assertEquals(id, t.lookup(ROOT, "n" + id).child());
            }
            return null;
        });
    }

    @Test
    void shouldShowReadersOnlyWholeTransactionsWhileVirtualThreadsWrite() throws Exception {
        put(store, dir(ROOT));
        int writers = 16;
        int perWriter = 150;
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> readers = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                readers.add(ex.submit(() -> {
                    long from = 0;
                    while (!done.get()) {
                        long after = from;
                        from = store.read(t -> {
                            // every entry's inode was written in the same transaction
                            List<DirEntry> page = t.list(ROOT, after, 50);
                            for (DirEntry e : page) {
                                Inode n = t.get(e.child());
                                assertNotNull(n, e.name());
                                assertEquals(e.child() * 3, n.size());
                                assertEquals(e, t.lookup(ROOT, e.name()));
                            }
                            return page.isEmpty() ? 0L : page.getLast().cookie(); // wrap around at the end
                        });
                        reads.incrementAndGet();
                        // pause like a request that waits for the network: readers that only yield keep
                        // the carriers busy and starve writers woken from the writer thread
                        Thread.sleep(1);
                    }
                    return null;
                }));
            }
            List<Future<?>> ws = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int ww = w;
                ws.add(ex.submit(() -> {
                    for (int i = 0; i < perWriter; i++) {
                        int k = i;
                        store.write(t -> {
                            long id = t.allocateId();
                            t.put(inode(id, FileType.REGULAR, null));
                            return t.addEntry(ROOT, "w" + ww + "-" + k, id);
                        });
                        if (i % 50 == 0) {
                            store.sync();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : ws) {
                f.get();
            }
            done.set(true);
            for (Future<?> f : readers) {
                f.get();
            }
        }
        assertEquals(writers * perWriter, store.read(t -> t.list(ROOT, 0, Integer.MAX_VALUE)).size());
        assertTrue(reads.get() > 0);
    }
}
