package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.FileTarget;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * COMMIT (RFC 8881 section 18.3): makes the unstable writes of the file durable (the whole file, as for NFSv3) and returns the write verifier shared with NFSv3.
 * Stateless singleton; thread-safe.
 */
final class CommitOp implements Nfs4Op {
    static final CommitOp INSTANCE = new CommitOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_COMMIT;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle h = ctx.requireCurrentFh();
        long offset = args.readLong();
        long count = args.readUnsignedInt();
        if (offset < 0 || offset + count < 0) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "offset + count overflows");
        }
        if (h.isPseudo()) {
            throw new Nfs4Exception(Nfs4Status.ISDIR);
        }
        FileTarget t = ctx.target(h, false);
        t.fs().commit(t.ctx(), t.inode());
        res.writeInt(Nfs4Status.OK);
        res.writeLong(ctx.services().writeVerifier());
    }
}
