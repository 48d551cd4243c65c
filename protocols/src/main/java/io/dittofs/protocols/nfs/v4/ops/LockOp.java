package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.lock.Conflict;
import io.dittofs.core.lock.LockType;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.Stateid4;
import io.dittofs.protocols.nfs.v4.state.LockState;
import io.dittofs.protocols.nfs.v4.state.OpenState;
import io.dittofs.protocols.nfs.v4.state.Owner;
import io.dittofs.protocols.nfs.v4.state.OwnerKey;
import io.dittofs.protocols.nfs.v4.state.StateEntry;
import io.dittofs.protocols.nfs.v4.state.StateException;
import io.dittofs.protocols.nfs.v4.state.StateManager;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;
import java.util.Optional;

/**
 * LOCK (RFC 7530 section 16.10): {@code nfs_lock_type4 locktype; bool reclaim; offset4 offset;
 * length4 length; locker4 locker}. A new lock-owner comes with its open stateid and the open-owner's
 * seqid; an existing one with its lock stateid. Blocking types are answered like the others (DENIED;
 * the client polls). Stateless singleton; thread-safe.
 */
final class LockOp extends StateOp {
    static final LockOp INSTANCE = new LockOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_LOCK;
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder a, XdrEncoder res) {
        int type = a.readInt();
        boolean reclaim = a.readBool();
        long offset = a.readLong();
        long length = a.readLong();
        boolean newOwner = a.readBool();
        StateManager m = state(ctx);
        int minor = ctx.minorVersion();
        LockType lt = Locks.type(type);
        Locks.checkRange(offset, length);
        ctx.requireCurrentFh();
        if (newOwner) {
            int openSeqid = a.readInt();
            Stateid4 openSid = Stateid4.read(a);
            int lockSeqid = a.readInt();
            long clientId = a.readLong();
            byte[] ownerBytes = a.readOpaqueBytes(OwnerKey.MAX_LEN);
            StateEntry e = findForSeqid(ctx, openSid, openSeqid);
            if (!(e instanceof OpenState open)) {
                throw new Nfs4Exception(Nfs4Status.BAD_STATEID);
            }
            if (minor == 0 && e.client().clientId() != clientId) {
                throw new Nfs4Exception(Nfs4Status.STALE_CLIENTID);
            }
            Owner lockOwner = m.states().owner(open.client(), ownerBytes, true, minor);
            withSeqid(ctx, open.owner(), openSeqid, res, () -> {
                synchronized (lockOwner) {
                    lockOwner.done(lockSeqid, null);
                    lock(ctx, m, lockOwner, m.states().lockState(lockOwner, open, minor), lt, reclaim, offset,
                            length, res);
                }
            });
        } else {
            Stateid4 lockSid = Stateid4.read(a);
            int lockSeqid = a.readInt();
            StateEntry e = findForSeqid(ctx, lockSid, lockSeqid);
            if (!(e instanceof LockState l)) {
                throw new Nfs4Exception(Nfs4Status.BAD_STATEID);
            }
            withSeqid(ctx, l.owner(), lockSeqid, res,
                    () -> lock(ctx, m, l.owner(), l, lt, reclaim, offset, length, res));
        }
    }

    private static void lock(CompoundContext ctx, StateManager m, Owner owner, LockState l, LockType type,
            boolean reclaim, long offset, long length, XdrEncoder res) {
        if (!l.file().equals(Locks.fileKey(ctx.requireCurrentFh()))) {
            throw new Nfs4Exception(Nfs4Status.BAD_STATEID, "lock stateid of another file");
        }
        boolean fresh = l.seqid() == 1 && !m.locks().hasLocks(l.lockOwner());
        try {
            if (reclaim) {
                m.grace().checkReclaim(l.client());
                m.checkReclaimLock(l, type, offset, length);
            } else {
                m.grace().checkNonReclaimLock();
            }
        } catch (StateException e) {
            if (fresh) {
                m.states().free(l);
            }
            throw e;
        }
        int need = type == LockType.WRITE ? 2 : 1;
        if ((l.open().access() & need) == 0) {
            throw new Nfs4Exception(Nfs4Status.OPENMODE);
        }
        Optional<Conflict> c = m.lock(l, type, offset, length, ctx.minorVersion());
        if (c.isPresent()) {
            if (fresh && !m.locks().hasLocks(l.lockOwner())) {
                m.states().free(l);
            }
            if (reclaim) {
                throw new Nfs4Exception(Nfs4Status.RECLAIM_CONFLICT, "reclaim meets a reclaimed lock");
            }
            Locks.writeDenied(res, c.get());
            return;
        }
        if (!fresh) {
            l.bump();
        }
        Stateid4 sid = stateid(l);
        res.writeInt(Nfs4Status.OK);
        sid.write(res);
        ctx.setCurrentStateid(sid);
    }
}
