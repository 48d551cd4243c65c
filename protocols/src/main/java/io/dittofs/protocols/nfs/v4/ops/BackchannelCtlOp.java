package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * BACKCHANNEL_CTL (RFC 8881 section 18.33): {@code uint32_t bca_cb_program; callback_sec_parms4
 * bca_sec_parms<>}. Callbacks of the session go to the new program from now on. Stateless
 * singleton; thread-safe.
 */
final class BackchannelCtlOp extends StateOp {
    static final BackchannelCtlOp INSTANCE = new BackchannelCtlOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_BACKCHANNEL_CTL;
    }

    @Override
    public int minMinor() {
        return 1;
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        int program = args.readInt();
        CreateSessionOp.skipSecParms(args);
        client(ctx, 0);
        session(ctx).callback().program(program);
        res.writeInt(Nfs4Status.OK);
    }
}
