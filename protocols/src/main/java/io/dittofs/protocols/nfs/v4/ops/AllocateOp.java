package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.FileTarget;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.Stateid4;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * ALLOCATE (RFC 7862 section 15.1, 4.2): reserves {@code [aa_offset, aa_offset + aa_length)} where
 * the block store can and extends the size when the range ends past it
 * ({@link io.dittofs.core.FileSystem#allocate}).
 * <pre>
 * struct ALLOCATE4args { stateid4 aa_stateid; offset4 aa_offset; length4 aa_length; };
 * struct ALLOCATE4res { nfsstat4 ar_status; };
 * </pre>
 * A zero length is NFS4ERR_INVAL, a range past the largest file NFS4ERR_FBIG. Stateless
 * singleton; thread-safe.
 */
final class AllocateOp implements Nfs4Op {
    static final AllocateOp INSTANCE = new AllocateOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_ALLOCATE;
    }

    @Override
    public int minMinor() {
        return 2;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Space r = Space.read(ctx, args);
        r.target().fs().allocate(r.target().ctx(), r.target().inode(), r.offset(), r.length());
        res.writeInt(Nfs4Status.OK);
    }

    /** The arguments ALLOCATE and DEALLOCATE share, checked, with the current file resolved for a change. */
    record Space(FileTarget target, long offset, long length) {
        static Space read(CompoundContext ctx, XdrDecoder args) {
            Nfs4Handle h = ctx.requireCurrentFh();
            Stateid4 sid = Stateid4.read(args);
            long offset = args.readLong();
            long length = args.readLong();
            if (h.isPseudo()) {
                throw new Nfs4Exception(Nfs4Status.ISDIR);
            }
            if (length == 0) {
                throw new Nfs4Exception(Nfs4Status.INVAL, "zero length");
            }
            if (offset < 0 || length < 0 || offset + length < 0) { // unsigned 64-bit values past 2^63 - 1
                throw new Nfs4Exception(Nfs4Status.FBIG, "range past the largest file");
            }
            FileTarget t = ctx.target(h, true);
            ctx.services().stateChecker().checkIo(ctx, ctx.resolveStateid(sid), h, true, offset, length);
            return new Space(t, offset, length);
        }
    }
}
