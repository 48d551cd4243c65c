package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.state.SessionId;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;
import java.lang.foreign.ValueLayout;

/** DESTROY_SESSION (RFC 8881 section 18.37): {@code sessionid4 dsa_sessionid}. Stateless singleton; thread-safe. */
final class DestroySessionOp extends StateOp {
    static final DestroySessionOp INSTANCE = new DestroySessionOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_DESTROY_SESSION;
    }

    @Override
    public int minMinor() {
        return 1;
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        SessionId id = SessionId.of(args.readOpaqueFixed(SessionId.SIZE).toArray(ValueLayout.JAVA_BYTE));
        state(ctx).sessions().destroy(id);
        res.writeInt(Nfs4Status.OK);
    }
}
