package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.Results;
import io.dittofs.protocols.nfs.v4.Fattr4;
import io.dittofs.protocols.nfs.v4.FileTarget;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.Stateid4;

import java.lang.foreign.MemorySegment;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * READ (RFC 8881 section 18.22): after the StateChecker accepts the stateid, the data goes from the store straight into the reply buffer (no heap copy), through the same path as NFSv3 READ.
 * Stateless singleton; thread-safe.
 */
final class ReadOp implements Nfs4Op {
    static final ReadOp INSTANCE = new ReadOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_READ;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle h = ctx.requireCurrentFh();
        Stateid4 sid = Stateid4.read(args);
        long offset = args.readLong();
        int count = (int) Math.min(args.readUnsignedInt(), Fattr4.MAX_IO);
        if (h.isPseudo()) {
            throw new Nfs4Exception(Nfs4Status.ISDIR);
        }
        FileTarget t = ctx.target(h, false);
        ctx.services().stateChecker().checkIo(ctx, ctx.resolveStateid(sid), h, false, offset, count);
        if (offset < 0) {
            offset = Long.MAX_VALUE; // offset4 is unsigned: past every end of file
        }
        long p0 = res.position();
        int header = 12; // status, eof, data length
        res.reserve(header + count); // room for the whole result, so the data slice below stays put
        long dataPos = p0 + header;
        res.position(dataPos);
        MemorySegment dst = res.reserve(count);
        Results.Read r = t.fs().read(t.ctx(), t.inode(), offset, dst);
        res.commitReserved(dataPos, r.count());
        long end = res.position();
        res.position(p0);
        res.writeInt(Nfs4Status.OK);
        res.writeBool(r.eof());
        res.writeInt(r.count());
        res.position(end);
    }
}
