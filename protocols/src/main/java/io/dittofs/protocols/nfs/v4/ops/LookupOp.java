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
 * LOOKUP (RFC 8881 section 18.15): the named object becomes the current filehandle; in the pseudo-filesystem a name leads to a further pseudo directory or crosses into a share's root.
 * Stateless singleton; thread-safe.
 */
final class LookupOp implements Nfs4Op {
    static final LookupOp INSTANCE = new LookupOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_LOOKUP;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle dir = ctx.requireCurrentFh();
        String name = Objects4.name(args);
        if (dir.isPseudo()) {
            PseudoFs p = ctx.services().pseudoFs();
            String path = p.path(dir.id(), ctx::visible);
            ctx.setCurrentFh(p.lookup(path, name, ctx::visible).handle());
        } else {
            FileTarget t = ctx.target(dir, false);
            Inode d = Objects4.inode(t);
            if (d.type() != FileType.DIRECTORY) {
                throw new Nfs4Exception(d.type() == FileType.SYMLINK ? Nfs4Status.SYMLINK : Nfs4Status.NOTDIR);
            }
            Inode child = t.fs().lookup(t.ctx(), t.inode(), name);
            ctx.setCurrentFh(t.handle(child.id()));
        }
        res.writeInt(Nfs4Status.OK);
    }
}
