package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/** PUTFH (RFC 8881 section 18.19): {@code nfs_fh4 object} becomes the current filehandle; a malformed handle is NFS4ERR_BADHANDLE, one of a removed share NFS4ERR_STALE. Stateless singleton; thread-safe. */
final class PutfhOp implements Nfs4Op {
    static final PutfhOp INSTANCE = new PutfhOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_PUTFH;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle fh = Nfs4Handle.decode(args.readOpaque(Nfs4Handle.MAX_SIZE));
        Handles.checkExists(ctx, fh);
        ctx.setCurrentFh(fh);
        res.writeInt(Nfs4Status.OK);
    }
}
