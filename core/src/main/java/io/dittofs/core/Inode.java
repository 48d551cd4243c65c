package io.dittofs.core;

/**
 * One file-system object's attributes, as a metadata store keeps them and as {@link FileSystem}
 * hands them to protocols. Immutable: a change is a new record written back in a transaction.
 *
 * @param id           the inode number; never reused within a store, so a handle that names a
 *                     removed object is detected as stale
 * @param type         object type
 * @param mode         the 12 permission bits (incl. setuid 04000, setgid 02000, sticky 01000)
 * @param nlink        number of directory entries naming it (directories: 2 + subdirectories)
 * @param uid          owner
 * @param gid          group
 * @param size         size in bytes (regular files), target length (symlinks)
 * @param atimeNs      last access, nanoseconds since the epoch
 * @param mtimeNs      last data modification
 * @param ctimeNs      last attribute change
 * @param rdev         device numbers for block/char devices: {@code major << 32 | minor}
 * @param parent       the parent directory (directories only; the root is its own parent)
 * @param verifier     the exclusive-create verifier (RFC 1813 section 3.3.8), 0 if none
 * @param symlink      the target of a symlink, null otherwise
 */
public record Inode(long id, FileType type, int mode, int nlink, int uid, int gid, long size,
                    long atimeNs, long mtimeNs, long ctimeNs, long rdev, long parent,
                    long verifier, String symlink) {

    public static final int S_ISUID = 04000;
    public static final int S_ISGID = 02000;
    public static final int S_ISVTX = 01000;

    public Inode {
        if (type == null) {
            throw new IllegalArgumentException("type");
        }
        mode &= 07777;
    }

    public boolean isDirectory() {
        return type == FileType.DIRECTORY;
    }

    public Inode withMode(int m, long ctime) {
        return new Inode(id, type, m, nlink, uid, gid, size, atimeNs, mtimeNs, ctime, rdev, parent, verifier, symlink);
    }

    public Inode withOwner(int u, int g, int m, long ctime) {
        return new Inode(id, type, m, nlink, u, g, size, atimeNs, mtimeNs, ctime, rdev, parent, verifier, symlink);
    }

    public Inode withSize(long s, long mtime, long ctime) {
        return new Inode(id, type, mode, nlink, uid, gid, s, atimeNs, mtime, ctime, rdev, parent, verifier, symlink);
    }

    public Inode withTimes(long atime, long mtime, long ctime) {
        return new Inode(id, type, mode, nlink, uid, gid, size, atime, mtime, ctime, rdev, parent, verifier, symlink);
    }

    public Inode withNlink(int n, long ctime) {
        return new Inode(id, type, mode, n, uid, gid, size, atimeNs, mtimeNs, ctime, rdev, parent, verifier, symlink);
    }

    public Inode withParent(long p, long ctime) {
        return new Inode(id, type, mode, nlink, uid, gid, size, atimeNs, mtimeNs, ctime, rdev, p, verifier, symlink);
    }

    /** Modification of a directory's content: mtime and ctime move. */
    public Inode touched(long now) {
        return new Inode(id, type, mode, nlink, uid, gid, size, atimeNs, now, now, rdev, parent, verifier, symlink);
    }
}
