package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.Fattr4;
import io.dittofs.protocols.nfs.v4.Fattr4Values;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * GETATTR (RFC 8881 section 18.7): the requested attributes this server supports, of a share object or a pseudo directory.
 * Stateless singleton; thread-safe.
 */
final class GetattrOp implements Nfs4Op {
    static final GetattrOp INSTANCE = new GetattrOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_GETATTR;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle h = ctx.requireCurrentFh();
        long[] requested = Fattr4.readBitmap(args);
        Fattr4.checkReadable(requested);
        Fattr4Values v = Objects4.values(ctx, h);
        res.writeInt(Nfs4Status.OK);
        Fattr4.encode(res, requested, v, ctx, Nfs4Status.OK);
    }
}
