package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * RECLAIM_COMPLETE (RFC 8881 section 18.51): {@code bool rca_one_fs}. The client reclaims no more;
 * once every recorded client did so the grace period ends early. A second one is
 * NFS4ERR_COMPLETE_ALREADY. Stateless singleton; thread-safe.
 */
final class ReclaimCompleteOp extends StateOp {
    static final ReclaimCompleteOp INSTANCE = new ReclaimCompleteOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_RECLAIM_COMPLETE;
    }

    @Override
    public int minMinor() {
        return 1;
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        boolean oneFs = args.readBool();
        if (!oneFs) {
            state(ctx).reclaimComplete(client(ctx, 0));
        }
        res.writeInt(Nfs4Status.OK);
    }
}
