package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.Stateid4;
import io.dittofs.protocols.nfs.v4.state.OpenState;
import io.dittofs.protocols.nfs.v4.state.StateEntry;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * OPEN_DOWNGRADE (RFC 7530 section 16.19): {@code stateid4 open_stateid; seqid4 seqid; uint32_t
 * share_access, share_deny}; the new bits must be a subset of the open's. Stateless singleton; thread-safe.
 */
final class OpenDowngradeOp extends StateOp {
    static final OpenDowngradeOp INSTANCE = new OpenDowngradeOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_OPEN_DOWNGRADE;
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Stateid4 sid = Stateid4.read(args);
        int seqid = args.readInt();
        int access = args.readInt() & 0xFF;
        int deny = args.readInt();
        ctx.requireCurrentFh();
        StateEntry e = findForSeqid(ctx, sid, seqid);
        if (!(e instanceof OpenState o)) {
            throw new Nfs4Exception(Nfs4Status.BAD_STATEID);
        }
        withSeqid(ctx, o.owner(), seqid, res, () -> {
            state(ctx).downgrade(o, access, deny);
            res.writeInt(Nfs4Status.OK);
            stateid(o).write(res);
            ctx.setCurrentStateid(stateid(o));
        });
    }
}
