package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.Stateid4;
import io.dittofs.protocols.nfs.v4.state.LockState;
import io.dittofs.protocols.nfs.v4.state.StateEntry;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * LOCKU (RFC 7530 section 16.12): {@code nfs_lock_type4 locktype; seqid4 seqid; stateid4 lock_stateid;
 * offset4 offset; length4 length}; POSIX unlock of the range. Stateless singleton; thread-safe.
 */
final class LockuOp extends StateOp {
    static final LockuOp INSTANCE = new LockuOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_LOCKU;
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder a, XdrEncoder res) {
        Locks.type(a.readInt());
        int seqid = a.readInt();
        Stateid4 sid = Stateid4.read(a);
        long offset = a.readLong();
        long length = a.readLong();
        Locks.checkRange(offset, length);
        ctx.requireCurrentFh();
        StateEntry e = findForSeqid(ctx, sid, seqid);
        if (!(e instanceof LockState l)) {
            throw new Nfs4Exception(Nfs4Status.BAD_STATEID);
        }
        withSeqid(ctx, l.owner(), seqid, res, () -> {
            if (!l.file().equals(Locks.fileKey(ctx.requireCurrentFh()))) {
                throw new Nfs4Exception(Nfs4Status.BAD_STATEID, "lock stateid of another file");
            }
            state(ctx).unlock(l, offset, length);
            l.bump();
            res.writeInt(Nfs4Status.OK);
            stateid(l).write(res);
        });
    }
}
