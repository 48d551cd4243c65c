package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Fattr4;
import io.dittofs.protocols.nfs.v4.Fattr4Set;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * VERIFY and NVERIFY (RFC 8881 sections 18.31, 18.15): compares the client's {@code fattr4}
 * with the server's encoding of the same attributes, byte for byte. VERIFY: equal is OK, else
 * NFS4ERR_NOT_SAME; NVERIFY: equal is NFS4ERR_SAME, else OK. An unsupported attribute is
 * NFS4ERR_ATTRNOTSUPP, {@code rdattr_error} or a write-only one NFS4ERR_INVAL. Stateless
 * singletons; thread-safe.
 */
final class VerifyOp implements Nfs4Op {
    static final VerifyOp VERIFY = new VerifyOp(true);
    static final VerifyOp NVERIFY = new VerifyOp(false);

    private final boolean verify;

    private VerifyOp(boolean verify) {
        this.verify = verify;
    }

    @Override
    public int opnum() {
        return verify ? Nfs4Ops.OP_VERIFY : Nfs4Ops.OP_NVERIFY;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle h = ctx.requireCurrentFh();
        Fattr4Set.Raw raw = Fattr4Set.readRaw(args);
        long[] m = raw.mask();
        long[] supported = Fattr4.supported(ctx.minorVersion());
        if (m[2] != 0 || (m[0] & ~supported[0]) != 0 || (m[1] & ~supported[1]) != 0) {
            throw new Nfs4Exception(Nfs4Status.ATTRNOTSUPP);
        }
        if (Fattr4.has(m, Fattr4.RDATTR_ERROR) || Fattr4.has(m, Fattr4.TIME_ACCESS_SET)
                || Fattr4.has(m, Fattr4.TIME_MODIFY_SET)) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "attribute not comparable");
        }
        boolean same = Fattr4.sameValues(res, m, Objects4.values(ctx, h), ctx, raw.vals());
        if (verify && !same) {
            throw new Nfs4Exception(Nfs4Status.NOT_SAME);
        }
        if (!verify && same) {
            throw new Nfs4Exception(Nfs4Status.SAME);
        }
        res.writeInt(Nfs4Status.OK);
    }
}
