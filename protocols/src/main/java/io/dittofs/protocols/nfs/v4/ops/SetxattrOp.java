package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.Results;
import io.dittofs.core.XattrOps;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.FileTarget;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.BadXdrException;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * SETXATTR (RFC 8276 section 8.4.3, 4.2): creates or replaces one extended attribute of the
 * current object (CREATE on an existing one is NFS4ERR_EXIST, REPLACE on a missing one
 * NFS4ERR_NOXATTR, a value over 64 KiB NFS4ERR_XATTR2BIG before it is read); returns the
 * object's change_info4.
 * <pre>
 *   enum setxattr_option4 { SETXATTR4_EITHER = 0, SETXATTR4_CREATE = 1, SETXATTR4_REPLACE = 2 };
 *   struct SETXATTR4args { setxattr_option4 sxa_option; xattrkey4 sxa_key; xattrvalue4 sxa_value; };
 *   union SETXATTR4res switch (nfsstat4 sxr_status) { case NFS4_OK: change_info4 sxr_info; default: void; };
 * </pre>
 * Stateless singleton; thread-safe.
 */
final class SetxattrOp implements Nfs4Op {
    static final SetxattrOp INSTANCE = new SetxattrOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_SETXATTR;
    }

    @Override
    public int minMinor() {
        return 2;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle h = ctx.requireCurrentFh();
        XattrOps.SetMode mode = switch (args.readInt()) {
            case 0 -> XattrOps.SetMode.EITHER;
            case 1 -> XattrOps.SetMode.CREATE;
            case 2 -> XattrOps.SetMode.REPLACE;
            default -> throw new BadXdrException("setxattr_option4");
        };
        String name = Xattrs4.key(args);
        byte[] value = Xattrs4.value(args);
        FileTarget t = Objects4.dirForChange(ctx, h);
        Results.Wcc w = t.fs().xattrs().set(t.ctx(), t.inode(), name, value, mode);
        res.writeInt(Nfs4Status.OK);
        Objects4.changeInfo(res, w);
    }
}
