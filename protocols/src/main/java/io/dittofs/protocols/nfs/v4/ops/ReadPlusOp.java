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
 * READ_PLUS (RFC 7862 section 15.10, 4.2): READ whose result is a list of contents; the stores do not report holes, so it is one data segment read straight into the reply buffer (none at end of file).
 * Stateless singleton; thread-safe.
 */
final class ReadPlusOp implements Nfs4Op {
    static final ReadPlusOp INSTANCE = new ReadPlusOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_READ_PLUS;
    }

    @Override
    public int minMinor() {
        return 2;
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
            offset = Long.MAX_VALUE;
        }
        long p0 = res.position();
        int header = 4 + 4 + 4 + 4 + 8 + 4; // status, eof, content count, content type, offset, data length
        res.reserve(header + count);
        long dataPos = p0 + header;
        res.position(dataPos);
        MemorySegment dst = res.reserve(count);
        Results.Read r = t.fs().read(t.ctx(), t.inode(), offset, dst);
        res.commitReserved(dataPos, r.count());
        long end = res.position();
        res.position(p0);
        res.writeInt(Nfs4Status.OK);
        res.writeBool(r.eof());
        if (r.count() == 0) {
            res.writeInt(0); // no contents
            return;
        }
        res.writeInt(1);
        res.writeInt(SeekOp.DATA);
        res.writeLong(offset);
        res.writeInt(r.count());
        res.position(end);
    }
}
