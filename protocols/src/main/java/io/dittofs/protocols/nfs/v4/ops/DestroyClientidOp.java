package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.state.ClientRecord;
import io.dittofs.protocols.nfs.v4.state.StateManager;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * DESTROY_CLIENTID (RFC 8881 section 18.50): {@code clientid4 dca_clientid}; NFS4ERR_CLIENTID_BUSY
 * while the client has sessions or stateids. Stateless singleton; thread-safe.
 */
final class DestroyClientidOp extends StateOp {
    static final DestroyClientidOp INSTANCE = new DestroyClientidOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_DESTROY_CLIENTID;
    }

    @Override
    public int minMinor() {
        return 1;
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        long id = args.readLong();
        StateManager m = state(ctx);
        ClientRecord c = m.clients().get(id);
        if (!c.principal().equals(principal(ctx))) {
            throw new Nfs4Exception(Nfs4Status.CLID_INUSE);
        }
        if (m.sessions().count(c) > 0 || m.states().count(c) > 0) {
            throw new Nfs4Exception(Nfs4Status.CLIENTID_BUSY);
        }
        m.clients().destroy(c);
        res.writeInt(Nfs4Status.OK);
    }
}
