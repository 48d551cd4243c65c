package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.Results;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.FileTarget;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * REMOVEXATTR (RFC 8276 section 8.4.5, 4.2): removes one extended attribute of the current
 * object (NFS4ERR_NOXATTR if it has none of that name); returns the object's change_info4.
 * <pre>
 *   struct REMOVEXATTR4args { xattrkey4 rxa_name; };
 *   union REMOVEXATTR4res switch (nfsstat4 rxr_status) { case NFS4_OK: change_info4 rxr_info; default: void; };
 * </pre>
 * Stateless singleton; thread-safe.
 */
final class RemovexattrOp implements Nfs4Op {
    static final RemovexattrOp INSTANCE = new RemovexattrOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_REMOVEXATTR;
    }

    @Override
    public int minMinor() {
        return 2;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle h = ctx.requireCurrentFh();
        String name = Xattrs4.key(args);
        FileTarget t = Objects4.dirForChange(ctx, h);
        Results.Wcc w = t.fs().xattrs().remove(t.ctx(), t.inode(), name);
        res.writeInt(Nfs4Status.OK);
        Objects4.changeInfo(res, w);
    }
}
