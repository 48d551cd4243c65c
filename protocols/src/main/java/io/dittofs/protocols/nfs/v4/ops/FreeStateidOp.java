package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
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
 * goes; an open stateid, or one with locks, is NFS4ERR_LOCKS_HELD. Stateless singleton; thread-safe.
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
        StateEntry e = find(ctx, Stateid4.read(args));
        StateManager m = state(ctx);
        if (!(e instanceof LockState l) || m.locks().hasLocks(l.lockOwner())) {
            throw new Nfs4Exception(Nfs4Status.LOCKS_HELD);
        }
        m.states().free(l);
        res.writeInt(Nfs4Status.OK);
    }
}
