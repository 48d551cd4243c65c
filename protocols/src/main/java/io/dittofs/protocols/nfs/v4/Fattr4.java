package io.dittofs.protocols.nfs.v4;

import io.dittofs.core.Names;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * {@code bitmap4} and {@code fattr4} (RFC 8881 sections 3.3.7, 5): attribute numbers, the set
 * this server supports, and the encoder of attribute values. Attributes are the mandatory ones
 * and the common recommended ones (see docs/nfsv4.md); ACLs are not supported
 * ({@code aclsupport} 0). Stateless and thread-safe.
 */
public final class Fattr4 {
    public static final int SUPPORTED_ATTRS = 0;
    public static final int TYPE = 1;
    public static final int FH_EXPIRE_TYPE = 2;
    public static final int CHANGE = 3;
    public static final int SIZE = 4;
    public static final int LINK_SUPPORT = 5;
    public static final int SYMLINK_SUPPORT = 6;
    public static final int NAMED_ATTR = 7;
    public static final int FSID = 8;
    public static final int UNIQUE_HANDLES = 9;
    public static final int LEASE_TIME = 10;
    public static final int RDATTR_ERROR = 11;
    public static final int ACL = 12;
    public static final int ACLSUPPORT = 13;
    public static final int CANSETTIME = 15;
    public static final int CASE_INSENSITIVE = 16;
    public static final int CASE_PRESERVING = 17;
    public static final int CHOWN_RESTRICTED = 18;
    public static final int FILEHANDLE = 19;
    public static final int FILEID = 20;
    public static final int FILES_AVAIL = 21;
    public static final int FILES_FREE = 22;
    public static final int FILES_TOTAL = 23;
    public static final int FS_LOCATIONS = 24;
    public static final int HIDDEN = 25;
    public static final int HOMOGENEOUS = 26;
    public static final int MAXFILESIZE = 27;
    public static final int MAXLINK = 28;
    public static final int MAXNAME = 29;
    public static final int MAXREAD = 30;
    public static final int MAXWRITE = 31;
    public static final int MODE = 33;
    public static final int NO_TRUNC = 34;
    public static final int NUMLINKS = 35;
    public static final int OWNER = 36;
    public static final int OWNER_GROUP = 37;
    public static final int RAWDEV = 41;
    public static final int SPACE_AVAIL = 42;
    public static final int SPACE_FREE = 43;
    public static final int SPACE_TOTAL = 44;
    public static final int SPACE_USED = 45;
    public static final int SYSTEM = 46;
    public static final int TIME_ACCESS = 47;
    public static final int TIME_ACCESS_SET = 48;
    public static final int TIME_DELTA = 51;
    public static final int TIME_METADATA = 52;
    public static final int TIME_MODIFY = 53;
    public static final int TIME_MODIFY_SET = 54;
    public static final int MOUNTED_ON_FILEID = 55;
    public static final int SUPPATTR_EXCLCREAT = 75;
    /** RFC 8276 section 8.2: whether the object's file system supports extended attributes (4.2). */
    public static final int XATTR_SUPPORT = 82;

    /**
     * Bitmap words accepted from a client (attributes up to 64 * 32 - 1): unknown attributes must be
     * ignored by GETATTR (RFC 7530 section 16.7.5), so requests naming numbers far past ours still decode.
     */
    public static final int MAX_WORDS = 64;
    /** Largest {@code attr_vals} accepted from a client. */
    public static final int MAX_VALS = 64 * 1024;
    /** READ and WRITE transfer size. */
    public static final int MAX_IO = 1024 * 1024;

    private static final int[] READABLE = {SUPPORTED_ATTRS, TYPE, FH_EXPIRE_TYPE, CHANGE, SIZE, LINK_SUPPORT,
        SYMLINK_SUPPORT, NAMED_ATTR, FSID, UNIQUE_HANDLES, LEASE_TIME, RDATTR_ERROR, ACLSUPPORT, CANSETTIME,
        CASE_INSENSITIVE, CASE_PRESERVING, CHOWN_RESTRICTED, FILEHANDLE, FILEID, FILES_AVAIL, FILES_FREE,
        FILES_TOTAL, FS_LOCATIONS, HIDDEN, HOMOGENEOUS, MAXFILESIZE, MAXLINK, MAXNAME, MAXREAD, MAXWRITE, MODE,
        NO_TRUNC, NUMLINKS, OWNER, OWNER_GROUP, RAWDEV, SPACE_AVAIL, SPACE_FREE, SPACE_TOTAL, SPACE_USED, SYSTEM,
        TIME_ACCESS, TIME_DELTA, TIME_METADATA, TIME_MODIFY, MOUNTED_ON_FILEID, SUPPATTR_EXCLCREAT};
    /** What SETATTR and CREATE accept. */
    static final long[] SETTABLE = mask(SIZE, MODE, OWNER, OWNER_GROUP, TIME_ACCESS_SET, TIME_MODIFY_SET);
    private static final long[] SUPPORTED_41 = union(mask(READABLE), SETTABLE);
    private static final long[] SUPPORTED_40 = without(SUPPORTED_41, SUPPATTR_EXCLCREAT);
    /** Readable = supported minus the write-only time_*_set. */
    private static final long[] READABLE_41 = mask(READABLE);
    private static final long[] READABLE_40 = without(READABLE_41, SUPPATTR_EXCLCREAT);
    private static final long[] SUPPORTED_42 = union(SUPPORTED_41, mask(XATTR_SUPPORT));
    private static final long[] READABLE_42 = union(READABLE_41, mask(XATTR_SUPPORT));

