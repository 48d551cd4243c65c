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
 * CLOSE (RFC 7530 section 16.2): {@code seqid4 seqid; stateid4 open_stateid}. Releases the share
 * reservation and any locks left under the open, and answers the stateid with its seqid bumped.
 * Stateless singleton; thread-safe.
 */
final class CloseOp extends StateOp {
    static final CloseOp INSTANCE = new CloseOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_CLOSE;
    }

    @Override
    void run(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        int seqid = args.readInt();
        Stateid4 sid = Stateid4.read(args);
        ctx.requireCurrentFh();
        StateEntry e = find(ctx, sid);
        if (!(e instanceof OpenState o)) {
            throw new Nfs4Exception(Nfs4Status.BAD_STATEID);
        }
        withSeqid(ctx, o.owner(), seqid, res, () -> {
            state(ctx).close(o);
            res.writeInt(Nfs4Status.OK);
            stateid(o).write(res);
        });
    }
}
