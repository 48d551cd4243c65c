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

/** OPEN_CONFIRM (RFC 7530 section 16.18, 4.0 only): {@code stateid4 open_stateid; seqid4 seqid}. Stateless singleton; thread-safe. */
final class OpenConfirmOp extends StateOp {
    static final OpenConfirmOp INSTANCE = new OpenConfirmOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_OPEN_CONFIRM;
    }

    @Override
    public int maxMinor() {
        return 0;
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Stateid4 sid = Stateid4.read(args);
        int seqid = args.readInt();
        ctx.requireCurrentFh();
        StateEntry e = findForSeqid(ctx, sid, seqid);
        if (!(e instanceof OpenState o)) {
            throw new Nfs4Exception(Nfs4Status.BAD_STATEID);
        }
        withSeqid(ctx, o.owner(), seqid, res, () -> {
            if (o.owner().confirmed()) {
                throw new Nfs4Exception(Nfs4Status.BAD_STATEID, "owner already confirmed");
            }
            o.owner().confirm();
            o.bump();
            res.writeInt(Nfs4Status.OK);
            stateid(o).write(res);
        });
    }
}
