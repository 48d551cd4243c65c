package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * ILLEGAL (RFC 8881 section 18.50): the result of an opnum the minor version does not define.
 * The processor answers undefined opnums itself (the op number on the wire is OP_ILLEGAL, whose
 * arguments cannot be known); this class is that behaviour for callers that hold an op.
 * Stateless singleton; thread-safe.
 */
public final class IllegalOp implements Nfs4Op {
    public static final IllegalOp INSTANCE = new IllegalOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_ILLEGAL;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        res.writeInt(Nfs4Status.OP_ILLEGAL);
    }
}
