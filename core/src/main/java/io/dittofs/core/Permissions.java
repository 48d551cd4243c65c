package io.dittofs.core;

/**
 * POSIX permission checks on {@link Inode} mode bits for an {@link AuthContext}.
 * Stateless and thread-safe.
 */
public final class Permissions {
    public static final int READ = 4;
    public static final int WRITE = 2;
    public static final int EXECUTE = 1;

    private Permissions() {
    }

    /** The rwx bits (0..7) that apply to the caller: owner, else group, else other. Root gets rw always and x if any x bit is set (or a directory). */
    public static int granted(AuthContext ctx, Inode n) {
        if (ctx.isRoot()) {
            boolean x = n.isDirectory() || (n.mode() & 0111) != 0;
            return READ | WRITE | (x ? EXECUTE : 0);
        }
        int mode = n.mode();
        if (ctx.uid() == n.uid()) {
            return (mode >> 6) & 7;
        }
        if (ctx.inGroup(n.gid())) {
            return (mode >> 3) & 7;
        }
        return mode & 7;
    }

    public static boolean permits(AuthContext ctx, Inode n, int want) {
        return (granted(ctx, n) & want) == want;
    }

    /** Throws ACCESS_DENIED unless the caller has all of {@code want} on {@code n}. */
    public static void require(AuthContext ctx, Inode n, int want) {
        if (!permits(ctx, n, want)) {
            throw new FsException(FsError.ACCESS_DENIED, "uid " + ctx.uid() + " lacks " + want + " on " + n.id());
        }
    }

    /** Owner or root, else NOT_OWNER (EPERM). */
    public static void requireOwner(AuthContext ctx, Inode n) {
        if (!ctx.isRoot() && ctx.uid() != n.uid()) {
            throw new FsException(FsError.NOT_OWNER, "uid " + ctx.uid() + " does not own " + n.id());
        }
    }

    /**
     * The sticky-directory rule: in a directory with S_ISVTX only the owner of the entry, the
     * owner of the directory or root may remove or rename it.
     */
    public static void requireStickyOk(AuthContext ctx, Inode dir, Inode child) {
        if ((dir.mode() & Inode.S_ISVTX) != 0 && !ctx.isRoot()
                && ctx.uid() != dir.uid() && ctx.uid() != child.uid()) {
            throw new FsException(FsError.NOT_OWNER, "sticky directory " + dir.id() + " (EPERM, as Linux)");
        }
    }
}
