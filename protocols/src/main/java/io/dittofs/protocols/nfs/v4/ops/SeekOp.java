package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.Results;
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
 * SEEK (RFC 7862 section 15.11, 4.2): the next data or hole at or after an offset, from the block
 * store's data/hole query ({@link io.dittofs.core.FileSystem#seek}): punched and never-written
 * ranges are holes where the store can tell (the local file store asks the file system with
 * {@code SEEK_DATA}/{@code SEEK_HOLE}; a write-back cache adds its dirty data), and every file
 * ends with the implicit hole at end of file (section 15.11.3). At or past the size, or with no
 * data after the offset, the answer is NFS4ERR_NXIO.
 * <pre>
 * struct SEEK4args { stateid4 sa_stateid; offset4 sa_offset; data_content4 sa_what; };
 * struct seek_res4 { bool sr_eof; offset4 sr_offset; };
 * </pre>
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
        if (offset < 0) {
            throw new Nfs4Exception(Nfs4Status.NXIO, "offset past 2^63 - 1");
        }
        Results.Seek found = t.fs().seek(t.ctx(), t.inode(), offset, what == DATA);
        if (!found.found()) {
            throw new Nfs4Exception(Nfs4Status.NXIO, "no " + (what == DATA ? "data" : "hole") + " at or after the offset");
        }
        res.writeInt(Nfs4Status.OK);
        res.writeBool(found.eof());
        res.writeLong(found.offset());
    }
}
