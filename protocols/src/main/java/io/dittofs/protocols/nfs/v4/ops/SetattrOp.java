package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.core.FsException;
import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.Fattr4;
import io.dittofs.protocols.nfs.v4.Fattr4Set;
import io.dittofs.protocols.nfs.v4.FileTarget;
import io.dittofs.protocols.nfs.v4.Nfs4Errors;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.nfs.v4.Stateid4;
import io.dittofs.protocols.xdr.BadXdrException;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

/**
 * SETATTR (RFC 8881 section 18.30): mode, owner, group, size and times. A size change is I/O:
 * the StateChecker must accept the stateid first. The result carries {@code attrsset} even on
 * failure (empty then), so this op writes its own failure body. Stateless singleton; thread-safe.
 */
final class SetattrOp implements Nfs4Op {
    static final SetattrOp INSTANCE = new SetattrOp();

    @Override
    public int opnum() {
        return Nfs4Ops.OP_SETATTR;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        long at = res.position();
        int status;
        try {
            long[] set = apply(ctx, args);
            res.writeInt(Nfs4Status.OK);
            Fattr4.writeBitmap(res, set);
            return;
        } catch (Nfs4Exception e) {
            status = e.status();
        } catch (FsException e) {
            status = Nfs4Errors.status(e.error());
        } catch (BadXdrException e) {
            status = Nfs4Status.BADXDR;
        }
        res.position(at);
        res.writeInt(status);
        res.writeInt(0); // attrsset: empty
    }

    private static long[] apply(CompoundContext ctx, XdrDecoder args) {
        Nfs4Handle h = ctx.requireCurrentFh();
        Stateid4 sid = Stateid4.read(args);
        Fattr4Set.Decoded d = Fattr4Set.read(args, ctx);
        if (h.isPseudo()) {
            throw new Nfs4Exception(Nfs4Status.ROFS, "pseudo-filesystem");
        }
        FileTarget t = ctx.target(h, true);
        Recalls.beforeChange(ctx, h.shareId(), h.id());
        long size = d.attrs().size();
        if (size >= 0) {
            ctx.services().stateChecker().checkIo(ctx, ctx.resolveStateid(sid), h, true, size, -1L);
        }
        t.fs().setattr(t.ctx(), t.inode(), d.attrs(), -1);
        return d.mask();
    }
}
