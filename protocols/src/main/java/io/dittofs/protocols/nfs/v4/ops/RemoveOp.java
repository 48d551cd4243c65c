package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.Inode;
import io.dittofs.core.Results;
import io.dittofs.protocols.nfs.v4.FileTarget;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * REMOVE (RFC 8881 section 18.25): removes a file or an empty directory from the current directory; returns change_info4.
 * Stateless singleton; thread-safe.
 */
final class RemoveOp implements Nfs4Op {
    static final RemoveOp INSTANCE = new RemoveOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_REMOVE;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle h = ctx.requireCurrentFh();
        String name = Objects4.name(args);
        FileTarget t = Objects4.dirForChange(ctx, h);
        Inode child = t.fs().lookup(t.ctx(), t.inode(), name);
        Recalls.beforeChange(ctx, h.shareId(), child.id());
        Results.Wcc w = child.isDirectory() ? t.fs().rmdir(t.ctx(), t.inode(), name)
                : t.fs().remove(t.ctx(), t.inode(), name);
        res.writeInt(Nfs4Status.OK);
        Objects4.changeInfo(res, w);
    }
}
