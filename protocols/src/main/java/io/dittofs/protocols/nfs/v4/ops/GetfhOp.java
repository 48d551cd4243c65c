package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/** GETFH (RFC 8881 section 18.8): returns the current filehandle. Stateless singleton; thread-safe. */
final class GetfhOp implements Nfs4Op {
    static final GetfhOp INSTANCE = new GetfhOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_GETFH;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle fh = ctx.requireCurrentFh();
        res.writeInt(Nfs4Status.OK);
        res.writeOpaque(fh.encode());
    }
}
