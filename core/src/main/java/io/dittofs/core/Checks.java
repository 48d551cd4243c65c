package io.dittofs.core;

import io.dittofs.core.spi.MetadataTxn;

/** Preconditions shared by the {@link FileSystem} operation classes. Stateless; thread-safe. */
final class Checks {
    private Checks() {
    }

    /** The inode, or STALE when the handle names an object that no longer exists. */
    static Inode require(MetadataTxn t, long id) {
        Inode n = t.get(id);
        if (n == null) {
            throw new FsException(FsError.STALE, "no inode " + id);
        }
        return n;
    }

    static Inode requireDir(MetadataTxn t, long id) {
        Inode n = require(t, id);
        if (!n.isDirectory()) {
            throw new FsException(FsError.NOT_DIRECTORY, "inode " + id);
        }
        return n;
    }

    static void requireRegular(Inode n) {
        if (n.isDirectory()) {
            throw new FsException(FsError.IS_DIRECTORY, "inode " + n.id());
        }
        if (n.type() != FileType.REGULAR) {
            throw new FsException(FsError.INVALID, "not a regular file");
        }
    }

    /**
     * NFS servers let the owner read and write their own file whatever its mode, because the
     * client already checked the mode at open time (a file created 0444 by tar must still be
     * writable by the handle that created it).
     */
    static boolean ownerOverride(AuthContext ctx, Inode n, int want) {
        return ctx.uid() == n.uid() || Permissions.permits(ctx, n, want);
    }

    static FsException readOnlyError() {
        return new FsException(FsError.READ_ONLY, "share is read-only");
    }
}