    private Fattr4() {
    }

    /** A bitmap as two longs: bit n of word n / 64. Covers attributes 0..127. */
    static long[] mask(int... attrs) {
        long[] m = new long[2];
        for (int a : attrs) {
            m[a >> 6] |= 1L << (a & 63);
        }
        return m;
    }

    private static long[] union(long[] a, long[] b) {
        return new long[] {a[0] | b[0], a[1] | b[1]};
    }

    private static long[] without(long[] a, int attr) {
        long[] m = a.clone();
        m[attr >> 6] &= ~(1L << (attr & 63));
        return m;
    }

    public static boolean has(long[] m, int attr) {
        return attr < 128 && (m[attr >> 6] & (1L << (attr & 63))) != 0;
    }

    public static long[] supported(int minor) {
        return (minor == 0 ? SUPPORTED_40 : minor == 1 ? SUPPORTED_41 : SUPPORTED_42).clone();
    }

    /**
     * GETATTR and READDIR of a write-only attribute (time_access_set, time_modify_set) are NFS4ERR_INVAL
     * (RFC 7530 sections 5.5 and 16.7.5).
     */
    public static void checkReadable(long[] requested) {
        if (has(requested, TIME_ACCESS_SET) || has(requested, TIME_MODIFY_SET)) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "write-only attribute requested");
        }
    }

    /** Reads a {@code bitmap4} (capped at {@link #MAX_WORDS} words); bits over 127 are reported in {@code [2]}. */
    public static long[] readBitmap(XdrDecoder d) {
        int words = d.readLength(MAX_WORDS);
        long[] m = new long[3];
        for (int i = 0; i < words; i++) {
            long w = d.readUnsignedInt();
            if (i < 4) {
                m[i >> 1] |= w << ((i & 1) * 32);
            } else if (w != 0) {
                m[2] = 1;
            }
        }
        return m;
    }

    /** Writes a {@code bitmap4} with as few words as needed. */
    public static void writeBitmap(XdrEncoder e, long[] m) {
        int words = 0;
        for (int i = 0; i < 4; i++) {
            if (((m[i >> 1] >>> ((i & 1) * 32)) & 0xFFFF_FFFFL) != 0) {
                words = i + 1;
            }
        }
        e.writeInt(words);
        for (int i = 0; i < words; i++) {
            e.writeInt((int) (m[i >> 1] >>> ((i & 1) * 32)));
        }
    }

    /** True if any bit of the client's mask is outside {@code allowed}. */
    static boolean outside(long[] m, long[] allowed) {
        return (m[0] & ~allowed[0]) != 0 || (m[1] & ~allowed[1]) != 0 || (m.length > 2 && m[2] != 0);
    }

    /**
     * Writes {@code fattr4} for {@code requested}: the mask of the attributes returned (requested
     * and readable) and their values.
     *
     * @param rdattrError the {@code rdattr_error} value (READDIR), NFS4_OK elsewhere
     */
    public static void encode(XdrEncoder e, long[] requested, Fattr4Values v, CompoundContext ctx, int rdattrError) {
        long[] readable = ctx.minorVersion() == 0 ? READABLE_40 : ctx.minorVersion() == 1 ? READABLE_41 : READABLE_42;
        long[] out = {requested[0] & readable[0], requested[1] & readable[1]};
        writeBitmap(e, out);
        long lenAt = e.position();
        e.writeInt(0);
        long start = e.position();
        for (int w = 0; w < 2; w++) {
            long bits = out[w];
            while (bits != 0) {
                int b = Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                value(e, w * 64 + b, v, ctx, rdattrError);
            }
        }
        long end = e.position();
        e.writeIntAt(lenAt, (int) (end - start));
    }

    /**
     * Whether {@code vals} are exactly the server's encoding of {@code mask} for {@code v}. Uses
     * {@code scratch} past its position as work space and leaves its position unchanged.
     */
    public static boolean sameValues(XdrEncoder scratch, long[] mask, Fattr4Values v, CompoundContext ctx,
                                     java.lang.foreign.MemorySegment vals) {
        long p0 = scratch.position();
        try {
            encode(scratch, mask, v, ctx, Nfs4Status.OK);
            java.lang.foreign.MemorySegment w = scratch.written();
            int words = w.get(XDR_INT, p0);
            long lenAt = p0 + 4 + 4L * words;
            int len = w.get(XDR_INT, lenAt);
            return len == vals.byteSize()
                    && java.lang.foreign.MemorySegment.mismatch(w, lenAt + 4, lenAt + 4 + len, vals, 0, len) < 0;
        } finally {
            scratch.position(p0);
        }
    }

    private static final java.lang.foreign.ValueLayout.OfInt XDR_INT =
            java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.BIG_ENDIAN);

    /** Writes the mask and values of only {@code rdattr_error} (an entry whose attributes failed). */
    public static void encodeError(XdrEncoder e, int status) {
        writeBitmap(e, mask(RDATTR_ERROR));
        e.writeInt(4);
        e.writeInt(status);
    }

    private static void time(XdrEncoder e, long ns) {
        e.writeLong(Math.floorDiv(ns, 1_000_000_000L));
        e.writeInt((int) Math.floorMod(ns, 1_000_000_000L));
    }

    private static void value(XdrEncoder e, int attr, Fattr4Values v, CompoundContext ctx, int rdattrError) {
        switch (attr) {
            case SUPPORTED_ATTRS -> writeBitmap(e, supported(ctx.minorVersion()));
            case TYPE -> e.writeInt(v.type());
            case FH_EXPIRE_TYPE -> e.writeInt(0); // FH4_PERSISTENT
            case CHANGE -> e.writeLong(v.change());
            case SIZE -> e.writeLong(v.size());
            case LINK_SUPPORT, SYMLINK_SUPPORT, UNIQUE_HANDLES, CANSETTIME, CASE_PRESERVING, CHOWN_RESTRICTED,
                 HOMOGENEOUS, NO_TRUNC -> e.writeBool(true);
            case NAMED_ATTR, CASE_INSENSITIVE, HIDDEN, SYSTEM -> e.writeBool(false);
            case FSID -> {
                e.writeLong(v.fsidMajor());
                e.writeLong(0);
            }
            case LEASE_TIME -> e.writeInt(ctx.services().leaseSeconds());
            case RDATTR_ERROR -> e.writeInt(rdattrError);
            case ACLSUPPORT -> e.writeInt(0);
            case FILEHANDLE -> e.writeOpaque(v.fh().encode());
            case FILEID -> e.writeLong(v.fileid());
            case FILES_AVAIL, FILES_FREE -> e.writeLong(v.stat().get().freeFiles());
            case FILES_TOTAL -> e.writeLong(v.stat().get().totalFiles());
            case FS_LOCATIONS -> {
                e.writeInt(0); // fs_root: no components
                e.writeInt(0); // no locations
            }
            case MAXFILESIZE -> e.writeLong(v.maxFileSize());
            case MAXLINK -> e.writeInt(io.dittofs.core.FileSystem.LINK_MAX);
            case MAXNAME -> e.writeInt(Names.NAME_MAX);
            case MAXREAD, MAXWRITE -> e.writeLong(MAX_IO);
            case MODE -> e.writeInt(v.mode());
            case NUMLINKS -> e.writeInt(v.nlink());
            case OWNER -> e.writeString(ctx.services().idMapper().owner(v.uid()));
            case OWNER_GROUP -> e.writeString(ctx.services().idMapper().group(v.gid()));
            case RAWDEV -> {
                e.writeInt((int) (v.rdev() >>> 32));
                e.writeInt((int) v.rdev());
            }
            case SPACE_AVAIL, SPACE_FREE -> e.writeLong(v.stat().get().freeBytes());
            case SPACE_TOTAL -> e.writeLong(v.stat().get().totalBytes());
            case SPACE_USED -> e.writeLong(v.spaceUsed().getAsLong());
            case TIME_ACCESS -> time(e, v.atimeNs());
            case TIME_DELTA -> time(e, 1);
            case TIME_METADATA -> time(e, v.ctimeNs());
            case TIME_MODIFY -> time(e, v.mtimeNs());
            case MOUNTED_ON_FILEID -> e.writeLong(v.mountedOnFileid());
            case SUPPATTR_EXCLCREAT -> writeBitmap(e, mask(SIZE, MODE, OWNER, OWNER_GROUP, TIME_ACCESS_SET));
            case XATTR_SUPPORT -> e.writeBool(v.fsidMajor() != 0); // shares keep xattrs; the pseudo-filesystem none
            default -> throw new IllegalStateException("attribute " + attr + " in the readable set but not encoded");
        }
    }
}
