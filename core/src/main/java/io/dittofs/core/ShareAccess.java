package io.dittofs.core;

/**
 * What a caller may do on a share, decided per call by the share's {@link Share.AccessPolicy}
 * (the control plane's per-user/group permissions). Protocol-neutral: each protocol refuses a
 * call the level does not cover before it reaches {@link FileSystem}.
 */
public enum ShareAccess {
    /** Nothing: mounting and every operation are refused ({@link FsError#ACCESS_DENIED}). */
    NONE,
    /** Reads only: operations that change anything fail with {@link FsError#READ_ONLY}. */
    READ,
    /** Everything the POSIX permission checks allow. */
    READ_WRITE;

    public boolean canRead() {
        return this != NONE;
    }

    public boolean canWrite() {
        return this == READ_WRITE;
    }
}
