package io.dittofs.protocols.smb.handler;

import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.Open;
import io.dittofs.protocols.smb.SmbCommand;
import io.dittofs.protocols.smb.SmbRequest;
import io.dittofs.protocols.smb.codec.SmbEncoder;

/**
 * FLUSH (MS-SMB2 2.2.17, 3.3.5.11): makes every earlier write of the file durable, as NFS COMMIT.
 * Stateless; thread-safe.
 */
public final class Flush implements SmbCommand {
    @Override
    public int execute(SmbRequest r, SmbEncoder out) {
        r.structureSize(24);
        Open o = r.open(72);
        if (o.pipe() == null && !o.directory()) {
            if ((o.access() & (Access.WRITE_DATA | Access.APPEND_DATA)) == 0) {
                return NtStatus.ACCESS_DENIED;
            }
            o.tree().share().fs().commit(o.tree().authorize(false), o.inode());
        }
        out.u16(4).u16(0);
        return NtStatus.SUCCESS;
    }
}
