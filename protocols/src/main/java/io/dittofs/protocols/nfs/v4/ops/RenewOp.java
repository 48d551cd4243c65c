package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/** RENEW (RFC 7530 section 16.29, 4.0 only): {@code clientid4}; renews the lease (a courtesy client is revived). Stateless singleton; thread-safe. */
final class RenewOp extends StateOp {
    static final RenewOp INSTANCE = new RenewOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_RENEW;
    }

    @Override
    public int maxMinor() {
        return 0;
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        state(ctx).clients().renew(args.readLong());
        res.writeInt(Nfs4Status.OK);
    }
}
