package io.dittofs.protocols.nfs.v4;

import io.dittofs.protocols.XdrArgs;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

import static io.dittofs.protocols.nfs.v4.Fattr4.*;

/**
 * Parses a {@code fattr4} in tests, independently of the server's encoder: a map from attribute
 * number to Integer, Long, Boolean, String, long[] (fsid, times as {seconds, nanos}, bitmaps) or
 * byte[] (filehandle). Not thread-safe.
 */
final class Attrs4 {
    private Attrs4() {
    }

    static long[] readBitmap(ByteBuffer b) {
        int n = b.getInt();
        long[] w = new long[n];
        for (int i = 0; i < n; i++) {
            w[i] = b.getInt() & 0xFFFF_FFFFL;
        }
        return w;
    }

    static boolean has(long[] words, int attr) {
        return attr / 32 < words.length && (words[attr / 32] & (1L << (attr % 32))) != 0;
    }

    static Map<Integer, Object> read(ByteBuffer b) {
        long[] mask = readBitmap(b);
        int len = b.getInt();
        int end = b.position() + len;
        Map<Integer, Object> out = new HashMap<>();
        for (int a = 0; a < mask.length * 32; a++) {
            if (!has(mask, a)) {
                continue;
            }
            out.put(a, switch (a) {
                case TYPE, FH_EXPIRE_TYPE, LEASE_TIME, RDATTR_ERROR, ACLSUPPORT, MAXLINK, MAXNAME, MODE, NUMLINKS ->
                        b.getInt();
                case CHANGE, SIZE, FILEID, FILES_AVAIL, FILES_FREE, FILES_TOTAL, MAXFILESIZE, MAXREAD, MAXWRITE,
                     SPACE_AVAIL, SPACE_FREE, SPACE_TOTAL, SPACE_USED, MOUNTED_ON_FILEID -> b.getLong();
                case LINK_SUPPORT, SYMLINK_SUPPORT, NAMED_ATTR, UNIQUE_HANDLES, CANSETTIME, CASE_INSENSITIVE,
                     CASE_PRESERVING, CHOWN_RESTRICTED, HIDDEN, HOMOGENEOUS, NO_TRUNC, SYSTEM, XATTR_SUPPORT -> b.getInt() == 1;
                case FSID -> new long[] {b.getLong(), b.getLong()};
                case TIME_ACCESS, TIME_DELTA, TIME_METADATA, TIME_MODIFY -> new long[] {b.getLong(), b.getInt()};
                case RAWDEV -> new long[] {b.getInt(), b.getInt()};
                case FILEHANDLE -> XdrArgs.readOpaque(b);
                case OWNER, OWNER_GROUP -> XdrArgs.readString(b);
                case FS_LOCATIONS -> new long[] {b.getInt(), b.getInt()};
                case SUPPORTED_ATTRS, SUPPATTR_EXCLCREAT -> readBitmap(b);
                default -> throw new AssertionError("unexpected attribute " + a);
            });
        }
        if (b.position() != end) {
            throw new AssertionError("attr_vals length " + len + " but parsed " + (b.position() - end + len));
        }
        return out;
    }
}
