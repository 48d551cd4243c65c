package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.DirEntry;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.core.spi.MetadataTxn;
import io.dittofs.core.spi.ReadOnlyMetadataTxn;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.GetOp;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A read-only {@link MetadataTxn} over one LMDB read transaction; {@link LmdbWriteTxn} adds the
 * mutators. Every value is decoded into a record before the method returns, so nothing handed
 * out aliases the map.
 *
 * <p>Not thread-safe: used by the thread running the transaction's work, and only while it
 * runs ({@link #end()} makes later calls fail).
 */
class LmdbTxn implements ReadOnlyMetadataTxn {
    /** The store's databases; handles are shared by all transactions. */
    record Dbs(Dbi<ByteBuffer> inodes, Dbi<ByteBuffer> entries, Dbi<ByteBuffer> cookies, Dbi<ByteBuffer> meta) {
    }

    final Dbs dbs;
    final Txn<ByteBuffer> txn;
    /** A direct buffer of at least 8 + max key size bytes, owned by this transaction. */
    final ByteBuffer key;
    final int maxNameBytes;
    /** Size/mtime changes of writes not in LMDB yet, overlaid on every inode read. */
    final PendingWrites pending;
    private boolean active = true;
    /** Read transactions: what they found, offered to the read cache afterwards (null until then). */
    private final boolean recordReads;
    Map<Long, Inode> readInodes;
    Map<LmdbReadCache.Name, DirEntry> readEntries;

    LmdbTxn(Dbs dbs, Txn<ByteBuffer> txn, ByteBuffer key, int maxNameBytes, PendingWrites pending,
            boolean recordReads) {
        this.recordReads = recordReads;
        this.dbs = dbs;
        this.txn = txn;
        this.key = key;
        this.maxNameBytes = maxNameBytes;
        this.pending = pending;
    }

    /** Called when the work returns or throws; the transaction object is dead afterwards. */
    final void end() {
        active = false;
    }

    final void checkActive() {
        if (!active) {
            throw new IllegalStateException("transaction has ended");
        }
    }

    /** Turns a native failure into the store's error currency; write transactions also record it. */
    RuntimeException failed(LmdbException e) {
        return new FsException(FsError.IO, "LMDB: " + e.getMessage(), e);
    }

    /** The inode with the pending change of its writes applied, or null. */
    @Override
    public Inode get(long id) {
        Inode n = stored(id);
        if (n == null) {
            return null;
        }
        PendingWrites.Pending p = pendingFor(id);
        if (p == null) {
            return n;
        }
        readPending(id, p);
        return p.applyTo(n);
    }

    /** The inode as this transaction's snapshot of LMDB holds it (no pending change), or null. */
    final Inode stored(long id) {
        checkActive();
        try {
            ByteBuffer v = dbs.inodes().get(txn, LmdbCodec.idKey(key, id));
            if (v == null) {
                return null;
            }
            Inode n = LmdbCodec.decodeInode(id, v);
            if (recordReads) {
                if (readInodes == null) {
                    readInodes = new HashMap<>();
                }
                readInodes.put(id, n);
            }
            return n;
        } catch (LmdbException e) {
            throw failed(e);
        }
    }

    /** The pending change {@link #get} applies to inode {@code id}, or null. */
    PendingWrites.Pending pendingFor(long id) {
        return pending.get(id);
    }

    /** {@link #get} handed out {@code id} with pending change {@code p} applied. */
    void readPending(long id, PendingWrites.Pending p) {
    }

    @Override
    public DirEntry lookup(long dir, String name) {
        checkActive();
        byte[] n = LmdbCodec.utf8(name);
        if (n.length > maxNameBytes) {
            return null; // could never have been added
        }
        try {
            ByteBuffer v = dbs.entries().get(txn, LmdbCodec.entryKey(key, dir, n));
            DirEntry e = v == null ? null : new DirEntry(name, v.getLong(v.position()), v.getLong(v.position() + 8));
            if (recordReads) { // an absence too: the cache answers the next LOOKUP of the name
                if (readEntries == null) {
                    readEntries = new HashMap<>();
                }
                readEntries.put(new LmdbReadCache.Name(dir, name), e == null ? LmdbReadCache.ABSENT : e);
            }
            return e;
        } catch (LmdbException e) {
            throw failed(e);
        }
    }

    @Override
    public List<DirEntry> list(long dir, long afterCookie, int max) {
        checkActive();
        long from = Math.max(afterCookie, 0);
        if (max <= 0 || from == Long.MAX_VALUE) {
            return List.of();
        }
        List<DirEntry> out = new ArrayList<>(Math.min(max, 256));
        try (Cursor<ByteBuffer> c = dbs.cookies().openCursor(txn)) {
            boolean found = c.get(LmdbCodec.cookieKey(key, dir, from + 1), GetOp.MDB_SET_RANGE);
            while (found && out.size() < max) {
                ByteBuffer k = c.key();
                if (k.getLong(k.position()) != dir) {
                    break;
                }
                out.add(LmdbCodec.decodeCookieEntry(k, c.val()));
                found = c.next();
            }
        } catch (LmdbException e) {
            throw failed(e);
        }
        return out;
    }

    @Override
    public boolean isEmpty(long dir) {
        checkActive();
        try (Cursor<ByteBuffer> c = dbs.cookies().openCursor(txn)) {
            if (!c.get(LmdbCodec.cookieKey(key, dir, 0), GetOp.MDB_SET_RANGE)) {
                return true;
            }
            ByteBuffer k = c.key();
            return k.getLong(k.position()) != dir;
        } catch (LmdbException e) {
            throw failed(e);
        }
    }

    @Override
    public byte[] getXattr(long id, String name) {
        checkActive();
        try {
            return LmdbXattrs.get(dbs.meta(), txn, key, id, name);
        } catch (LmdbException e) {
            throw failed(e);
        }
    }

    @Override
    public List<String> listXattrs(long id) {
        checkActive();
        try {
            return LmdbXattrs.list(dbs.meta(), txn, key, id);
        } catch (LmdbException e) {
            throw failed(e);
        }
    }
}
