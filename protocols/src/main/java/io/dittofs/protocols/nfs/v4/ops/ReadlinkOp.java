package io.dittofs.protocols.nfs.v4.ops;

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
 * READLINK (RFC 8881 section 18.24): a symbolic link's target; anything else is NFS4ERR_INVAL.
 * Stateless singleton; thread-safe.
 */
final class ReadlinkOp implements Nfs4Op {
    static final ReadlinkOp INSTANCE = new ReadlinkOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_READLINK;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle h = ctx.requireCurrentFh();
        if (h.isPseudo()) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "a directory");
        }
        FileTarget t = ctx.target(h, false);
        String target = t.fs().readlink(t.ctx(), t.inode());
        res.writeInt(Nfs4Status.OK);
        res.writeString(target);
    }
}
