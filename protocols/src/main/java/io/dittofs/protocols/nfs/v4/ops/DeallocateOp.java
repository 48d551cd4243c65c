package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * DEALLOCATE (RFC 7862 section 15.4, 4.2): makes {@code [da_offset, da_offset + da_length)} a hole
 * that reads as zeros, freeing its space where the store can (the Linux client's
 * {@code fallocate -p}); the part past the end of file is ignored and the size never changes
 * ({@link io.dittofs.core.FileSystem#deallocate}).
 * <pre>
 * struct DEALLOCATE4args { stateid4 da_stateid; offset4 da_offset; length4 da_length; };
 * struct DEALLOCATE4res { nfsstat4 dr_status; };
 * </pre>
 * Stateless singleton; thread-safe.
 */
final class DeallocateOp implements Nfs4Op {
    static final DeallocateOp INSTANCE = new DeallocateOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_DEALLOCATE;
    }

    @Override
    public int minMinor() {
        return 2;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        AllocateOp.Space r = AllocateOp.Space.read(ctx, args);
        r.target().fs().deallocate(r.target().ctx(), r.target().inode(), r.offset(), r.length());
        res.writeInt(Nfs4Status.OK);
    }
}
