package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.Stateid4;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * DELEGRETURN (RFC 7530 section 16.8): {@code stateid4 deleg_stateid}. No delegation is ever
 * granted, so no stateid names one: NFS4ERR_BAD_STATEID (after the filehandle check). Stateless
 * singleton; thread-safe.
 */
final class DelegreturnOp extends StateOp {
    static final DelegreturnOp INSTANCE = new DelegreturnOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_DELEGRETURN;
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Stateid4.read(args);
        ctx.requireCurrentFh();
        throw new Nfs4Exception(Nfs4Status.BAD_STATEID, "no delegations are granted");
    }
}
