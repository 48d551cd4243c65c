package io.dittofs.storage.metadata.lmdb;

import io.dittofs.core.DirEntry;
import io.dittofs.core.FileType;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Key and value layouts of {@link LmdbMetadataStore} (the class Javadoc there shows the whole
 * layout). Every number is big-endian, so LMDB's byte-wise key order is numeric order for the
 * non-negative ids and cookies the store uses.
 *
 * <p>Encoders write into a caller-owned direct buffer at position 0 and flip it, ready to be
 * passed to LMDB. Decoders read a buffer that aliases LMDB memory and copy everything out into
 * records, so nothing they return outlives its transaction's view of the map.
 *
 * <p>Stateless; thread-safe.
 */
final class LmdbCodec {
    /** The first byte of every inode value; bump it when the layout changes. */
    static final byte INODE_FORMAT_V1 = 1;
    /** Format byte, type byte, 4 ints, 7 longs, symlink length. */
    static final int INODE_FIXED_SIZE = 1 + 1 + 4 * 4 + 7 * 8 + 4;
    /** The store layout version kept under {@link #TAG_FORMAT} in the meta database. */
    static final int STORE_FORMAT = 1;

    static final byte TAG_FORMAT = 0;
    static final byte TAG_LAST_ID = 1;
    static final byte TAG_LAST_COOKIE = 2;
    /** meta: {@code TAG_XATTR | id u64 | name UTF-8 -> value}, one extended attribute. */
    static final byte TAG_XATTR = 3;

    private LmdbCodec() {
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- keys

    /** inodes: {@code id u64}. */
    static ByteBuffer idKey(ByteBuffer k, long id) {
        return k.clear().putLong(0, id).limit(8);
    }

    /** entries: {@code dir u64 | name UTF-8}. */
    static ByteBuffer entryKey(ByteBuffer k, long dir, byte[] name) {
        k.clear();
        k.putLong(dir).put(name);
        return k.flip();
    }

    /** cookies: {@code dir u64 | cookie u64}. */
    static ByteBuffer cookieKey(ByteBuffer k, long dir, long cookie) {
        return k.clear().putLong(0, dir).putLong(8, cookie).limit(16);
    }

    /** meta: a one-byte tag ({@link #TAG_FORMAT}, {@link #TAG_LAST_ID}). */
    static ByteBuffer tagKey(ByteBuffer k, byte tag) {
        return k.clear().put(0, tag).limit(1);
    }

    /** meta: {@code TAG_LAST_COOKIE | dir u64}, the last cookie the directory handed out. */
    static ByteBuffer cookieCounterKey(ByteBuffer k, long dir) {
        return k.clear().put(0, TAG_LAST_COOKIE).putLong(1, dir).limit(9);
    }

    // ---------------------------------------------------------------- values

    static ByteBuffer longValue(ByteBuffer v, long x) {
        return v.clear().putLong(0, x).limit(8);
    }

    static long readLong(ByteBuffer v) {
        check(v, 8);
        return v.getLong(v.position());
    }

    /** entries value: {@code child u64 | cookie u64}. */
    static ByteBuffer entryValue(ByteBuffer v, long child, long cookie) {
        return v.clear().putLong(0, child).putLong(8, cookie).limit(16);
    }

    /** cookies value: {@code child u64 | name UTF-8}. */
    static ByteBuffer cookieValue(ByteBuffer v, long child, byte[] name) {
        v.clear();
        v.putLong(child).put(name);
        return v.flip();
    }

    static DirEntry decodeCookieEntry(ByteBuffer key, ByteBuffer val) {
        check(key, 16);
        check(val, 8);
        long cookie = key.getLong(key.position() + 8);
        long child = val.getLong(val.position());
        byte[] name = new byte[val.remaining() - 8];
        val.get(val.position() + 8, name);
        return new DirEntry(new String(name, StandardCharsets.UTF_8), child, cookie);
    }

    static int inodeSize(byte[] symlink) {
        return INODE_FIXED_SIZE + (symlink == null ? 0 : symlink.length);
    }

    /**
     * {@code format u8 | type u8 | mode, nlink, uid, gid i32 | size, atime, mtime, ctime, rdev,
     * parent, verifier i64 | symlink length i32 (-1 = none) | symlink UTF-8}. The id is the key.
     */
    static ByteBuffer encodeInode(ByteBuffer v, Inode n, byte[] symlink) {
        v.clear();
        v.put(INODE_FORMAT_V1).put((byte) n.type().ordinal())
                .putInt(n.mode()).putInt(n.nlink()).putInt(n.uid()).putInt(n.gid())
                .putLong(n.size()).putLong(n.atimeNs()).putLong(n.mtimeNs()).putLong(n.ctimeNs())
                .putLong(n.rdev()).putLong(n.parent()).putLong(n.verifier());
        if (symlink == null) {
            v.putInt(-1);
        } else {
            v.putInt(symlink.length).put(symlink);
        }
        return v.flip();
    }

    static Inode decodeInode(long id, ByteBuffer v) {
        check(v, INODE_FIXED_SIZE);
        int p = v.position();
        if (v.get(p) != INODE_FORMAT_V1) {
            throw corrupt("inode " + id + " has format " + v.get(p));
        }
        FileType type = FileType.fromOrdinal(v.get(p + 1));
        int len = v.getInt(p + INODE_FIXED_SIZE - 4);
        String symlink = null;
        if (len >= 0) {
            if (len > v.remaining() - INODE_FIXED_SIZE) {
                throw corrupt("inode " + id + " symlink length " + len);
            }
            byte[] target = new byte[len];
            v.get(p + INODE_FIXED_SIZE, target);
            symlink = new String(target, StandardCharsets.UTF_8);
        }
        int q = p + 2;
        return new Inode(id, type, v.getInt(q), v.getInt(q + 4), v.getInt(q + 8), v.getInt(q + 12),
                v.getLong(q + 16), v.getLong(q + 24), v.getLong(q + 32), v.getLong(q + 40),
                v.getLong(q + 48), v.getLong(q + 56), v.getLong(q + 64), symlink);
    }

    private static void check(ByteBuffer b, int need) {
        if (b.remaining() < need) {
            throw corrupt("value of " + b.remaining() + " bytes, need " + need);
        }
    }

    private static FsException corrupt(String what) {
        return new FsException(FsError.SERVER_FAULT, "corrupt LMDB metadata: " + what);
    }
}
