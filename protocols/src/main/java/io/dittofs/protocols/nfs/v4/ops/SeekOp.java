package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.Inode;
import io.dittofs.protocols.nfs.v4.FileTarget;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.Stateid4;
import io.dittofs.protocols.xdr.BadXdrException;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * SEEK (RFC 7862 section 15.11, 4.2): the next data or hole at or after an offset. The stores do not report holes, so a file is data up to its size followed by the implicit hole at end of file (what RFC 7862 section 15.11.3 allows): DATA at an offset below the size is that offset, HOLE is the size; at or past the size both are NFS4ERR_NXIO.
 * Stateless singleton; thread-safe.
 */
final class SeekOp implements Nfs4Op {
    static final SeekOp INSTANCE = new SeekOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_SEEK;
    }

    static final int DATA = 0;
    static final int HOLE = 1;

    @Override
    public int minMinor() {
        return 2;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle h = ctx.requireCurrentFh();
        Stateid4 sid = Stateid4.read(args);
        long offset = args.readLong();
        int what = args.readInt();
        if (what != DATA && what != HOLE) {
            throw new BadXdrException("data_content4 " + what);
        }
        if (h.isPseudo()) {
            throw new Nfs4Exception(Nfs4Status.ISDIR);
        }
        FileTarget t = ctx.target(h, false);
        ctx.services().stateChecker().checkIo(ctx, ctx.resolveStateid(sid), h, false, offset, 0);
        Inode n = Objects4.inode(t);
        if (n.isDirectory()) {
            throw new Nfs4Exception(Nfs4Status.ISDIR);
        }
        if (n.type() != io.dittofs.core.FileType.REGULAR) {
            throw new Nfs4Exception(Nfs4Status.INVAL, "not a regular file");
        }
        if (offset < 0 || offset >= n.size()) {
            throw new Nfs4Exception(Nfs4Status.NXIO, "offset at or past end of file");
        }
        long found = what == DATA ? offset : n.size();
        res.writeInt(Nfs4Status.OK);
        res.writeBool(found >= n.size());
        res.writeLong(found);
    }
}
