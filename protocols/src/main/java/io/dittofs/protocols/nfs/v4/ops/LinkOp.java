package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.Results;
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
 * LINK (RFC 8881 section 18.9): a new name in the current directory for the saved file, within one share; returns change_info4.
 * Stateless singleton; thread-safe.
 */
final class LinkOp implements Nfs4Op {
    static final LinkOp INSTANCE = new LinkOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_LINK;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle dir = ctx.requireCurrentFh();
        Nfs4Handle file = ctx.savedFh();
        if (file == null) {
            throw new Nfs4Exception(Nfs4Status.NOFILEHANDLE, "no saved filehandle");
        }
        String name = Objects4.name(args);
        if (file.isPseudo()) {
            throw new Nfs4Exception(Nfs4Status.ISDIR);
        }
        if (dir.isPseudo() || file.shareId() != dir.shareId()) {
            throw new Nfs4Exception(Nfs4Status.XDEV);
        }
        FileTarget d = ctx.target(dir, true);
        if (Objects4.inode(ctx.target(file, false)).isDirectory()) {
            throw new Nfs4Exception(Nfs4Status.ISDIR, "hard link to a directory"); // RFC 7530 section 16.9.5
        }
        Results.Linked l = d.fs().link(d.ctx(), file.id(), d.inode(), name);
        res.writeInt(Nfs4Status.OK);
        Objects4.changeInfo(res, l.dir());
    }
}
