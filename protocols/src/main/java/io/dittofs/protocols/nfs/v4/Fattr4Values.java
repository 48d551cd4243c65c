package io.dittofs.protocols.nfs.v4;

import io.dittofs.core.FileType;
import io.dittofs.core.Inode;
import io.dittofs.core.Results;
import io.dittofs.core.Share;

import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The values one object's {@code fattr4} is encoded from (RFC 8881 section 5): a share object
 * ({@link #of(Share, Inode, long, Supplier)}) or a pseudo-filesystem directory
 * ({@link #pseudo}). Immutable.
 *
 * @param type            {@code nfs_ftype4}
 * @param fileid          {@code fileid}
 * @param mountedOnFileid {@code mounted_on_fileid}: the pseudo directory's id for a share root
 * @param fsidMajor       {@code fsid.major}: 0 for the pseudo-filesystem, 1 + share id for shares
 * @param fh              the object's handle
 * @param stat            space and file counts, computed only when asked for
 * @param spaceUsed       {@code space_used}: what the block store holds for the object
 *                        ({@link io.dittofs.core.FileSystem#spaceUsed}), computed only when asked for
 * @param maxFileSize     {@code maxfilesize}
 */
public record Fattr4Values(int type, int mode, int nlink, int uid, int gid, long size, long atimeNs, long mtimeNs,
                           long ctimeNs, long rdev, long fileid, long mountedOnFileid, long fsidMajor,
                           Nfs4Handle fh, Supplier<Results.FsStat> stat, LongSupplier spaceUsed, long maxFileSize) {
    public static final int NF4REG = 1;
    public static final int NF4DIR = 2;
    public static final int NF4BLK = 3;
    public static final int NF4CHR = 4;
    public static final int NF4LNK = 5;
    public static final int NF4SOCK = 6;
    public static final int NF4FIFO = 7;
    private static final Results.FsStat NO_SPACE = new Results.FsStat(0, 0, 0, 0);

    /** The {@code change} attribute: the inode's ctime, which every change moves. */
    public long change() {
        return ctimeNs;
    }

    public static int ftype(FileType t) {
        return switch (t) {
            case REGULAR -> NF4REG;
            case DIRECTORY -> NF4DIR;
            case BLOCK_DEVICE -> NF4BLK;
            case CHAR_DEVICE -> NF4CHR;
            case SYMLINK -> NF4LNK;
            case SOCKET -> NF4SOCK;
            case FIFO -> NF4FIFO;
        };
    }

    /**
     * A share object.
     *
     * @param mountedOn the pseudo node the share is mounted on (used when {@code n} is the share root)
     */
    public static Fattr4Values of(Share s, Inode n, long mountedOn, Supplier<Results.FsStat> stat) {
        boolean root = n.id() == s.fs().rootId();
        return new Fattr4Values(ftype(n.type()), n.mode(), n.nlink(), n.uid(), n.gid(), n.size(), n.atimeNs(),
                n.mtimeNs(), n.ctimeNs(), n.rdev(), n.id(), root ? mountedOn : n.id(), 1L + s.id(),
                Nfs4Handle.share(s.id(), n.id()), stat, () -> s.fs().spaceUsed(n), s.fs().maxFileSize());
    }

    /** A pseudo-filesystem directory: read-only, owned by root, the server's start time. */
    public static Fattr4Values pseudo(long nodeId, int subdirs, long bootNanos) {
        return new Fattr4Values(NF4DIR, 0555, 2 + subdirs, 0, 0, 4096, bootNanos, bootNanos, bootNanos, 0,
                nodeId, nodeId, 0, Nfs4Handle.pseudo(nodeId), () -> NO_SPACE, () -> 4096, 0);
    }
}
