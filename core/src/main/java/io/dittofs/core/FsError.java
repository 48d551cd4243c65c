package io.dittofs.core;

/**
 * The protocol-neutral error currency of DittoFS. Stores and {@link FileSystem} throw
 * {@link FsException} carrying one of these; every protocol maps them to its own status
 * codes in exactly one table.
 *
 * <p>The set follows the POSIX errno values an NFS or SMB server needs to report
 * (RFC 1813 section 2.6 lists the NFSv3 ones).
 */
public enum FsError {
    /** EPERM: the caller is not the owner / not privileged. */
    NOT_OWNER,
    /** ENOENT. */
    NOT_FOUND,
    /** EIO: a store failed. */
    IO,
    /** ENXIO. */
    NO_DEVICE,
    /** EACCES: permission bits refuse the operation. */
    ACCESS_DENIED,
    /** EEXIST. */
    EXISTS,
    /** EXDEV: cross-share link or rename. */
    CROSS_DEVICE,
    /** ENOTDIR. */
    NOT_DIRECTORY,
    /** EISDIR. */
    IS_DIRECTORY,
    /** EINVAL. */
    INVALID,
    /** EFBIG. */
    FILE_TOO_LARGE,
    /** ENOSPC. */
    NO_SPACE,
    /** EROFS: the share is read-only. */
    READ_ONLY,
    /** EMLINK. */
    TOO_MANY_LINKS,
    /** ENAMETOOLONG. */
    NAME_TOO_LONG,
    /** ENOTEMPTY. */
    NOT_EMPTY,
    /** EDQUOT. */
    QUOTA,
    /** ESTALE: the handle named an object that no longer exists. */
    STALE,
    /** The handle is malformed (not one this server issued). */
    BAD_HANDLE,
    /** The ctime guard of a SETATTR did not match. */
    NOT_SYNC,
    /** A READDIR cookie or cookie verifier is no longer valid. */
    BAD_COOKIE,
    /** The operation is not supported for this object or store. */
    NOT_SUPPORTED,
    /** The object type is wrong for the operation (e.g. READLINK on a regular file). */
    BAD_TYPE,
    /** The server cannot do it now; try again. */
    JUKEBOX,
    /** Anything unexpected inside the server. */
    SERVER_FAULT,
    /** ENODATA: the object has no extended attribute of that name (RFC 8276 NFS4ERR_NOXATTR). */
    NO_XATTR,
    /** E2BIG: an extended attribute value (or the list of names) exceeds its limit (NFS4ERR_XATTR2BIG). */
    XATTR_TOO_BIG;

    private static final FsError[] VALUES = values();

    /** Lookup by ordinal, for codecs and stores that persist the error as a number. */
    public static FsError fromOrdinal(int ordinal) {
        return ordinal >= 0 && ordinal < VALUES.length ? VALUES[ordinal] : SERVER_FAULT;
    }
}
