package io.dittofs.e2e;

/**
 * The fields of libnfs' {@code struct nfs_stat_64} the tests look at. {@code mode} includes the
 * file-type bits ({@code S_IFREG}, {@code S_IFDIR}, {@code S_IFLNK}).
 */
record NfsStat(long ino, int mode, long nlink, int uid, int gid, long size, long mtimeSeconds) {

    static final int S_IFMT = 0170000;
    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int S_IFLNK = 0120000;

    /** The permission bits, e.g. {@code 0644}. */
    int permissions() {
        return mode & 07777;
    }

    boolean isDirectory() {
        return (mode & S_IFMT) == S_IFDIR;
    }

    boolean isRegularFile() {
        return (mode & S_IFMT) == S_IFREG;
    }

    boolean isSymlink() {
        return (mode & S_IFMT) == S_IFLNK;
    }
}
