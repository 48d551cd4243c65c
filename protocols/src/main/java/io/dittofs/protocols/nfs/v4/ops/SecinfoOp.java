package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.FileTarget;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.PseudoFs;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * SECINFO (RFC 8881 section 18.29): the security flavors for a name in the current directory: AUTH_SYS. In 4.1+ it consumes the current filehandle (section 2.6.3.1.1.8).
 * Stateless singleton; thread-safe.
 */
final class SecinfoOp implements Nfs4Op {
    static final SecinfoOp INSTANCE = new SecinfoOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_SECINFO;
    }

    static final int AUTH_SYS = 1;

    /** The result body: AUTH_SYS only; 4.1+ clears the current filehandle. */
    static void flavors(CompoundContext ctx, XdrEncoder res) {
        if (ctx.minorVersion() >= 1) {
            ctx.setCurrentFh(null);
        }
        res.writeInt(Nfs4Status.OK);
        res.writeInt(1);
        res.writeInt(AUTH_SYS);
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle dir = ctx.requireCurrentFh();
        String name = Objects4.name(args);
        if (dir.isPseudo()) {
            PseudoFs p = ctx.services().pseudoFs();
            p.lookup(p.path(dir.id(), ctx::visible), name, ctx::visible);
        } else {
            FileTarget t = ctx.target(dir, false);
            t.fs().lookup(t.ctx(), t.inode(), name);
        }
        flavors(ctx, res);
    }
}
