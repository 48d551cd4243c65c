package io.dittofs.protocols.smb.handler;

import io.dittofs.protocols.smb.NtStatus;
import io.dittofs.protocols.smb.SmbCommand;
import io.dittofs.protocols.smb.SmbRequest;
import io.dittofs.protocols.smb.codec.SmbEncoder;

/** TREE_DISCONNECT (MS-SMB2 2.2.11, 3.3.5.8): closes the tree's opens. Stateless; thread-safe. */
public final class TreeDisconnect implements SmbCommand {
    @Override
    public int execute(SmbRequest r, SmbEncoder out) {
        r.structureSize(4);
        r.conn().async().cancelTree(r.tree());
        Close.closeTree(r.conn(), r.tree());
        r.session().removeTree(r.tree().id());
        out.u16(4).u16(0);
        return NtStatus.SUCCESS;
    }
}
