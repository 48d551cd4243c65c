package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.DirEntry;
import io.dittofs.core.FileType;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.core.spi.MetadataStore;
import org.lmdbjava.Env;
import org.lmdbjava.LmdbException;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The read-write {@link io.dittofs.core.spi.MetadataTxn} of {@link LmdbMetadataStore}. It only
 * ever runs on the store's writer thread, which owns the LMDB write transaction and the scratch
 * buffers in {@link Writer}.
 *
 * <p>A native failure inside the work is remembered ({@link #mapFull}, {@link #failure}) even if
 * the work swallows the exception, because LMDB has already poisoned the transaction: the store
 * then aborts instead of committing.
 *
 * <p>Not thread-safe (writer thread only).
 */
final class LmdbWriteTxn extends LmdbTxn {

    /** What the writer thread keeps from one transaction to the next; confined to that thread. */
    static final class Writer {
        final ByteBuffer key;
        final ByteBuffer key2;
        private ByteBuffer val = ByteBuffer.allocateDirect(512);
        /**
         * The highest id handed out in this process, committed or not: an aborted transaction
         * rolls the persisted counter back, but its ids are still never handed out twice.
         */
        long idFloor;

        Writer(int keyCapacity) {
            key = ByteBuffer.allocateDirect(keyCapacity);
            key2 = ByteBuffer.allocateDirect(keyCapacity);
        }

        ByteBuffer val(int size) {
            if (val.capacity() < size) {
                val = ByteBuffer.allocateDirect(Math.max(size, 2 * val.capacity()));
            }
            return val;
        }
    }

    private final Writer w;
    /** MDB_MAP_FULL was hit: abort, grow the map and run the work again. */
    boolean mapFull;
    /** Another native failure: abort and report it. */
    FsException failure;
    /**
     * The work began to change the transaction (set before the first change is tried). A work
     * that fails before any change leaves the batch it shares a transaction with untouched.
     */
    boolean wrote;
    /** Pending changes this transaction read with their inode (null until the first). */
    private Map<Long, PendingWrites.Pending> read;
    /** Pending changes this transaction wrote into LMDB: dropped from memory once it commits. */
    private List<Map.Entry<Long, PendingWrites.Pending>> persisted;
    /** Inodes written (null value: deleted), for the read cache once this commits; null until the first. */
    Map<Long, Inode> changedInodes;
    /** Directory entries added (null value: removed), for the read cache. */
    Map<LmdbReadCache.Name, DirEntry> changedEntries;

    private void changed(long id, Inode n) {
        if (changedInodes == null) {
            changedInodes = new HashMap<>();
        }
        changedInodes.put(id, n);
    }

    private void changed(long dir, String name, DirEntry e) {
        if (changedEntries == null) {
            changedEntries = new HashMap<>();
        }
        changedEntries.put(new LmdbReadCache.Name(dir, name), e);
    }

    /**
     * Pending changes that earlier works of the same batch (one LMDB transaction, see
     * {@code LmdbMetadataStore.commitBatch}) already wrote into it; they stay in memory until the
     * batch commits, and must not be applied again over what those works wrote (a truncate's size
     * would grow back to an earlier WRITE's end). Null outside a batch.
     */
    private final Map<Long, PendingWrites.Pending> batchPersisted;

    LmdbWriteTxn(Dbs dbs, Txn<ByteBuffer> txn, Writer w, int maxNameBytes, PendingWrites pending) {
        this(dbs, txn, w, maxNameBytes, pending, null);
    }

    LmdbWriteTxn(Dbs dbs, Txn<ByteBuffer> txn, Writer w, int maxNameBytes, PendingWrites pending,
            Map<Long, PendingWrites.Pending> batchPersisted) {
        super(dbs, txn, w.key, maxNameBytes, pending, false);
        this.w = w;
        this.batchPersisted = batchPersisted;
    }

    @Override
    PendingWrites.Pending pendingFor(long id) {
        PendingWrites.Pending p = pending.get(id);
        return p != null && alreadyWritten(id, p) ? null : p;
    }

    private boolean alreadyWritten(long id, PendingWrites.Pending p) {
        return batchPersisted != null && batchPersisted.get(id) == p;
    }

    /** After this work succeeded in a batch: later works of the batch must not apply what it wrote. */
    void shareWithBatch() {
        if (persisted != null && batchPersisted != null) {
            for (Map.Entry<Long, PendingWrites.Pending> e : persisted) {
                batchPersisted.put(e.getKey(), e.getValue());
            }
        }
    }

    @Override
    void readPending(long id, PendingWrites.Pending p) {
        if (read == null) {
            read = new HashMap<>();
        }
        read.put(id, p);
    }

    /** A put or delete of {@code id} carries the pending change it was read with, if any. */
    private void supersede(long id) {
        PendingWrites.Pending p = read == null ? null : read.remove(id);
        if (p != null) {
            persisted(id, p);
        }
    }

    private void persisted(long id, PendingWrites.Pending p) {
        if (persisted == null) {
            persisted = new ArrayList<>();
        }
        persisted.add(Map.entry(id, p));
    }

    /** Writes every pending change into this transaction (a flush). */
    void applyPending() {
        for (Map.Entry<Long, PendingWrites.Pending> e : pending.entries()) {
            long id = e.getKey();
            PendingWrites.Pending p = e.getValue();
            Inode n = stored(id);
            if (n != null && !alreadyWritten(id, p)) {
                putStored(p.applyTo(n));
            }
            persisted(id, p); // a gone inode needs its entry no more
        }
    }

    /** After the commit, on the writer thread: the pending changes it persisted leave memory. */
    void committed() {
        if (persisted != null) {
            for (Map.Entry<Long, PendingWrites.Pending> e : persisted) {
                pending.persisted(e.getKey(), e.getValue());
            }
        }
    }

    @Override
    RuntimeException failed(LmdbException e) {
        if (e instanceof Env.MapFullException) {
            mapFull = true;
            return new FsException(FsError.NO_SPACE, "LMDB map full");
        }
        FsException f = (FsException) super.failed(e);
        if (failure == null) {
            failure = f;
        }
        return f;
    }

    @Override
    public void put(Inode inode) {
        putStored(inode);
        supersede(inode.id());
    }

    private void putStored(Inode inode) {
        checkActive();
        wrote = true;
        byte[] symlink = inode.symlink() == null ? null : LmdbCodec.utf8(inode.symlink());
        ByteBuffer v = LmdbCodec.encodeInode(w.val(LmdbCodec.inodeSize(symlink)), inode, symlink);
        try {
            dbs.inodes().put(txn, LmdbCodec.idKey(key, inode.id()), v);
            changed(inode.id(), inode);
        } catch (LmdbException e) {
            throw failed(e);
        }
    }

    @Override
    public void delete(long id) {
        checkActive();
        wrote = true;
        try {
            ByteBuffer k = LmdbCodec.idKey(key, id);
            ByteBuffer old = dbs.inodes().get(txn, k);
            supersede(id);
            if (old == null) {
                return;
            }
            boolean dir = LmdbCodec.decodeInode(id, old).type() == FileType.DIRECTORY;
            dbs.inodes().delete(txn, LmdbCodec.idKey(key, id));
            changed(id, null);
            LmdbXattrs.removeAll(dbs.meta(), txn, key, id);
            if (dir && isEmpty(id)) {
                // ids are never reused, so the directory's cookie counter is garbage now
                dbs.meta().delete(txn, LmdbCodec.cookieCounterKey(w.key2, id));
            }
        } catch (LmdbException e) {
            throw failed(e);
        }
    }

    @Override
    public void setXattr(long id, String name, byte[] value) {
        checkActive();
        wrote = true;
        try {
            LmdbXattrs.put(dbs.meta(), txn, key, w.val(value.length), id, name, value);
        } catch (LmdbException e) {
            throw failed(e);
        }
    }

    @Override
    public boolean removeXattr(long id, String name) {
        checkActive();
        wrote = true;
        try {
            return LmdbXattrs.remove(dbs.meta(), txn, key, id, name);
        } catch (LmdbException e) {
            throw failed(e);
        }
    }

    @Override
    public long allocateId() {
        checkActive();
        wrote = true;
        try {
            ByteBuffer k = LmdbCodec.tagKey(w.key2, LmdbCodec.TAG_LAST_ID);
            ByteBuffer v = dbs.meta().get(txn, k);
            long last = Math.max(v == null ? MetadataStore.ROOT_ID : LmdbCodec.readLong(v), w.idFloor);
            long id = last + 1;
            dbs.meta().put(txn, k, LmdbCodec.longValue(w.val(8), id));
            w.idFloor = id;
            return id;
        } catch (LmdbException e) {
            throw failed(e);
        }
    }

    @Override
    public DirEntry addEntry(long dir, String name, long child) {
        checkActive();
        wrote = true;
        byte[] n = LmdbCodec.utf8(name);
        if (n.length > maxNameBytes) {
            throw new FsException(FsError.NAME_TOO_LONG, "name of " + n.length + " bytes");
        }
        try {
            ByteBuffer counterKey = LmdbCodec.cookieCounterKey(w.key2, dir);
            ByteBuffer last = dbs.meta().get(txn, counterKey);
            long cookie = (last == null ? 0 : LmdbCodec.readLong(last)) + 1;
            if (!dbs.entries().put(txn, LmdbCodec.entryKey(key, dir, n),
                    LmdbCodec.entryValue(w.val(16), child, cookie), PutFlags.MDB_NOOVERWRITE)) {
                throw new FsException(FsError.EXISTS, name);
            }
            dbs.meta().put(txn, counterKey, LmdbCodec.longValue(w.val(8), cookie));
            dbs.cookies().put(txn, LmdbCodec.cookieKey(key, dir, cookie),
                    LmdbCodec.cookieValue(w.val(8 + n.length), child, n));
            DirEntry e = new DirEntry(name, child, cookie);
            changed(dir, name, e);
            return e;
        } catch (LmdbException e) {
            throw failed(e);
        }
    }

    @Override
    public boolean removeEntry(long dir, String name) {
        checkActive();
        wrote = true;
        byte[] n = LmdbCodec.utf8(name);
        if (n.length > maxNameBytes) {
            return false;
        }
        try {
            ByteBuffer k = LmdbCodec.entryKey(key, dir, n);
            ByteBuffer v = dbs.entries().get(txn, k);
            if (v == null) {
                return false;
            }
            long cookie = v.getLong(v.position() + 8);
            dbs.entries().delete(txn, k);
            dbs.cookies().delete(txn, LmdbCodec.cookieKey(w.key2, dir, cookie));
            changed(dir, name, null);
            return true;
        } catch (LmdbException e) {
            throw failed(e);
        }
    }
}
