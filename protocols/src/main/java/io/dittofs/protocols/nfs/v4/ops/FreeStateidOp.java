package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.state.Delegation;
import io.dittofs.protocols.nfs.v4.state.DelegationTable;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.Stateid4;
import io.dittofs.protocols.nfs.v4.state.LockState;
import io.dittofs.protocols.nfs.v4.state.StateEntry;
import io.dittofs.protocols.nfs.v4.state.StateManager;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * FREE_STATEID (RFC 8881 section 18.38): {@code stateid4 fsa_stateid}. A lock stateid without locks
 * goes, as does a revoked delegation; an open stateid, one with locks, or a live delegation is
 * NFS4ERR_LOCKS_HELD. Stateless singleton; thread-safe.
 */
final class FreeStateidOp extends StateOp {
    static final FreeStateidOp INSTANCE = new FreeStateidOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_FREE_STATEID;
    }

    @Override
    public int minMinor() {
        return 1;
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Stateid4 sid = Stateid4.read(args);
        StateManager m = state(ctx);
        if (DelegationTable.isDelegation(sid.other())) {
            Delegation gone = m.delegations().findRevoked(sid.other(), sessionClient(ctx));
            if (gone == null) {
                m.delegations().find(sid.other(), sessionClient(ctx)); // BAD_STATEID when unknown
                throw new Nfs4Exception(Nfs4Status.LOCKS_HELD, "a live delegation is returned, not freed");
            }
            m.delegations().remove(gone);
            res.writeInt(Nfs4Status.OK);
            return;
        }
        StateEntry e = find(ctx, sid);
        if (!(e instanceof LockState l) || m.locks().hasLocks(l.lockOwner())) {
            throw new Nfs4Exception(Nfs4Status.LOCKS_HELD);
        }
        m.states().free(l);
        res.writeInt(Nfs4Status.OK);
    }
}
