package io.dittofs.core.spi;

import io.dittofs.core.DirEntry;
import io.dittofs.core.FileType;
import io.dittofs.core.Inode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every {@link MetadataStore} backend must show. A backend's test extends this
 * class and supplies a fresh, empty store from {@link #newStore()}; each test gets its own store
 * and closes it afterwards.
 *
 * <p>Public (unlike other test classes) because backends in other packages and modules extend it
 * through the core test-jar.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class MetadataStoreContract {
    private static final long DIR = MetadataStore.ROOT_ID;

    protected MetadataStore store;

    /** A new, empty store (no root inode, no entries). */
    protected abstract MetadataStore newStore();

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    static Inode file(long id) {
        return new Inode(id, FileType.REGULAR, 0644, 1, 1000, 1000, 0, 1, 2, 3, 0, 0, 0, null);
    }

    private void putDir(long id) {
        store.write(t -> {
            t.put(new Inode(id, FileType.DIRECTORY, 0755, 2, 0, 0, 4096, 1, 1, 1, 0, DIR, 0, null));
            return null;
        });
    }

    private DirEntry add(long dir, String name, long child) {
        return store.write(t -> t.addEntry(dir, name, child));
    }

    private boolean remove(long dir, String name) {
        return store.write(t -> t.removeEntry(dir, name));
    }

    private boolean isEmpty(long dir) {
        return store.<Boolean>read(t -> t.isEmpty(dir));
    }

    private List<DirEntry> listAll(long dir) {
        return store.read(t -> t.list(dir, 0, Integer.MAX_VALUE));
    }

    // ---------------------------------------------------------------- inodes

    @Test
    void shouldRoundTripEveryInodeField() {
        Inode big = new Inode(42, FileType.BLOCK_DEVICE, 07777, 65000, -2, Integer.MAX_VALUE, Long.MAX_VALUE,
                -1_000_000_000_123L, Long.MAX_VALUE - 1, Long.MIN_VALUE + 1, (259L << 32) | 7, 17, -1L, null);
        Inode link = new Inode(43, FileType.SYMLINK, 0777, 1, 0, 0, 12, 5, 6, 7, 0, 0, 0x1234_5678_9abc_def0L,
                "../ziel/ünï€/" + "x".repeat(300));
        store.write(t -> {
            t.put(big);
            t.put(link);
            return null;
        });
        assertEquals(big, store.read(t -> t.get(42)));
        assertEquals(link, store.read(t -> t.get(43)));
        assertNull(store.read(t -> t.get(42)).symlink());
    }

    @Test
    void shouldShowNotedWriteAtOnceAndLetLaterTransactionsOverrideIt() {
        store.write(t -> {
            t.put(file(70));
            return null;
        });
        store.noteWrite(70, 5000, 77);
        Inode n = store.read(t -> t.get(70));
        assertEquals(5000, n.size());
        assertEquals(77, n.mtimeNs());
        assertEquals(77, n.ctimeNs());
        store.noteWrite(70, 100, 78); // a write below the end never shrinks the file
        assertEquals(new Inode(70, FileType.REGULAR, 0644, 1, 1000, 1000, 5000, 1, 78, 78, 0, 0, 0, null),
                store.write(t -> t.get(70)));
        store.write(t -> { // a truncate that read the noted size replaces it
            Inode c = t.get(70);
            t.put(c.withSize(10, 79, 79));
            return null;
        });
        store.sync();
        assertEquals(10, store.read(t -> t.get(70)).size());
        store.noteWrite(71, 1, 1); // an inode that does not exist stays absent
        store.sync();
        assertNull(store.read(t -> t.get(71)));
        assertEquals(79, store.read(t -> t.get(70)).mtimeNs());
    }

    @Test
    void shouldRoundTripEveryFileType() {
        FileType[] types = FileType.values();
        store.write(t -> {
            for (int i = 0; i < types.length; i++) {
                t.put(new Inode(100 + i, types[i], 0640, 1, 1, 2, i, 1, 2, 3, 0, 0, 0,
                        types[i] == FileType.SYMLINK ? "t" : null));
            }
            return null;
        });
        for (int i = 0; i < types.length; i++) {
            int k = i;
            assertEquals(types[i], store.read(t -> t.get(100 + k)).type());
        }
    }

    @Test
    void shouldReplaceInodeWhenPutTwice() {
        store.write(t -> {
            t.put(file(5));
            return null;
        });
        Inode changed = file(5).withSize(99, 10, 11);
        store.write(t -> {
            t.put(changed);
            return null;
        });
        assertEquals(changed, store.read(t -> t.get(5)));
    }

    @Test
    void shouldReturnNullWhenInodeUnknownOrDeleted() {
        assertNull(store.read(t -> t.get(77)));
        store.write(t -> {
            t.put(file(77));
            return null;
        });
        store.write(t -> {
            t.delete(77);
            return null;
        });
        assertNull(store.read(t -> t.get(77)));
    }

    @Test
    void shouldSeeOwnChangesInsideWriteTxn() {
        store.write(t -> {
            t.put(file(8));
            assertEquals(file(8), t.get(8));
            t.addEntry(DIR, "a", 8);
            assertEquals(8, t.lookup(DIR, "a").child());
            assertEquals(1, t.list(DIR, 0, 10).size());
            assertFalse(t.isEmpty(DIR));
            assertTrue(t.removeEntry(DIR, "a"));
            assertNull(t.lookup(DIR, "a"));
            assertTrue(t.isEmpty(DIR));
            t.delete(8);
            assertNull(t.get(8));
            return null;
        });
    }

    // ---------------------------------------------------------------- ids

    @Test
    void shouldAllocateIncreasingIdsAfterRoot() {
        long prev = MetadataStore.ROOT_ID;
        for (int i = 0; i < 2000; i++) {
            long id = store.write(MetadataTxn::allocateId);
            assertTrue(id > prev, "id " + id + " after " + prev);
            prev = id;
        }
    }

    @Test
    void shouldAllocateUniqueIdsWhenManyThreadsAllocate() throws Exception {
        int threads = 16;
        int perThread = 300;
        Set<Long> all = ConcurrentHashMap.newKeySet();
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                fs.add(ex.submit(() -> {
                    long prev = 0;
                    for (int k = 0; k < perThread; k++) {
                        long id = store.write(MetadataTxn::allocateId);
                        assertTrue(id > prev && id > MetadataStore.ROOT_ID);
                        assertTrue(all.add(id), "duplicate id " + id);
                        prev = id;
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        assertEquals(threads * perThread, all.size());
    }

    // ---------------------------------------------------------------- entries

    @Test
    void shouldAddLookupAndRemoveEntry() {
        putDir(DIR);
        DirEntry e = add(DIR, "hello.txt", 9);
        assertEquals("hello.txt", e.name());
        assertEquals(9, e.child());
        assertEquals(e, store.read(t -> t.lookup(DIR, "hello.txt")));
        assertNull(store.read(t -> t.lookup(DIR, "Hello.txt")));
        assertTrue(remove(DIR, "hello.txt"));
        assertNull(store.read(t -> t.lookup(DIR, "hello.txt")));
        assertFalse(remove(DIR, "hello.txt"));
    }

    @Test
    void shouldKeepDirectoriesSeparate() {
        putDir(DIR);
        putDir(2);
        add(DIR, "x", 10);
        add(2, "x", 11);
        assertEquals(10, store.read(t -> t.lookup(DIR, "x")).child());
        assertEquals(11, store.read(t -> t.lookup(2, "x")).child());
        remove(2, "x");
        assertEquals(10, store.read(t -> t.lookup(DIR, "x")).child());
        assertTrue(isEmpty(2));
    }

    @Test
    void shouldRejectDuplicateNameWhenAddingEntry() {
        putDir(DIR);
        add(DIR, "dup", 3);
        assertThrows(RuntimeException.class, () -> add(DIR, "dup", 4));
        assertEquals(3, store.read(t -> t.lookup(DIR, "dup")).child());
        assertEquals(1, listAll(DIR).size());
    }

    @Test
    void shouldTreatNamesAsExactUnicodeStrings() {
        putDir(DIR);
        String[] names = {"café", "cafe\u0301", "日本語", "a b", "UPPER", "upper", "x".repeat(255)};
        for (int i = 0; i < names.length; i++) {
            add(DIR, names[i], 100 + i);
        }
        for (int i = 0; i < names.length; i++) {
            String n = names[i];
            assertEquals(100 + i, store.read(t -> t.lookup(DIR, n)).child());
        }
    }

    @Test
    void shouldReportEmptinessOfDirectory() {
        putDir(DIR);
        assertTrue(isEmpty(DIR));
        add(DIR, "a", 5);
        assertFalse(isEmpty(DIR));
        remove(DIR, "a");
        assertTrue(isEmpty(DIR));
    }

    @Test
    void shouldListInCookieOrderWithStrictlyIncreasingCookies() {
        putDir(DIR);
        List<DirEntry> added = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            added.add(add(DIR, "n" + (199 - i), 1000 + i)); // names in reverse lexical order
        }
        for (int i = 1; i < added.size(); i++) {
            assertTrue(added.get(i).cookie() > added.get(i - 1).cookie());
        }
        assertTrue(added.getFirst().cookie() > 0);
        assertEquals(added, listAll(DIR));
    }

    @Test
    void shouldPageWithAfterCookie() {
        putDir(DIR);
        for (int i = 0; i < 95; i++) {
            add(DIR, "f" + i, 10 + i);
        }
        List<DirEntry> seen = new ArrayList<>();
        long cookie = 0;
        while (true) {
            long c = cookie;
            List<DirEntry> page = store.read(t -> t.list(DIR, c, 10));
            assertTrue(page.size() <= 10);
            if (page.isEmpty()) {
                break;
            }
            for (DirEntry e : page) {
                assertTrue(e.cookie() > c);
            }
            seen.addAll(page);
            cookie = page.getLast().cookie();
        }
        assertEquals(listAll(DIR), seen);
        assertEquals(95, seen.size());
        assertEquals(List.of(), store.read(t -> t.list(DIR, seen.getLast().cookie(), 10)));
    }

    @Test
    void shouldGiveLargerCookiesAfterRemovals() {
        putDir(DIR);
        long max = 0;
        for (int i = 0; i < 10; i++) {
            max = Math.max(max, add(DIR, "e" + i, 10 + i).cookie());
        }
        for (int i = 0; i < 10; i++) {
            remove(DIR, "e" + i); // including the newest: its cookie must not come back
        }
        assertTrue(isEmpty(DIR));
        DirEntry again = add(DIR, "e9", 50);
        assertTrue(again.cookie() > max, again.cookie() + " <= " + max);
        DirEntry other = add(DIR, "z", 51);
        assertTrue(other.cookie() > again.cookie());
    }

    @Test
    void shouldListEveryStableEntryExactlyOnceWhileEntriesComeAndGo() {
        putDir(DIR);
        Set<String> stable = new HashSet<>();
        List<String> removable = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            String n = "s" + i;
            add(DIR, n, 10_000 + i);
            if (i % 3 == 0) {
                removable.add(n);
            } else {
                stable.add(n);
            }
        }
        Map<String, Integer> seen = new HashMap<>();
        long cookie = 0;
        int round = 0;
        int fresh = 0;
        while (true) {
            long c = cookie;
            List<DirEntry> page = store.read(t -> t.list(DIR, c, 23));
            if (page.isEmpty()) {
                break;
            }
            for (DirEntry e : page) {
                seen.merge(e.name(), 1, Integer::sum);
            }
            cookie = page.getLast().cookie();
            // between pages: remove some (seen and unseen), add new ones
            for (int k = 0; k < 3 && !removable.isEmpty(); k++) {
                String victim = removable.remove((round * 7 + k * 31) % removable.size());
                assertTrue(remove(DIR, victim));
            }
            if (round < 20) { // bounded, or the listing would chase its own additions forever
                add(DIR, "new" + fresh++, 50_000 + fresh);
            }
            round++;
        }
        for (String s : stable) {
            assertEquals(1, seen.getOrDefault(s, 0), "stable entry " + s);
        }
        for (Map.Entry<String, Integer> e : seen.entrySet()) {
            assertEquals(1, e.getValue(), "entry seen twice: " + e.getKey());
        }
        assertTrue(seen.keySet().stream().anyMatch(n -> n.startsWith("new")), "entries added later are listed");
    }

    @Test
    void shouldReturnEmptyListWhenDirectoryUnknown() {
        assertEquals(List.of(), store.read(t -> t.list(12345, 0, 10)));
        assertNull(store.read(t -> t.lookup(12345, "x")));
        assertTrue(isEmpty(12345));
    }

    // ---------------------------------------------------------------- transactions

    @Test
    void shouldRollBackAllChangesWhenWriteThrows() {
        putDir(DIR);
        store.write(t -> {
            t.put(file(20));
            t.put(file(21));
            t.addEntry(DIR, "keep", 20);
            t.addEntry(DIR, "gone", 21);
            return null;
        });
        List<DirEntry> listBefore = listAll(DIR);
        Inode dirBefore = store.read(t -> t.get(DIR));
        class Boom extends RuntimeException {
        }
        assertThrows(Boom.class, () -> store.write(t -> {
            t.put(file(30));
            t.addEntry(DIR, "new", 30);
            t.put(file(20).withSize(5000, 9, 9));
            t.removeEntry(DIR, "gone");
            t.delete(21);
            t.removeEntry(DIR, "keep");
            t.addEntry(DIR, "keep", 30);
            t.put(dirBefore.touched(123));
            throw new Boom();
        }));
        assertNull(store.read(t -> t.get(30)));
        assertEquals(file(20), store.read(t -> t.get(20)));
        assertEquals(file(21), store.read(t -> t.get(21)));
        assertEquals(dirBefore, store.read(t -> t.get(DIR)));
        assertEquals(listBefore, listAll(DIR));
        assertNull(store.read(t -> t.lookup(DIR, "new")));
        assertEquals(20, store.read(t -> t.lookup(DIR, "keep")).child());
        assertEquals(21, store.read(t -> t.lookup(DIR, "gone")).child());
    }

    @Test
    void shouldStayUsableAfterRollback() {
        putDir(DIR);
        assertThrows(IllegalStateException.class, () -> store.write(t -> {
            t.addEntry(DIR, "a", 5);
            throw new IllegalStateException("abort");
        }));
        DirEntry e = add(DIR, "a", 6);
        assertEquals(6, e.child());
        assertEquals(List.of(e), listAll(DIR));
    }

    @Test
    void shouldReturnResultOfWork() {
        assertEquals("r", store.write(t -> "r"));
        assertEquals(7, (int) store.<Integer>read(t -> 7));
    }

    @Test
    void shouldThrowUnsupportedWhenMutatingInReadTxn() {
        putDir(DIR);
        store.read(t -> {
            assertThrows(UnsupportedOperationException.class, () -> t.put(file(3)));
            assertThrows(UnsupportedOperationException.class, () -> t.delete(DIR));
            assertThrows(UnsupportedOperationException.class, t::allocateId);
            assertThrows(UnsupportedOperationException.class, () -> t.addEntry(DIR, "x", 3));
            assertThrows(UnsupportedOperationException.class, () -> t.removeEntry(DIR, "x"));
            return null;
        });
        assertNull(store.read(t -> t.get(3)));
        assertNotNull(store.read(t -> t.get(DIR)));
    }

    @Test
    void shouldSeeConsistentSnapshotInReadTxn() throws Exception {
        putDir(DIR);
        store.write(t -> {
            t.put(file(60));
            t.addEntry(DIR, "a", 60);
            return null;
        });
        CountDownLatch writerDone = new CountDownLatch(1);
        Thread[] writer = new Thread[1];
        store.read(t -> {
            Inode first = t.get(60);
            List<DirEntry> firstList = t.list(DIR, 0, 100);
            writer[0] = Thread.ofVirtual().start(() -> {
                store.write(w -> {
                    w.put(file(60).withSize(1, 1, 1));
                    w.addEntry(DIR, "b", 61);
                    w.removeEntry(DIR, "a");
                    return null;
                });
                writerDone.countDown();
            });
            try {
                writerDone.await(300, TimeUnit.MILLISECONDS); // a store may block the writer or not
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            assertEquals(first, t.get(60));
            assertEquals(firstList, t.list(DIR, 0, 100));
            assertNull(t.lookup(DIR, "b"));
            assertNotNull(t.lookup(DIR, "a"));
            return null;
        });
        writer[0].join(10_000);
        assertTrue(writerDone.await(10, TimeUnit.SECONDS));
        assertEquals(1, store.read(t -> t.get(60)).size());
        assertNull(store.read(t -> t.lookup(DIR, "a")));
    }

    @Test
    void shouldNotLoseUpdatesWhenManyThreadsWrite() throws Exception {
        putDir(DIR);
        store.write(t -> {
            t.put(file(70));
            return null;
        });
        int threads = 32;
        int perThread = 50;
        try (ExecutorService ex = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int th = i;
                fs.add(ex.submit(() -> {
                    for (int k = 0; k < perThread; k++) {
                        int kk = k;
                        store.write(t -> {
                            Inode n = t.get(70);
                            t.put(n.withSize(n.size() + 1, 0, 0));
                            t.addEntry(DIR, "t" + th + "-" + kk, 70);
                            return null;
                        });
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get();
            }
        }
        assertEquals(threads * perThread, store.read(t -> t.get(70)).size());
        List<DirEntry> all = listAll(DIR);
        assertEquals(threads * perThread, all.size());
        assertEquals(all.size(), all.stream().map(DirEntry::cookie).distinct().count());
    }
}
