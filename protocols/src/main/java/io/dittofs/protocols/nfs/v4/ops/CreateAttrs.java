package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.SetAttr;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Fattr4;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;

/**
 * The {@code fattr4 createattrs} of OPEN (RFC 7530 section 16.16.1): the settable attributes a new
 * file can get — size (4), mode (33), owner (36), owner_group (37), time_access_set (48),
 * time_modify_set (54); any other is NFS4ERR_ATTRNOTSUPP. Immutable.
 *
 * @param attrs the attributes as a core change
 * @param mask  the attribute bitmap that was set (OPEN's attrset)
 */
record CreateAttrs(SetAttr attrs, int[] mask) {
    static final CreateAttrs NONE = new CreateAttrs(SetAttr.NONE, new int[0]);
    private static final int SIZE = 4;
    private static final int MODE = 33;
    private static final int OWNER = 36;
    private static final int OWNER_GROUP = 37;
    private static final int TIME_ACCESS_SET = 48;
    private static final int TIME_MODIFY_SET = 54;
    private static final long SUPPORTED = 1L << SIZE | 1L << MODE | 1L << OWNER | 1L << OWNER_GROUP
            | 1L << TIME_ACCESS_SET | 1L << TIME_MODIFY_SET;

    static CreateAttrs read(CompoundContext ctx, XdrDecoder a) {
        int words = a.readLength(8);
        int[] mask = new int[words];
        long bits = 0;
        for (int i = 0; i < words; i++) {
            mask[i] = a.readInt();
            if (i < 2) {
                bits |= (mask[i] & 0xFFFFFFFFL) << (32 * i);
            } else if (mask[i] != 0) {
                throw new Nfs4Exception(Nfs4Status.ATTRNOTSUPP);
            }
        }
        int len = a.readLength(64 * 1024);
        long end = a.position() + len;
        if ((bits & ~SUPPORTED & Fattr4.supported(ctx.minorVersion())[0]) != 0) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "read-only attribute in createattrs"); // RFC 7530 16.16.5
        }
        if ((bits & ~SUPPORTED) != 0) {
            throw new Nfs4Exception(Nfs4Status.ATTRNOTSUPP);
        }
        long size = -1;
        int mode = -1;
        long uid = -1;
        long gid = -1;
        SetAttr.TimeSet atime = SetAttr.TimeSet.DONT_CHANGE;
        SetAttr.TimeSet mtime = SetAttr.TimeSet.DONT_CHANGE;
        if ((bits & 1L << SIZE) != 0) {
            size = a.readLong();
            if (size < 0) {
                throw new Nfs4Exception(Nfs4Status.FBIG);
            }
        }
        if ((bits & 1L << MODE) != 0) {
            mode = a.readInt() & 07777;
        }
        if ((bits & 1L << OWNER) != 0) {
            uid = id(ctx.services().idMapper().uid(owner(a)));
        }
        if ((bits & 1L << OWNER_GROUP) != 0) {
            gid = id(ctx.services().idMapper().gid(owner(a)));
        }
        if ((bits & 1L << TIME_ACCESS_SET) != 0) {
            atime = time(a);
        }
        if ((bits & 1L << TIME_MODIFY_SET) != 0) {
            mtime = time(a);
        }
        if (a.position() != end) {
            throw new Nfs4Exception(Nfs4Status.BADXDR, "attribute values do not match their length");
        }
        return new CreateAttrs(new SetAttr(mode, uid, gid, size, atime, mtime), mask);
    }

    /** An owner or owner_group string; empty is NFS4ERR_INVAL. */
    private static String owner(XdrDecoder a) {
        String s = a.readString(1024);
        if (s.isEmpty()) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "empty owner");
        }
        return s;
    }

    private static long id(int v) {
        if (v == -1) {
            throw new Nfs4Exception(Nfs4Status.BADOWNER);
        }
        return v & 0xFFFFFFFFL;
    }

    private static SetAttr.TimeSet time(XdrDecoder a) {
        int how = a.readInt();
        if (how == 0) {
            return SetAttr.TimeSet.SERVER_TIME;
        }
        if (how != 1) {
            throw new Nfs4Exception(Nfs4Status.BADXDR, "settime4 " + how);
        }
        long secs = a.readLong();
        long nanos = a.readUnsignedInt();
        if (nanos >= 1_000_000_000L) {
            throw new Nfs4Exception(Nfs4Status.INVAL);
        }
        return SetAttr.TimeSet.client(secs * 1_000_000_000L + nanos);
    }

    /** The change after creation beyond the mode (owner, group, times), or null when none. */
    SetAttr afterCreate() {
        SetAttr s = attrs;
        if (s.uid() < 0 && s.gid() < 0 && s.atime().kind() == SetAttr.TimeSet.Kind.DONT_CHANGE
                && s.mtime().kind() == SetAttr.TimeSet.Kind.DONT_CHANGE) {
            return null;
        }
        return new SetAttr(-1, s.uid(), s.gid(), -1, s.atime(), s.mtime());
    }
}
