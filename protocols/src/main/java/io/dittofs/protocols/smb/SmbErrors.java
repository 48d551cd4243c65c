package io.dittofs.protocols.smb;

import io.dittofs.core.FsError;

/**
 * The one table mapping {@link FsError} to NTSTATUS for SMB2 (the SMB column of what
 * {@code errmap.ErrorMap} is for NFS); looked up through an array, and class initialisation fails
 * if an error has no status. The values follow what Samba returns for the matching errno
 * ({@code source3/lib/errmap_unix.c}).
 */
public final class SmbErrors {
    private static final int[] STATUS = new int[FsError.values().length];

    static {
        set(FsError.NOT_OWNER, NtStatus.ACCESS_DENIED);
        set(FsError.NOT_FOUND, NtStatus.OBJECT_NAME_NOT_FOUND);
        set(FsError.IO, NtStatus.UNEXPECTED_IO_ERROR);
        set(FsError.NO_DEVICE, NtStatus.NO_SUCH_FILE);
        set(FsError.ACCESS_DENIED, NtStatus.ACCESS_DENIED);
        set(FsError.EXISTS, NtStatus.OBJECT_NAME_COLLISION);
        set(FsError.CROSS_DEVICE, NtStatus.NOT_SAME_DEVICE);
        set(FsError.NOT_DIRECTORY, NtStatus.NOT_A_DIRECTORY);
        set(FsError.IS_DIRECTORY, NtStatus.FILE_IS_A_DIRECTORY);
        set(FsError.INVALID, NtStatus.INVALID_PARAMETER);
        set(FsError.FILE_TOO_LARGE, NtStatus.DISK_FULL);
        set(FsError.NO_SPACE, NtStatus.DISK_FULL);
        set(FsError.READ_ONLY, NtStatus.ACCESS_DENIED);
        set(FsError.TOO_MANY_LINKS, NtStatus.TOO_MANY_LINKS);
        set(FsError.NAME_TOO_LONG, NtStatus.OBJECT_NAME_INVALID);
        set(FsError.NOT_EMPTY, NtStatus.DIRECTORY_NOT_EMPTY);
        set(FsError.QUOTA, NtStatus.QUOTA_EXCEEDED);
        set(FsError.STALE, NtStatus.FILE_CLOSED);
        set(FsError.BAD_HANDLE, NtStatus.INVALID_HANDLE);
        set(FsError.NOT_SYNC, NtStatus.INVALID_PARAMETER);
        set(FsError.BAD_COOKIE, NtStatus.INVALID_PARAMETER);
        set(FsError.NOT_SUPPORTED, NtStatus.NOT_SUPPORTED);
        set(FsError.BAD_TYPE, NtStatus.INVALID_DEVICE_REQUEST);
        set(FsError.JUKEBOX, NtStatus.DEVICE_NOT_READY);
        set(FsError.SERVER_FAULT, NtStatus.INTERNAL_ERROR);
        set(FsError.NO_XATTR, NtStatus.NONEXISTENT_EA_ENTRY);
        set(FsError.XATTR_TOO_BIG, NtStatus.EA_TOO_LARGE);
        for (FsError e : FsError.values()) {
            if (STATUS[e.ordinal()] == 0) {
                throw new ExceptionInInitializerError("no NTSTATUS for " + e);
            }
        }
    }

    private static void set(FsError e, int status) {
        STATUS[e.ordinal()] = status;
    }

    private SmbErrors() {
    }

    /** The NTSTATUS for an error. */
    public static int status(FsError e) {
        return STATUS[e.ordinal()];
    }
}
