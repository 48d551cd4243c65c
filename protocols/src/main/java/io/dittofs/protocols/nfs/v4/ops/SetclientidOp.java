package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.state.ClientRecord;
import io.dittofs.protocols.nfs.v4.state.ClientTable;
import io.dittofs.protocols.nfs.v4.state.OwnerKey;
import io.dittofs.protocols.nfs.v4.state.StateError;
import io.dittofs.protocols.nfs.v4.state.StateException;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * SETCLIENTID (RFC 7530 section 16.33, 4.0 only):
 * {@code nfs_client_id4 client; cb_client4 callback; uint32_t callback_ident} to
 * {@code clientid4, verifier4 setclientid_confirm}; CLID_INUSE carries the callback address of the
 * record in use (empty here). Stateless singleton; thread-safe.
 */
final class SetclientidOp extends StateOp {
    static final SetclientidOp INSTANCE = new SetclientidOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_SETCLIENTID;
    }

    @Override
    public int maxMinor() {
        return 0;
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        long verifier = args.readLong();
        byte[] id = args.readOpaqueBytes(OwnerKey.MAX_LEN);
        int program = args.readInt();
        String netid = args.readString(64);
        String addr = args.readString(256);
        int ident = args.readInt();
        ClientTable.SetClientIdResult r;
        try {
            r = state(ctx).clients().setClientId(id, verifier, principal(ctx),
                    new ClientRecord.Callback(program, netid, addr, ident));
        } catch (StateException e) {
            if (e.error() != StateError.CLID_INUSE) {
                throw e;
            }
            res.writeInt(Nfs4Status.CLID_INUSE);
            res.writeString("");
            res.writeString("");
            return;
        }
        res.writeInt(Nfs4Status.OK);
        res.writeLong(r.clientId());
        res.writeLong(r.confirmVerifier());
    }
}
