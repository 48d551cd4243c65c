package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.lock.FileKey;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.state.ClientRecord;
import io.dittofs.protocols.nfs.v4.state.Delegation;
import io.dittofs.protocols.nfs.v4.state.DelegationTable;
import io.dittofs.protocols.nfs.v4.state.StateManager;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.Stateid4;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * DELEGRETURN (RFC 7530 section 16.8, RFC 8881 section 18.6): {@code stateid4 deleg_stateid}. The
 * caller's delegation of the current file goes (a change waiting for its recall may go on); one that was
 * revoked meanwhile is forgotten with NFS4ERR_DELEG_REVOKED; anything else is NFS4ERR_BAD_STATEID. Stateless
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
        Stateid4 sid = Stateid4.read(args);
        Nfs4Handle fh = ctx.requireCurrentFh();
        StateManager m = state(ctx);
        ClientRecord caller = sessionClient(ctx);
        byte[] other = sid.other();
        if (!DelegationTable.isDelegation(other)) {
            throw new Nfs4Exception(Nfs4Status.BAD_STATEID, "not a delegation stateid");
        }
        Delegation gone = m.delegations().findRevoked(other, caller);
        if (gone != null) {
            m.delegations().remove(gone);
            throw new Nfs4Exception(Nfs4Status.DELEG_REVOKED);
        }
        Delegation d = m.delegations().find(other, caller);
        if (!d.file().equals(new FileKey(fh.shareId(), fh.id()))) {
            throw new Nfs4Exception(Nfs4Status.BAD_STATEID, "delegation of another file");
        }
        if (caller == null) {
            d.client().renew(m.now());
        }
        m.delegations().remove(d);
        res.writeInt(Nfs4Status.OK);
    }
}
