package io.dittofs.protocols.errmap;

import io.dittofs.core.FsError;

/**
 * The one table that maps {@link FsError} to protocol status codes. NFSv3 codes are
 * RFC 1813 section 2.6 {@code nfsstat3}; later protocols add a column here.
 */
public final class ErrorMap {
    private static final int[] NFS3 = new int[FsError.values().length];

    static {
        set(FsError.NOT_OWNER, 1);
        set(FsError.NOT_FOUND, 2);
        set(FsError.IO, 5);
        set(FsError.NO_DEVICE, 6);
        set(FsError.ACCESS_DENIED, 13);
        set(FsError.EXISTS, 17);
        set(FsError.CROSS_DEVICE, 18);
        set(FsError.NOT_DIRECTORY, 20);
        set(FsError.IS_DIRECTORY, 21);
        set(FsError.INVALID, 22);
        set(FsError.FILE_TOO_LARGE, 27);
        set(FsError.NO_SPACE, 28);
        set(FsError.READ_ONLY, 30);
        set(FsError.TOO_MANY_LINKS, 31);
        set(FsError.NAME_TOO_LONG, 63);
        set(FsError.NOT_EMPTY, 66);
        set(FsError.QUOTA, 69);
        set(FsError.STALE, 70);
        set(FsError.BAD_HANDLE, 10001);
        set(FsError.NOT_SYNC, 10002);
        set(FsError.BAD_COOKIE, 10003);
        set(FsError.NOT_SUPPORTED, 10004);
        set(FsError.SERVER_FAULT, 10006);
        set(FsError.BAD_TYPE, 10007);
        set(FsError.JUKEBOX, 10008);
        set(FsError.NO_XATTR, 10004); // NFSv3 has no xattrs: never raised by v3 procedures
        set(FsError.XATTR_TOO_BIG, 10004);
        for (FsError e : FsError.values()) {
            if (NFS3[e.ordinal()] == 0) {
                throw new ExceptionInInitializerError("no NFSv3 status for " + e);
            }
        }
    }

    private static void set(FsError e, int nfs3) {
        NFS3[e.ordinal()] = nfs3;
    }

    private ErrorMap() {
    }

    /** The NFSv3 {@code nfsstat3} for an error. */
    public static int nfs3(FsError e) {
        return NFS3[e.ordinal()];
    }

    /**
     * The MOUNT v3 {@code mountstat3} (RFC 1813 appendix I): the same numbers as nfsstat3 for the
     * errors MOUNT can return, SERVERFAULT for the rest.
     */
    public static int mount3(FsError e) {
        return switch (e) {
            case NOT_OWNER, NOT_FOUND, IO, ACCESS_DENIED, NOT_DIRECTORY, INVALID, NAME_TOO_LONG, NOT_SUPPORTED -> nfs3(e);
            default -> 10006;
        };
    }
}
