package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.lock.Conflict;
import io.dittofs.core.lock.FileKey;
import io.dittofs.core.lock.LockOwner;
import io.dittofs.core.lock.LockType;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.state.ClientRecord;
import io.dittofs.protocols.nfs.v4.state.OwnerKey;
import io.dittofs.protocols.nfs.v4.state.StateManager;
import io.dittofs.protocols.nfs.v4.state.StateTable;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;
import java.util.Optional;

/**
 * LOCKT (RFC 7530 section 16.11): {@code nfs_lock_type4 locktype; offset4 offset; length4 length;
 * lock_owner4 owner}; OK or NFS4ERR_DENIED with the conflicting lock. NFS4ERR_GRACE during grace.
 * Stateless singleton; thread-safe.
 */
final class LocktOp extends StateOp {
    static final LocktOp INSTANCE = new LocktOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_LOCKT;
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder a, XdrEncoder res) {
        LockType type = Locks.type(a.readInt());
        long offset = a.readLong();
        long length = a.readLong();
        long clientId = a.readLong();
        byte[] owner = a.readOpaqueBytes(OwnerKey.MAX_LEN);
        Locks.checkRange(offset, length);
        FileKey file = Locks.fileKey(ctx.requireCurrentFh());
        Locks.checkLockable(Objects4.inode(ctx.target(false)));
        StateManager m = state(ctx);
        ClientRecord c = client(ctx, clientId);
        m.grace().checkNonReclaimLock();
        LockOwner lo = new LockOwner(StateTable.PROTOCOL, StateTable.lockClientId(c), owner);
        Optional<Conflict> conflict = m.test(file, lo, type, offset, length);
        if (conflict.isPresent()) {
            Locks.writeDenied(res, conflict.get());
            return;
        }
        res.writeInt(Nfs4Status.OK);
    }
}
