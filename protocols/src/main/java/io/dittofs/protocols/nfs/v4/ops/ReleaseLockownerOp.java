package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.state.ClientRecord;
import io.dittofs.protocols.nfs.v4.state.LockState;
import io.dittofs.protocols.nfs.v4.state.Owner;
import io.dittofs.protocols.nfs.v4.state.OwnerKey;
import io.dittofs.protocols.nfs.v4.state.StateManager;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * RELEASE_LOCKOWNER (RFC 7530 section 16.37, 4.0 only): {@code lock_owner4 lock_owner}. The owner
 * and its lock stateids go unless it still holds locks (NFS4ERR_LOCKS_HELD). Stateless singleton; thread-safe.
 */
final class ReleaseLockownerOp extends StateOp {
    static final ReleaseLockownerOp INSTANCE = new ReleaseLockownerOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_RELEASE_LOCKOWNER;
    }

    @Override
    public int maxMinor() {
        return 0;
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder a, XdrEncoder res) {
        long clientId = a.readLong();
        byte[] owner = a.readOpaqueBytes(OwnerKey.MAX_LEN);
        StateManager m = state(ctx);
        ClientRecord c = m.clients().renew(clientId);
        Owner o = m.states().findLockOwner(c, owner);
        if (o != null) {
            synchronized (o) {
                for (LockState l : m.states().lockStates(o)) {
                    if (m.locks().hasLocks(l.lockOwner())) {
                        throw new Nfs4Exception(Nfs4Status.LOCKS_HELD);
                    }
                }
                for (LockState l : m.states().lockStates(o)) {
                    m.states().free(l);
                }
                m.states().removeOwner(o);
            }
        }
        res.writeInt(Nfs4Status.OK);
    }
}
