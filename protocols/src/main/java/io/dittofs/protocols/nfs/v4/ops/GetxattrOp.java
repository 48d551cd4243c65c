package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.FileTarget;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * GETXATTR (RFC 8276 section 8.4.2, 4.2): the value of one extended attribute of the current
 * object; NFS4ERR_NOXATTR if it has none of that name (a pseudo-filesystem directory has none).
 * <pre>
 *   struct GETXATTR4args { xattrkey4 gxa_name; };
 *   union GETXATTR4res switch (nfsstat4 gxr_status) { case NFS4_OK: xattrvalue4 gxr_value; default: void; };
 * </pre>
 * Stateless singleton; thread-safe.
 */
final class GetxattrOp implements Nfs4Op {
    static final GetxattrOp INSTANCE = new GetxattrOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_GETXATTR;
    }

    @Override
    public int minMinor() {
        return 2;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle h = ctx.requireCurrentFh();
        String name = Xattrs4.key(args);
        if (h.isPseudo()) {
            throw new Nfs4Exception(Nfs4Status.NOXATTR, "pseudo-filesystem");
        }
        FileTarget t = ctx.target(h, false);
        byte[] v = t.fs().xattrs().get(t.ctx(), t.inode(), name);
        res.writeInt(Nfs4Status.OK);
        res.writeOpaque(v);
    }
}
