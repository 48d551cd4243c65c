package io.dittofs.protocols.nfs.v4;

import io.dittofs.core.FsError;

import java.util.Arrays;

import static io.dittofs.protocols.nfs.v4.Nfs4Status.*;

/**
 * THE one table mapping {@link FsError} to {@code nfsstat4} (RFC 8881 section 15.1). An array
 * indexed by ordinal; class initialisation fails if an error has no status, so a new
 * {@code FsError} cannot ship unmapped. Stateless and thread-safe.
 */
public final class Nfs4Errors {
    private static final int[] NFS4 = new int[FsError.values().length];

    static {
        Arrays.fill(NFS4, -1);
        set(FsError.NOT_OWNER, PERM);
        set(FsError.NOT_FOUND, NOENT);
        set(FsError.IO, IO);
        set(FsError.NO_DEVICE, NXIO);
        set(FsError.ACCESS_DENIED, ACCESS);
        set(FsError.EXISTS, EXIST);
        set(FsError.CROSS_DEVICE, XDEV);
        set(FsError.NOT_DIRECTORY, NOTDIR);
        set(FsError.IS_DIRECTORY, ISDIR);
        set(FsError.INVALID, INVAL);
        set(FsError.FILE_TOO_LARGE, FBIG);
        set(FsError.NO_SPACE, NOSPC);
        set(FsError.READ_ONLY, ROFS);
        set(FsError.TOO_MANY_LINKS, MLINK);
        set(FsError.NAME_TOO_LONG, NAMETOOLONG);
        set(FsError.NOT_EMPTY, NOTEMPTY);
        set(FsError.QUOTA, DQUOT);
        set(FsError.STALE, STALE);
        set(FsError.BAD_HANDLE, BADHANDLE);
        set(FsError.NOT_SYNC, INVAL); // NFSv4 SETATTR has no ctime guard; never raised by v4 ops
        set(FsError.BAD_COOKIE, BAD_COOKIE);
        set(FsError.NOT_SUPPORTED, NOTSUPP);
        set(FsError.BAD_TYPE, BADTYPE);
        set(FsError.JUKEBOX, DELAY);
        set(FsError.SERVER_FAULT, SERVERFAULT);
        set(FsError.NO_XATTR, NOXATTR);
        set(FsError.XATTR_TOO_BIG, XATTR2BIG);
        for (FsError e : FsError.values()) {
            if (NFS4[e.ordinal()] < 0) {
                throw new ExceptionInInitializerError("no nfsstat4 for " + e);
            }
        }
    }

    private static void set(FsError e, int status) {
        NFS4[e.ordinal()] = status;
    }

    private Nfs4Errors() {
    }

    /** The {@code nfsstat4} for an error. */
    public static int status(FsError e) {
        return NFS4[e.ordinal()];
    }
}
