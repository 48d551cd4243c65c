package io.dittofs.protocols.smb.handler;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.Inode;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.core.lock.FileKey;
import io.dittofs.protocols.smb.Open;
import io.dittofs.protocols.smb.OpenFiles;
import io.dittofs.protocols.smb.SmbServices;
import io.dittofs.protocols.smb.codec.SmbDecoder;

/**
 * FileRenameInformation for SMB2 (MS-FSCC 2.4.37.2): ReplaceIfExists(1) Reserved(7)
 * RootDirectory(8, must be 0) FileNameLength(4) FileName — a path from the share root. An existing
 * target fails with STATUS_OBJECT_NAME_COLLISION unless ReplaceIfExists, and a directory or a
 * file open over SMB is never replaced (ACCESS_DENIED). The target is matched ignoring case like
 * every SMB name ({@link Paths}); renaming a file to another case of its own name changes the case.
 * For a file, an open of its directory that has DELETE access or does not share DELETE refuses
 * the rename with STATUS_SHARING_VIOLATION, as on Windows and Samba (not applied to directory
 * renames: smbtorture's rename_dir_bench renames directories under an open parent). The open follows the new name. Stateless; thread-safe.
 */
final class Rename {
    private Rename() {
    }

    static int apply(Open o, FileSystem fs, SmbDecoder b, SmbServices services) {
        OpenFiles openFiles = services.openFiles();
        boolean replace = b.u8(0) != 0;
        long nameLen = b.u32(16);
        String target = b.utf16(20, nameLen, Paths.MAX_PATH_CHARS);
        if ((o.access() & Access.DELETE) == 0) {
            return NtStatus.ACCESS_DENIED;
        }
        if (o.path().isEmpty()) {
            return NtStatus.ACCESS_DENIED;
        }
        if (!o.directory() && !ShareModes.parentAllowsRename(services, o)) {
            return NtStatus.SHARING_VIOLATION;
        }
        AuthContext ctx = o.tree().authorize(true);
        Paths.Resolved to = Paths.resolve(fs, ctx, target);
        if (to.isRoot()) {
            return NtStatus.OBJECT_NAME_INVALID;
        }
        if (to.parent() == o.parent() && to.name().equals(o.name())) {
            return NtStatus.SUCCESS;
        }
        Paths.Found found = Paths.find(fs, ctx, to.parent(), to.name());
        Inode existing = found == null ? null : found.inode();
        if (existing != null && existing.id() != o.inode()) {
            if (!replace) {
                return NtStatus.OBJECT_NAME_COLLISION;
            }
            if (existing.isDirectory()) {
                return NtStatus.ACCESS_DENIED;
            }
            if (openFiles.isOpen(new FileKey(o.tree().share().id(), existing.id()))) {
                return NtStatus.ACCESS_DENIED; // an open file is not replaced (MS-FSA 2.1.5.15.2)
            }
            to = to.withName(found.name()); // replace it, never add a name that differs only in case
        }
        fs.rename(ctx, o.parent(), o.name(), to.parent(), to.name());
        o.renamed(to.parent(), to.name(), to.path());
        return NtStatus.SUCCESS;
    }
}
