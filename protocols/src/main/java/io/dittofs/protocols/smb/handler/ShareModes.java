package io.dittofs.protocols.smb.handler;

import io.dittofs.core.lock.FileKey;
import io.dittofs.core.lock.LockLimitException;
import io.dittofs.core.lock.LockManager;
import io.dittofs.core.lock.LockOwner;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Open;
import io.dittofs.protocols.smb.OpenFiles;
import io.dittofs.protocols.smb.SmbServices;

/**
 * SMB share modes (MS-FSA 2.1.5.1.2 "share access check") as share reservations in the core
 * {@link LockManager}, the same ones NFSv4 OPEN takes, so SMB and NFSv4 opens of a file refuse
 * each other the same way: an open's access is READ (FILE_READ_DATA or FILE_EXECUTE), WRITE
 * (FILE_WRITE_DATA or FILE_APPEND_DATA) and DELETE; what it denies is what its ShareAccess
 * (FILE_SHARE_READ 1, FILE_SHARE_WRITE 2, FILE_SHARE_DELETE 4) does not share. An open with none
 * of those accesses (attributes or security only) neither checks nor denies anything, as on
 * Windows. Also the per-file open count and delete pending ({@link OpenFiles}). Stateless;
 * thread-safe.
 */
final class ShareModes {
    static final int SHARE_ALL = LockManager.ACCESS_READ | LockManager.ACCESS_WRITE | LockManager.ACCESS_DELETE;

    private ShareModes() {
    }

    /** The share-reservation access bits of a granted access mask. */
    static int accessBits(int granted) {
        int a = 0;
        if ((granted & (Access.READ_DATA | Access.EXECUTE)) != 0) {
            a |= LockManager.ACCESS_READ;
        }
        if ((granted & Access.WRITE_DATA_BITS) != 0) {
            a |= LockManager.ACCESS_WRITE;
        }
        if ((granted & Access.DELETE) != 0) {
            a |= LockManager.ACCESS_DELETE;
        }
        return a;
    }

    static FileKey key(Open o) {
        return new FileKey(o.tree().share().id(), o.inode());
    }

    /**
     * Takes the open's share reservation and counts it as an open of its file.
     *
     * @return SUCCESS, SHARING_VIOLATION, DELETE_PENDING or INSUFFICIENT_RESOURCES (nothing held then)
     */
    static int admit(SmbServices services, Open o, int shareAccess) {
        FileKey key = key(o);
        int access = accessBits(o.access());
        if (access != 0) {
            try {
                if (services.locks().reserve(key, Lock.owner(o), access, SHARE_ALL & ~shareAccess).isPresent()) {
                    return NtStatus.SHARING_VIOLATION;
                }
            } catch (LockLimitException e) {
                return NtStatus.INSUFFICIENT_RESOURCES;
            }
            o.reserved(true);
        }
        if (!services.openFiles().open(key)) {
            release(services, o);
            return NtStatus.DELETE_PENDING;
        }
        o.counted(true);
        return NtStatus.SUCCESS;
    }

    /**
     * Whether the open's parent directory lets a child be renamed: no open of the directory has
     * DELETE access or withholds FILE_SHARE_DELETE (a share check on the parent with DELETE access,
     * sharing only read and write; the probe is released at once).
     */
    static boolean parentAllowsRename(SmbServices services, Open o) {
        FileKey parent = new FileKey(o.tree().share().id(), o.parent());
        LockOwner probe = new LockOwner("smb-rename", Long.toHexString(o.tree().session().id()),
                Long.toString(o.fileId()).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        try {
            boolean ok = services.locks().reserve(parent, probe, LockManager.ACCESS_DELETE,
                    LockManager.ACCESS_DELETE).isEmpty();
            services.locks().release(parent, probe);
            return ok;
        } catch (LockLimitException e) {
            return false;
        }
    }

    /**
     * Drops the open's reservation and uncounts it; true when it was the file's last open and the
     * file's delete is pending (the caller deletes it). The open's own delete-on-close sets
     * delete pending first.
     */
    static boolean release(SmbServices services, Open o) {
        FileKey key = key(o);
        if (o.reserved()) {
            o.reserved(false);
            services.locks().release(key, Lock.owner(o));
        }
        if (!o.counted()) {
            return false;
        }
        o.counted(false);
        if (o.deleteOnClose()) {
            services.openFiles().deletePending(key, true);
        }
        return services.openFiles().close(key);
    }
}
