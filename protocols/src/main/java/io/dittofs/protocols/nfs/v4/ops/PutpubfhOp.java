package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/** PUTPUBFH (RFC 8881 section 18.20): this server's public filehandle is the pseudo root. Stateless singleton; thread-safe. */
final class PutpubfhOp implements Nfs4Op {
    static final PutpubfhOp INSTANCE = new PutpubfhOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_PUTPUBFH;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        ctx.setCurrentFh(ctx.services().pseudoFs().root());
        res.writeInt(Nfs4Status.OK);
    }
}
