package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.GetOp;
import org.lmdbjava.Txn;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The extended attributes of {@link LmdbMetadataStore}: one key per attribute in the {@code meta}
 * database, {@code 0x03 | id u64 | name UTF-8 -> value}, so an inode's attributes are one key
 * range in name byte order, listed by one cursor walk and deleted with the inode. Values are
 * copied out of the map before they are returned. LMDB failures propagate as
 * {@link org.lmdbjava.LmdbException} for the calling transaction to map.
 *
 * <p>Stateless: each call works on the transaction and key buffer it is handed, on the thread
 * that runs that transaction.
 */
final class LmdbXattrs {
    private static final int PREFIX = 9;

    private LmdbXattrs() {
    }

    /** {@code TAG_XATTR | id | name}, or null if the name cannot fit a key (so it cannot be stored). */
    private static ByteBuffer key(ByteBuffer k, long id, byte[] name) {
        if (PREFIX + name.length > k.capacity() - 16) {
            return null;
        }
        k.clear();
        k.put(LmdbCodec.TAG_XATTR).putLong(id).put(name);
        return k.flip();
    }

    static byte[] get(Dbi<ByteBuffer> meta, Txn<ByteBuffer> txn, ByteBuffer k, long id, String name) {
        ByteBuffer key = key(k, id, name.getBytes(StandardCharsets.UTF_8));
        if (key == null) {
            return null;
        }
        ByteBuffer v = meta.get(txn, key);
        if (v == null) {
            return null;
        }
        byte[] out = new byte[v.remaining()];
        v.duplicate().get(out);
        return out;
    }

    static List<String> list(Dbi<ByteBuffer> meta, Txn<ByteBuffer> txn, ByteBuffer k, long id) {
        List<String> out = new ArrayList<>();
        try (Cursor<ByteBuffer> c = meta.openCursor(txn)) {
            k.clear();
            k.put(LmdbCodec.TAG_XATTR).putLong(id).flip();
            boolean found = c.get(k, GetOp.MDB_SET_RANGE);
            while (found) {
                ByteBuffer key = c.key();
                int p = key.position();
                if (key.remaining() < PREFIX || key.get(p) != LmdbCodec.TAG_XATTR || key.getLong(p + 1) != id) {
                    break;
                }
                byte[] name = new byte[key.remaining() - PREFIX];
                key.duplicate().position(p + PREFIX).get(name);
                out.add(new String(name, StandardCharsets.UTF_8));
                found = c.next();
            }
        }
        return out;
    }

    /** Stores a value; {@code val} is a scratch buffer of at least {@code value.length} bytes. */
    static void put(Dbi<ByteBuffer> meta, Txn<ByteBuffer> txn, ByteBuffer k, ByteBuffer val, long id, String name,
                    byte[] value) {
        ByteBuffer key = key(k, id, name.getBytes(StandardCharsets.UTF_8));
        if (key == null) {
            throw new FsException(FsError.NAME_TOO_LONG, "xattr name does not fit an LMDB key");
        }
        val.clear();
        val.put(value).flip();
        meta.put(txn, key, val);
    }

    static boolean remove(Dbi<ByteBuffer> meta, Txn<ByteBuffer> txn, ByteBuffer k, long id, String name) {
        ByteBuffer key = key(k, id, name.getBytes(StandardCharsets.UTF_8));
        return key != null && meta.delete(txn, key);
    }

    /** Deletes every attribute of {@code id} (the inode is being deleted). */
    static void removeAll(Dbi<ByteBuffer> meta, Txn<ByteBuffer> txn, ByteBuffer k, long id) {
        for (String name : list(meta, txn, k, id)) {
            remove(meta, txn, k, id, name);
        }
    }
}
