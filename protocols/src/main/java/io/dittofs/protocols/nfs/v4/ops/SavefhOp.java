package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/** SAVEFH (RFC 8881 section 18.31): the current filehandle (and stateid) become the saved ones. Stateless singleton; thread-safe. */
final class SavefhOp implements Nfs4Op {
    static final SavefhOp INSTANCE = new SavefhOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_SAVEFH;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        ctx.saveFh();
        res.writeInt(Nfs4Status.OK);
    }
}
