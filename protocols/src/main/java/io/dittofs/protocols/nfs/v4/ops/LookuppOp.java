package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.FileType;
import io.dittofs.core.Inode;
import io.dittofs.protocols.nfs.v4.FileTarget;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.PseudoFs;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * LOOKUPP (RFC 8881 section 18.16): the parent directory becomes current; from a share root it is the pseudo directory the share is mounted on, and the pseudo root has none (NFS4ERR_NOENT).
 * Stateless singleton; thread-safe.
 */
final class LookuppOp implements Nfs4Op {
    static final LookuppOp INSTANCE = new LookuppOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_LOOKUPP;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle h = ctx.requireCurrentFh();
        PseudoFs p = ctx.services().pseudoFs();
        if (h.isPseudo()) {
            String path = p.path(h.id(), ctx::visible);
            if (path.equals(PseudoFs.ROOT)) {
                throw new Nfs4Exception(Nfs4Status.NOENT, "the root has no parent");
            }
            ctx.setCurrentFh(p.parentOf(path));
        } else {
            FileTarget t = ctx.target(h, false);
            Inode n = Objects4.inode(t);
            if (n.type() != FileType.DIRECTORY) {
                throw new Nfs4Exception(n.type() == FileType.SYMLINK ? Nfs4Status.SYMLINK : Nfs4Status.NOTDIR);
            }
            if (t.isShareRoot()) {
                ctx.setCurrentFh(p.parentOfShare(t.share()));
            } else {
                ctx.setCurrentFh(t.handle(t.fs().lookup(t.ctx(), t.inode(), "..").id()));
            }
        }
        res.writeInt(Nfs4Status.OK);
    }
}
