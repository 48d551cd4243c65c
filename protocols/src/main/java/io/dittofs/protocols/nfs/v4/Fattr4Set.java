package io.dittofs.protocols.nfs.v4;

import io.dittofs.core.SetAttr;
import io.dittofs.protocols.xdr.BadXdrException;
import io.dittofs.protocols.xdr.XdrDecoder;

import java.lang.foreign.MemorySegment;

import static io.dittofs.protocols.nfs.v4.Fattr4.*;

/**
 * Decodes the {@code fattr4} of SETATTR, CREATE and OPEN (RFC 8881 section 18.30) into a
 * {@link SetAttr}: mode, owner, owner_group, size, time_access_set and time_modify_set (including
 * SET_TO_SERVER_TIME4). A readable attribute that cannot be set is NFS4ERR_INVAL, one this server
 * does not support NFS4ERR_ATTRNOTSUPP, an unknown owner NFS4ERR_BADOWNER. Stateless.
 */
public final class Fattr4Set {
    static final int SET_TO_SERVER_TIME4 = 0;
    static final int SET_TO_CLIENT_TIME4 = 1;

    /**
     * A decoded {@code fattr4}.
     *
     * @param attrs the change requested
     * @param mask  the attributes it names (the {@code attrsset} on success)
     */
    public record Decoded(SetAttr attrs, long[] mask) {
    }

    /** A raw {@code fattr4}: mask and the undecoded values (VERIFY, NVERIFY). */
    public record Raw(long[] mask, MemorySegment vals) {
    }

    private Fattr4Set() {
    }

    public static Raw readRaw(XdrDecoder d) {
        long[] m = readBitmap(d);
        return new Raw(m, d.readOpaque(MAX_VALS));
    }

    public static Decoded read(XdrDecoder d, CompoundContext ctx) {
        Raw raw = readRaw(d);
        long[] m = raw.mask();
        if (m[2] != 0 || outside(m, supported(ctx.minorVersion()))) {
            throw new Nfs4Exception(Nfs4Status.ATTRNOTSUPP);
        }
        if (outside(m, SETTABLE)) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "read-only attribute in a set");
        }
        XdrDecoder v = new XdrDecoder(raw.vals());
        long size = -1;
        int mode = -1;
        long uid = -1;
        long gid = -1;
        SetAttr.TimeSet atime = SetAttr.TimeSet.DONT_CHANGE;
        SetAttr.TimeSet mtime = SetAttr.TimeSet.DONT_CHANGE;
        if (has(m, SIZE)) {
            size = v.readLong();
            if (size < 0) {
                throw new Nfs4Exception(Nfs4Status.FBIG);
            }
        }
        if (has(m, MODE)) {
            mode = v.readInt() & 07777;
        }
        if (has(m, OWNER)) {
            int u = ctx.services().idMapper().uid(utf8(v));
            if (u < 0) {
                throw new Nfs4Exception(Nfs4Status.BADOWNER);
            }
            uid = u;
        }
        if (has(m, OWNER_GROUP)) {
            int g = ctx.services().idMapper().gid(utf8(v));
            if (g < 0) {
                throw new Nfs4Exception(Nfs4Status.BADOWNER);
            }
            gid = g;
        }
        if (has(m, TIME_ACCESS_SET)) {
            atime = settime(v);
        }
        if (has(m, TIME_MODIFY_SET)) {
            mtime = settime(v);
        }
        if (v.remaining() != 0) {
            throw new BadXdrException(v.remaining() + " bytes after the attribute values");
        }
        return new Decoded(new SetAttr(mode, uid, gid, size, atime, mtime), new long[] {m[0], m[1]});
    }

    /** An owner or owner_group string: empty is NFS4ERR_INVAL (RFC 7530 section 5.9), not a bad owner. */
    private static String utf8(XdrDecoder v) {
        MemorySegment s = v.readOpaque(1024);
        if (s.byteSize() == 0) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "empty owner");
        }
        try {
            return XdrDecoder.utf8(s);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "owner not UTF-8");
        }
    }

    private static SetAttr.TimeSet settime(XdrDecoder v) {
        int how = v.readInt();
        if (how == SET_TO_SERVER_TIME4) {
            return SetAttr.TimeSet.SERVER_TIME;
        }
        if (how != SET_TO_CLIENT_TIME4) {
            throw new BadXdrException("time_how4 " + how);
        }
        long secs = v.readLong();
        long nsecs = v.readUnsignedInt();
        if (nsecs >= 1_000_000_000L) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "nseconds " + nsecs);
        }
        return SetAttr.TimeSet.client(secs * 1_000_000_000L + nsecs);
    }
}
