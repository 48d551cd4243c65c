package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.Results;
import io.dittofs.core.Stability;
import io.dittofs.protocols.nfs.v4.Fattr4;
import io.dittofs.protocols.nfs.v4.FileTarget;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.Stateid4;
import io.dittofs.protocols.xdr.BadXdrException;

import java.lang.foreign.MemorySegment;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * WRITE (RFC 8881 section 18.32): after the StateChecker accepts the stateid, the data (a slice of the request, never copied) goes through the same cache and stability path as NFSv3 WRITE; the verifier is the NFSv3 one.
 * Stateless singleton; thread-safe.
 */
final class WriteOp implements Nfs4Op {
    static final WriteOp INSTANCE = new WriteOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_WRITE;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle h = ctx.requireCurrentFh();
        Stateid4 sid = Stateid4.read(args);
        long offset = args.readLong();
        int how = args.readInt();
        if (how < 0 || how > 2) {
            throw new BadXdrException("stable_how4 " + how);
        }
        MemorySegment data = args.readOpaque(Fattr4.MAX_IO);
        if (h.isPseudo()) {
            throw new Nfs4Exception(Nfs4Status.ISDIR);
        }
        if (offset < 0 || offset + data.byteSize() < 0) {
            throw new Nfs4Exception(Nfs4Status.FBIG);
        }
        FileTarget t = ctx.target(h, true);
        ctx.services().stateChecker().checkIo(ctx, ctx.resolveStateid(sid), h, true, offset, data.byteSize());
        Results.Written w = t.fs().write(t.ctx(), t.inode(), offset, data, Stability.values()[how]);
        res.writeInt(Nfs4Status.OK);
        res.writeInt(w.count());
        res.writeInt(w.committed().ordinal());
        res.writeLong(ctx.services().writeVerifier());
    }
}
