package io.dittofs.protocols.nfs.v3;

import io.dittofs.core.FileType;
import io.dittofs.core.FsError;
import io.dittofs.core.FsException;
import io.dittofs.core.Inode;
import io.dittofs.core.Results.Wcc;
import io.dittofs.core.SetAttr;
import io.dittofs.core.Share;
import io.dittofs.core.SetAttr.TimeSet;
import io.dittofs.protocols.xdr.BadXdrException;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

import java.lang.foreign.MemorySegment;
import java.nio.charset.CharacterCodingException;

/** Codecs for the shared NFSv3 types of RFC 1813 section 2.5/2.6. Stateless. */
final class Nfs3Xdr {
    /** NFS3_FHSIZE. */
    static final int FH_MAX = 64;
    /** Names longer than this are garbage, not just NAMETOOLONG. */
    static final int NAME_DECODE_MAX = 1024;
    /** Symlink targets (MAXPATHLEN is 1024 in RFC 1813 terms; Linux allows 4096). */
    static final int PATH_DECODE_MAX = 4096;
    /** Size of an encoded post_op_attr carrying attributes. */
    static final int POST_OP_ATTR_SIZE = 4 + 84;

    private static final long NS = 1_000_000_000L;

    private Nfs3Xdr() {
    }

    static int ftype(FileType t) {
        return switch (t) {
            case REGULAR -> 1;
            case DIRECTORY -> 2;
            case BLOCK_DEVICE -> 3;
            case CHAR_DEVICE -> 4;
            case SYMLINK -> 5;
            case SOCKET -> 6;
            case FIFO -> 7;
        };
    }

    /** fattr3: 84 bytes; {@code used} of a regular file is what its block store holds ({@code FileSystem.spaceUsed}). */
    static void fattr3(XdrEncoder e, Inode n, Share share) {
        e.writeInt(ftype(n.type()));
        e.writeInt(n.mode());
        e.writeInt(n.nlink());
        e.writeInt(n.uid());
        e.writeInt(n.gid());
        e.writeLong(n.size());
        e.writeLong(n.type() == FileType.REGULAR ? share.fs().spaceUsed(n) : n.size());
        e.writeInt((int) (n.rdev() >>> 32));
        e.writeInt((int) n.rdev());
        e.writeLong(share.id());
        e.writeLong(n.id());
        time(e, n.atimeNs());
        time(e, n.mtimeNs());
        time(e, n.ctimeNs());
    }

    static void time(XdrEncoder e, long ns) {
        e.writeInt((int) Math.floorDiv(ns, NS));
        e.writeInt((int) Math.floorMod(ns, NS));
    }

    static long readTime(XdrDecoder d) {
        long sec = d.readUnsignedInt();
        long nsec = d.readUnsignedInt();
        if (nsec >= NS) {
            throw new FsException(FsError.INVALID, "nseconds " + nsec);
        }
        return sec * NS + nsec;
    }

    static void postOpAttr(XdrEncoder e, Inode n, Share share) {
        if (n == null) {
            e.writeBool(false);
        } else {
            e.writeBool(true);
            fattr3(e, n, share);
        }
    }

    static void preOpAttr(XdrEncoder e, Inode n) {
        if (n == null) {
            e.writeBool(false);
        } else {
            e.writeBool(true);
            e.writeLong(n.size());
            time(e, n.mtimeNs());
            time(e, n.ctimeNs());
        }
    }

    static void wcc(XdrEncoder e, Wcc w, Share share) {
        if (w == null) {
            e.writeBool(false);
            e.writeBool(false);
        } else {
            preOpAttr(e, w.before());
            postOpAttr(e, w.after(), share);
        }
    }

    /** wcc_data with no pre-op attributes and the given post-op attributes (error replies). */
    static void wccAfter(XdrEncoder e, Inode after, Share share) {
        e.writeBool(false);
        postOpAttr(e, after, share);
    }

    static void postOpFh(XdrEncoder e, byte[] fh) {
        e.writeBool(true);
        e.writeOpaque(fh);
    }

    /** sattr3. */
    static SetAttr sattr3(XdrDecoder d) {
        int mode = d.readBool() ? d.readInt() & 07777 : -1;
        long uid = d.readBool() ? d.readUnsignedInt() : -1;
        long gid = d.readBool() ? d.readUnsignedInt() : -1;
        long size = d.readBool() ? d.readLong() : -1;
        if (size < -1) {
            throw new FsException(FsError.FILE_TOO_LARGE, "size " + Long.toUnsignedString(size));
        }
        TimeSet atime = timeHow(d);
        TimeSet mtime = timeHow(d);
        return new SetAttr(mode, uid, gid, size, atime, mtime);
    }

    private static TimeSet timeHow(XdrDecoder d) {
        int how = d.readInt();
        return switch (how) {
            case 0 -> TimeSet.DONT_CHANGE;
            case 1 -> TimeSet.SERVER_TIME;
            case 2 -> TimeSet.client(readTime(d));
            default -> throw new BadXdrException("time_how " + how);
        };
    }

    /** A filename3: opaque bytes that must be UTF-8; bad encodings are INVAL, not garbage. */
    static String name(XdrDecoder d) {
        return utf8(d.readOpaque(NAME_DECODE_MAX));
    }

    static String path(XdrDecoder d) {
        return utf8(d.readOpaque(PATH_DECODE_MAX));
    }

    private static String utf8(MemorySegment s) {
        try {
            return XdrDecoder.utf8(s);
        } catch (CharacterCodingException e) {
            throw new FsException(FsError.INVALID, "name is not valid UTF-8");
        }
    }
}
