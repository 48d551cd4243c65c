package io.dittofs.protocols.nfs.v4.ops;

import io.dittofs.protocols.nfs.v4.CompoundContext;
import io.dittofs.protocols.nfs.v4.FileTarget;
import io.dittofs.protocols.nfs.v4.Nfs4Exception;
import io.dittofs.protocols.nfs.v4.Nfs4Handle;
import io.dittofs.protocols.nfs.v4.Nfs4Op;
import io.dittofs.protocols.nfs.v4.Nfs4Ops;
import io.dittofs.protocols.nfs.v4.Nfs4Status;
import io.dittofs.protocols.xdr.XdrDecoder;
import io.dittofs.protocols.xdr.XdrEncoder;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * LISTXATTRS (RFC 8276 section 8.4.4, 4.2): the names of the current object's extended
 * attributes from {@code lxa_cookie} on (the cookie is the index of the next name in the
 * store's name order; 0 starts), as many as fit {@code lxa_maxcount} bytes of
 * {@code LISTXATTRS4resok} (cookie, array length, each name with its length and padding, eof).
 * A cookie past the end is NFS4ERR_BAD_COOKIE; a maxcount that cannot hold the next name is
 * NFS4ERR_TOOSMALL. A pseudo-filesystem directory has no attributes.
 * <pre>
 *   struct LISTXATTRS4args { nfs_cookie4 lxa_cookie; count4 lxa_maxcount; };
 *   struct LISTXATTRS4resok { nfs_cookie4 lxr_cookie; xattrkey4 lxr_names&lt;&gt;; bool lxr_eof; };
 * </pre>
 * Stateless singleton; thread-safe.
 */
final class ListxattrsOp implements Nfs4Op {
    static final ListxattrsOp INSTANCE = new ListxattrsOp();
    /** Cookie, array length and eof. */
    private static final int OVERHEAD = 8 + 4 + 4;

    @Override
    public int opnum() {
        return Nfs4Ops.OP_LISTXATTRS;
    }

    @Override
    public int minMinor() {
        return 2;
    }

    @Override
    public void execute(CompoundContext ctx, XdrDecoder args, XdrEncoder res) {
        Nfs4Handle h = ctx.requireCurrentFh();
        long cookie = args.readLong();
        long maxcount = args.readUnsignedInt();
        List<String> names = h.isPseudo() ? List.of() : names(ctx, h);
        if (cookie < 0 || cookie > names.size()) {
            throw new Nfs4Exception(Nfs4Status.BAD_COOKIE, "cookie " + cookie + " of " + names.size() + " names");
        }
        int from = (int) cookie;
        long used = OVERHEAD;
        int to = from;
        while (to < names.size()) {
            long len = names.get(to).getBytes(StandardCharsets.UTF_8).length;
            long need = 4 + ((len + 3) & ~3L);
            if (used + need > maxcount) {
                break;
            }
            used += need;
            to++;
        }
        if (to == from && from < names.size() || maxcount < OVERHEAD) {
            throw new Nfs4Exception(Nfs4Status.TOOSMALL, "maxcount " + maxcount);
        }
        res.writeInt(Nfs4Status.OK);
        res.writeLong(to);
        res.writeInt(to - from);
        for (int i = from; i < to; i++) {
            res.writeString(names.get(i));
        }
        res.writeBool(to == names.size());
    }

    private static List<String> names(CompoundContext ctx, Nfs4Handle h) {
        FileTarget t = ctx.target(h, false);
        return t.fs().xattrs().list(t.ctx(), t.inode());
    }
}
