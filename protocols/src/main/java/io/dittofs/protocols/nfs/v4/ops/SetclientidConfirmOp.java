package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/** SETCLIENTID_CONFIRM (RFC 7530 section 16.34, 4.0 only): {@code clientid4, verifier4}. Stateless singleton; thread-safe. */
final class SetclientidConfirmOp extends StateOp {
    static final SetclientidConfirmOp INSTANCE = new SetclientidConfirmOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_SETCLIENTID_CONFIRM;
    }

    @Override
    public int maxMinor() {
        return 0;
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        long clientId = args.readLong();
        long verifier = args.readLong();
        state(ctx).clients().confirmSetClientId(clientId, verifier, principal(ctx));
        res.writeInt(Nfs4Status.OK);
    }
}
