package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/** PUTROOTFH (RFC 8881 section 18.21): the pseudo-filesystem root becomes the current filehandle. Stateless singleton; thread-safe. */
final class PutrootfhOp implements Nfs4Op {
    static final PutrootfhOp INSTANCE = new PutrootfhOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_PUTROOTFH;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        ctx.setCurrentFh(ctx.services().pseudoFs().root());
        res.writeInt(Nfs4Status.OK);
    }
}
