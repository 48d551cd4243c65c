package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/** RESTOREFH (RFC 8881 section 18.27): the saved filehandle becomes current; none saved is NFS4ERR_RESTOREFH. Stateless singleton; thread-safe. */
final class RestorefhOp implements Nfs4Op {
    static final RestorefhOp INSTANCE = new RestorefhOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_RESTOREFH;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        ctx.restoreFh();
        res.writeInt(Nfs4Status.OK);
    }
}
