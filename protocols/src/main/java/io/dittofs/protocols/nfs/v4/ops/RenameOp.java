package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.Results;
import io.dittofs.protocols.nfs.v4.FileTarget;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * RENAME (RFC 8881 section 18.26): from the saved directory to the current one, within one share (NFS4ERR_XDEV across shares or into the pseudo-filesystem); returns both directories change_info4.
 * Stateless singleton; thread-safe.
 */
final class RenameOp implements Nfs4Op {
    static final RenameOp INSTANCE = new RenameOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_RENAME;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle to = ctx.requireCurrentFh();
        Nfs4Handle from = ctx.savedFh();
        if (from == null) {
            throw new Nfs4Exception(Nfs4Status.NOFILEHANDLE, "no saved filehandle");
        }
        String oldName = Objects4.name(args);
        String newName = Objects4.name(args);
        if (from.isPseudo() && to.isPseudo()) {
            throw new Nfs4Exception(Nfs4Status.ROFS);
        }
        if (from.isPseudo() || to.isPseudo() || from.shareId() != to.shareId()) {
            throw new Nfs4Exception(Nfs4Status.XDEV);
        }
        FileTarget src = ctx.target(from, true);
        FileTarget dst = ctx.target(to, true);
        Recalls.beforeChange(ctx, src, from.shareId(), oldName);
        Recalls.beforeChange(ctx, dst, to.shareId(), newName);
        Results.Renamed r = src.fs().rename(src.ctx(), src.inode(), oldName, dst.inode(), newName);
        res.writeInt(Nfs4Status.OK);
        Objects4.changeInfo(res, r.from());
        Objects4.changeInfo(res, r.to());
    }
}
