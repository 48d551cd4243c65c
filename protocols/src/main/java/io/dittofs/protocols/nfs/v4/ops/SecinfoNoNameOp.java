package io.dittofs.protocols.nfs.v4.ops;

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
 * SECINFO_NO_NAME (RFC 8881 section 18.45): the flavors for the current filehandle (style 0) or its parent (style 1): AUTH_SYS; consumes the current filehandle.
 * Stateless singleton; thread-safe.
 */
final class SecinfoNoNameOp implements Nfs4Op {
    static final SecinfoNoNameOp INSTANCE = new SecinfoNoNameOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_SECINFO_NO_NAME;
    }

    @Override
    public int minMinor() {
        return 1;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle h = ctx.requireCurrentFh();
        int style = args.readInt();
        if (style != 0 && style != 1) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "secinfo_style4 " + style);
        }
        Objects4.values(ctx, h); // the object must still be there and visible
        if (style == 1 && h.isPseudo()
                && ctx.services().pseudoFs().path(h.id(), ctx::visible).equals(PseudoFs.ROOT)) {
            throw new Nfs4Exception(Nfs4Status.NOENT, "the root has no parent");
        }
        SecinfoOp.flavors(ctx, res);
    }
}
