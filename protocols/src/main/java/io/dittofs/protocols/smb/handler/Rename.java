package io.dittofs.protocols.smb.handler;

import io.dittofs.core.AuthContext;
import io.dittofs.core.FileSystem;
import io.dittofs.core.Inode;
import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Open;
import io.dittofs.protocols.smb.codec.SmbDecoder;

/**
 * FileRenameInformation for SMB2 (MS-FSCC 2.4.37.2): ReplaceIfExists(1) Reserved(7)
 * RootDirectory(8, must be 0) FileNameLength(4) FileName — a path from the share root. An existing
 * target fails with STATUS_OBJECT_NAME_COLLISION unless ReplaceIfExists, and a directory is never
 * replaced. The open follows the new name. Stateless; thread-safe.
 */
final class Rename {
    private Rename() {
    }

    static int apply(Open o, FileSystem fs, SmbDecoder b) {
        boolean replace = b.u8(0) != 0;
        long nameLen = b.u32(16);
        String target = b.utf16(20, nameLen, Paths.MAX_PATH_CHARS);
        if ((o.access() & Access.DELETE) == 0) {
            return NtStatus.ACCESS_DENIED;
        }
        if (o.path().isEmpty()) {
            return NtStatus.ACCESS_DENIED;
        }
        AuthContext ctx = o.tree().authorize(true);
        Paths.Resolved to = Paths.resolve(fs, ctx, target);
        if (to.isRoot()) {
            return NtStatus.OBJECT_NAME_INVALID;
        }
        if (to.parent() == o.parent() && to.name().equals(o.name())) {
            return NtStatus.SUCCESS;
        }
        Inode existing = Paths.lookupOrNull(fs, ctx, to.parent(), to.name());
        if (existing != null && existing.id() != o.inode()) {
            if (!replace) {
                return NtStatus.OBJECT_NAME_COLLISION;
            }
            if (existing.isDirectory()) {
                return NtStatus.ACCESS_DENIED;
            }
        }
        fs.rename(ctx, o.parent(), o.name(), to.parent(), to.name());
        o.renamed(to.parent(), to.name(), to.path());
        return NtStatus.SUCCESS;
    }
}
