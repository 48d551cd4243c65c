package io.dittofs.storage.metadata.memory;

import io.dittofs.core.DirEntry;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.core.spi.MetadataStore;
import io.dittofs.core.spi.MetadataTxn;
import io.dittofs.core.spi.ReadOnlyMetadataTxn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A volatile {@link MetadataStore} on the Java heap, for tests and scratch shares.
 *
 * <p>Transactions: a {@link ReentrantReadWriteLock} admits many readers or one writer. A write
 * transaction changes the live maps directly and records an undo action for every change; if its
 * work throws, the undo log is replayed in reverse, so readers (excluded while it runs) only ever
 * see committed states. Readers hold the lock for their whole transaction, which makes each read
 * transaction a consistent snapshot. A read transaction must not start a write transaction on the
 * same thread (the lock cannot be upgraded).
 *
 * <p>Directories keep their entries in a {@link TreeMap} by cookie (for READDIR order) and a
 * {@link HashMap} by name (for LOOKUP). Cookies start at 1 and grow per directory; they are never
 * handed out twice, even after the entry holding one is removed. Inode numbers start after
 * {@link #ROOT_ID}. Extended attributes live in a {@link TreeMap} per inode, ordered by code point
 * (the UTF-8 byte order of the other backends); values are copied in and out.
 *
 * <p>Thread-safe.
 */
public final class MemoryMetadataStore implements MetadataStore {
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final Map<Long, Inode> inodes = new HashMap<>();
    private final Map<Long, Directory> dirs = new HashMap<>();
    /** Extended attributes per inode, by name in code-point order; values are never handed out. */
    private final Map<Long, TreeMap<String, byte[]>> xattrs = new HashMap<>();
    private final AtomicLong lastId = new AtomicLong(ROOT_ID);
    private volatile boolean closed;

    /** The entries of one directory; guarded by the store lock. */
    private static final class Directory {
        final TreeMap<Long, DirEntry> byCookie = new TreeMap<>();
        final HashMap<String, DirEntry> byName = new HashMap<>();
        long lastCookie;

        void insert(DirEntry e) {
            byCookie.put(e.cookie(), e);
            byName.put(e.name(), e);
        }

        void erase(DirEntry e) {
            byCookie.remove(e.cookie());
            byName.remove(e.name());
        }
    }

    public MemoryMetadataStore() {
    }

    @Override
    public <T> T read(TxnWork<T> work) {
        checkOpen();
        lock.readLock().lock();
        ReadTxn txn = new ReadTxn();
        try {
            return work.run(txn);
        } finally {
            txn.active = false;
            lock.readLock().unlock();
        }
    }

    @Override
    public <T> T write(TxnWork<T> work) {
        checkOpen();
        lock.writeLock().lock();
        WriteTxn txn = new WriteTxn();
        boolean committed = false;
        try {
            T result = work.run(txn);
            committed = true;
            return result;
        } finally {
            txn.active = false;
            if (!committed) {
                txn.rollback();
            }
            lock.writeLock().unlock();
        }
    }

    @Override
    public StoreStats stats() {
        lock.readLock().lock();
        try {
            return new StoreStats(inodes.size(), -1);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public String kind() {
        return "memory";
    }

    @Override
    public void close() {
        closed = true;
    }

    /** Code-point order, which is the byte order of the names' UTF-8 encodings. */
    private static int byCodePoint(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    private void checkOpen() {
        if (closed) {
            throw MetadataStore.closed();
        }
    }

    /** The read primitives; valid only while its transaction runs. */
    private class ReadTxn implements ReadOnlyMetadataTxn {
        boolean active = true;

        final void checkActive() {
            if (!active) {
                throw new IllegalStateException("transaction has ended");
            }
        }

        @Override
        public Inode get(long id) {
            checkActive();
            return inodes.get(id);
        }

        @Override
        public DirEntry lookup(long dir, String name) {
            checkActive();
            Directory d = dirs.get(dir);
            return d == null ? null : d.byName.get(name);
        }

        @Override
        public List<DirEntry> list(long dir, long afterCookie, int max) {
            checkActive();
            Directory d = dirs.get(dir);
            if (d == null || max <= 0) {
                return List.of();
            }
            List<DirEntry> out = new ArrayList<>(Math.min(max, 256));
            for (DirEntry e : d.byCookie.tailMap(afterCookie, false).values()) {
                if (out.size() == max) {
                    break;
                }
                out.add(e);
            }
            return out;
        }

        @Override
        public boolean isEmpty(long dir) {
            checkActive();
            Directory d = dirs.get(dir);
            return d == null || d.byCookie.isEmpty();
        }

        @Override
        public byte[] getXattr(long id, String name) {
            checkActive();
            TreeMap<String, byte[]> m = xattrs.get(id);
            byte[] v = m == null ? null : m.get(name);
            return v == null ? null : v.clone();
        }

        @Override
        public List<String> listXattrs(long id) {
            checkActive();
            TreeMap<String, byte[]> m = xattrs.get(id);
            return m == null ? List.of() : List.copyOf(m.keySet());
        }
    }

    /** Applies changes in place under the write lock, remembering how to undo each. */
    private final class WriteTxn extends ReadTxn {
        private final Deque<Runnable> undo = new ArrayDeque<>();

        void rollback() {
            while (!undo.isEmpty()) {
                undo.pop().run();
            }
        }

        @Override
        public void put(Inode inode) {
            checkActive();
            Inode old = inodes.put(inode.id(), inode);
            undo.push(() -> restore(inode.id(), old));
        }

        @Override
        public void delete(long id) {
            checkActive();
            Inode old = inodes.remove(id);
            Directory d = dirs.get(id);
            if (d != null && d.byCookie.isEmpty()) {
                dirs.remove(id);
                undo.push(() -> dirs.put(id, d));
            }
            if (old != null) {
                undo.push(() -> restore(id, old));
            }
            TreeMap<String, byte[]> x = xattrs.remove(id);
            if (x != null) {
                undo.push(() -> xattrs.put(id, x));
            }
        }

        @Override
        public void setXattr(long id, String name, byte[] value) {
            checkActive();
            TreeMap<String, byte[]> m = xattrs.get(id);
            if (m == null) {
                TreeMap<String, byte[]> created = new TreeMap<>(MemoryMetadataStore::byCodePoint);
                xattrs.put(id, created);
                undo.push(() -> xattrs.remove(id));
                m = created;
            }
            TreeMap<String, byte[]> target = m;
            byte[] old = target.put(name, value.clone());
            undo.push(() -> {
                if (old == null) {
                    target.remove(name);
                } else {
                    target.put(name, old);
                }
            });
        }

        @Override
        public boolean removeXattr(long id, String name) {
            checkActive();
            TreeMap<String, byte[]> m = xattrs.get(id);
            byte[] old = m == null ? null : m.remove(name);
            if (old == null) {
                return false;
            }
            undo.push(() -> m.put(name, old));
            return true;
        }

        private void restore(long id, Inode old) {
            if (old == null) {
                inodes.remove(id);
            } else {
                inodes.put(id, old);
            }
        }

        @Override
        public long allocateId() {
            checkActive();
            // not undone: an id handed out once is never handed out again
            return lastId.incrementAndGet();
        }

        @Override
        public DirEntry addEntry(long dir, String name, long child) {
            checkActive();
            Directory d = dirs.get(dir);
            if (d == null) {
                Directory created = new Directory();
                dirs.put(dir, created);
                undo.push(() -> dirs.remove(dir));
                d = created;
            }
            if (d.byName.containsKey(name)) {
                throw new FsException(FsError.EXISTS, name);
            }
            // the cookie counter is not undone: cookies only need to grow
            DirEntry e = new DirEntry(name, child, ++d.lastCookie);
            d.insert(e);
            Directory target = d;
            undo.push(() -> target.erase(e));
            return e;
        }

        @Override
        public boolean removeEntry(long dir, String name) {
            checkActive();
            Directory d = dirs.get(dir);
            DirEntry e = d == null ? null : d.byName.get(name);
            if (e == null) {
                return false;
            }
            d.erase(e);
            undo.push(() -> d.insert(e));
            return true;
        }
    }
}
